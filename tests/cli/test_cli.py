"""The command line end to end, as a script would run it (subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from accessdesk_gui.store import keys
from accessdesk_gui.store.db import connect_raw
from tests.conftest import PASSWORD


def run(db: Path, *args: str, user: str | None = "admin", password: str = PASSWORD, **env: str):
    cmd = [sys.executable, "-m", "accessdesk_gui", *args, "--db", str(db)]
    if user:
        cmd += ["--user", user]
    e = {**os.environ, "ACCESSDESK_PASSWORD": password, **env}
    return subprocess.run(cmd, capture_output=True, text=True, env=e, timeout=60, check=False)


def init_store(path: Path, practice: str = "Clinic") -> Path:
    """Set up a store through 'accessdesk init' with admin / PASSWORD."""
    r = run(path, "init", "--practice-name", practice, "--address", "1 Main St",
            "--phone", "555-010-0100", "--state", "OR", "--admin-name", "Ada Admin")  # fmt: skip
    assert r.returncode == 0, r.stderr
    return path


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "store.sqlite"
    init_store(path)
    return path


def add(db: Path, *extra: str, patient: str = "Zoë Nguyễn-O'Brien") -> int:
    r = run(
        db,
        "request",
        "add",
        "--patient",
        patient,
        "--dob",
        "1980-02-29",
        "--received",
        "2026-01-31",
        "--scope",
        "All records including billing",
        "--json",
        *extra,
    )
    assert r.returncode == 0, r.stderr
    return int(json.loads(r.stdout)["id"])


def test_add_show_extend_fulfil_round_trip(db: Path) -> None:
    rid = add(db, "--verified-method", "photo_id")
    shown = json.loads(run(db, "request", "show", str(rid), "--json").stdout)
    assert shown["status"] == "received"
    assert shown["patient_name"] == "Zoë Nguyễn-O'Brien"
    assert shown["received"] == "2026-01-31"
    assert shown["due"] == "2026-03-02" and shown["effective_due"] == "2026-03-02"
    assert shown["extension"] is None
    assert [e["kind"] for e in shown["timeline"]] == ["received"]

    r = run(
        db,
        "request",
        "extend",
        str(rid),
        "--notice-date",
        "2026-02-20",
        "--reasons",
        "Archived paper chart",
        "--complete-by",
        "2026-03-30",
    )
    assert r.returncode == 0, r.stderr
    r = run(db, "request", "fulfil", str(rid), "--date", "2026-03-10")
    assert r.returncode == 0, r.stderr
    shown = json.loads(run(db, "request", "show", str(rid), "--json").stdout)
    assert shown["status"] == "fulfilled"
    assert shown["effective_due"] == "2026-03-30"
    assert shown["extension"] == {
        "notice_date": "2026-02-20",
        "reasons": "Archived paper chart",
        "complete_by": "2026-03-30",
    }
    assert [e["kind"] for e in shown["timeline"]] == ["received", "extend", "fulfil"]


def test_list_search_ignores_accents(db: Path) -> None:
    rid = add(db, patient="Nguyễn Văn Searchable")
    r = run(db, "request", "list", "--view", "all", "--search", "nguyen van", "--json")
    assert r.returncode == 0, r.stderr
    assert [row["id"] for row in json.loads(r.stdout)] == [rid]


def _audit_actions(db: Path) -> list[str]:
    con = connect_raw(db)
    try:
        return [r[0] for r in con.execute("SELECT action FROM audit_log ORDER BY seq")]
    finally:
        con.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["request", "show", "9999"], "no request number 9999"),
        (["request", "fulfil", "1", "--date", "2026-02-30"], "not a date"),
        (["request", "withdraw", "1", "--date", "2026-03-11", "--reason", "x"], "closed"),
        (
            [
                "request",
                "extend",
                "1",
                "--notice-date",
                "2026-02-21",
                "--reasons",
                "again",
                "--complete-by",
                "2026-03-31",
            ],
            "extended",
        ),
        (["request", "show", "abc"], "invalid int value"),
    ],
)
def test_refusals_are_one_line_status_2_and_change_nothing(
    db: Path, args: list[str], message: str
) -> None:
    before = _audit_actions(db)
    r = run(db, *args)
    assert r.returncode == 2
    assert message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert r.stdout == ""
    # Nothing changed: at most the login itself was recorded.
    added = _audit_actions(db)[len(before) :]
    assert added in ([], ["login"])


def test_wrong_password(db: Path) -> None:
    r = run(db, "request", "list", password="not the password")
    assert r.returncode == 2
    assert r.stderr.strip() == "accessdesk: Wrong user name or password."


def test_missing_store(tmp_path: Path) -> None:
    r = run(tmp_path / "none.sqlite", "request", "list")
    assert r.returncode == 2
    assert "No store at" in r.stderr and "accessdesk init" in r.stderr
    assert not (tmp_path / "none.sqlite").exists()


def test_user_add_needs_privacy_officer_and_licence(db: Path) -> None:
    r = run(
        db,
        "user",
        "add",
        "drx",
        "--full-name",
        "Dr X",
        "--role",
        "licensed_professional",
        "--licence-type",
        "MD",
        "--licence-number",
        "123",
        ACCESSDESK_NEW_PASSWORD="another long passphrase",
    )
    assert r.returncode == 0, r.stderr
    r = run(
        db,
        "user",
        "add",
        "sneaky",
        "--full-name",
        "S",
        "--role",
        "privacy_officer",
        user="drx",
        password="another long passphrase",
        ACCESSDESK_NEW_PASSWORD="another long passphrase",
    )
    assert r.returncode == 2 and "privacy_officer" in r.stderr


def test_audit_verify_names_the_tampered_entry(db: Path, tmp_path: Path) -> None:
    r = run(db, "audit", "verify", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["ok"] is True
    copy = tmp_path / "tampered.sqlite"
    key = keys.keyring_key(db)
    keys.save_key(copy, key)
    src = connect_raw(db)
    dst = connect_raw(copy)
    src.backup(dst)
    src.close()
    dst.execute("DROP TRIGGER audit_log_no_update")
    dst.execute("UPDATE audit_log SET after = replace(after, 'received', 'fulfilled') WHERE seq=4")
    dst.commit()
    dst.close()
    r = run(copy, "audit", "verify")
    assert r.returncode == 1
    assert "broken at entry 4" in r.stdout


def test_demo_store_has_every_state(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite"
    r = run(path, "demo", "--no-gui", "--today", "2026-06-15", user=None)
    assert r.returncode == 0, r.stderr
    r = run(
        path,
        "request",
        "list",
        "--view",
        "all",
        "--as-of",
        "2026-06-15",
        "--json",
        user="demo",
        password="demo-password-only",
    )
    rows = json.loads(r.stdout)
    statuses = {row["status"] for row in rows}
    assert {"received", "in_progress", "extended", "fulfilled", "withdrawn"} <= statuses
    urgencies = {row["urgency"] for row in rows}
    assert {"overdue", "due soon", "on track", "closed"} <= urgencies


def test_demo_works_without_any_keyring_and_real_stores_still_refuse(tmp_path: Path) -> None:
    # A machine with no keyring: the demo (invented people) opens with its public key,
    # while setting up a real store is refused with the reason, never left unencrypted.
    no_keyring = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    demo_db = tmp_path / "demo.sqlite"
    r = run(demo_db, "demo", "--no-gui", user=None, **no_keyring)
    assert r.returncode == 0, r.stderr
    r = run(demo_db, "request", "list", "--json", user="demo",
            password="demo-password-only", **no_keyring)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)
    real = tmp_path / "office.sqlite"
    r = run(real, "init", "--practice-name", "C", "--address", "A", "--phone", "5550100100",
            "--state", "OR", "--admin-name", "Ada", **no_keyring)  # fmt: skip
    assert r.returncode == 2 and "keyring" in r.stderr.lower()
    assert not real.exists() or real.stat().st_size == 0
