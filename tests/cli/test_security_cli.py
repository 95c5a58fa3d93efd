"""Key, backup and restore from the command line, as on a replacement PC."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.cli.test_cli import init_store
from tests.conftest import PASSWORD


def run(db: Path, *args: str, env: dict[str, str] | None = None, user: str = "admin"):
    cmd = [sys.executable, "-m", "accessdesk_gui", *args, "--db", str(db), "--user", user]
    e = {**os.environ, "ACCESSDESK_PASSWORD": PASSWORD, **(env or {})}
    return subprocess.run(cmd, capture_output=True, text=True, env=e, timeout=60, check=False)


def test_new_pc_recovery_sheet_key_restore_and_backup_restore(tmp_path: Path) -> None:
    old = tmp_path / "old" / "office.sqlite"
    init_store(old)
    sheet = run(old, "key", "recovery-sheet")
    assert sheet.returncode == 0, sheet.stderr
    key_line = re.compile(r"^    [A-Z2-7]{4}( [A-Z2-7]{4})*$")
    code = " ".join(x.strip() for x in sheet.stdout.splitlines() if key_line.match(x))
    b = run(old, "backup", "--to", str(tmp_path / "usb"), "--json")
    assert b.returncode == 0, b.stderr
    backup_file = next((tmp_path / "usb").glob("*.adbackup"))

    # The new PC: its own (empty) keyring, the backup drive plugged in.
    new_env = {"ACCESSDESK_TEST_KEYRING_FILE": str(tmp_path / "new-pc-keyring.json")}
    new = tmp_path / "new" / "office.sqlite"
    new.parent.mkdir()
    r = run(new, "restore", str(backup_file), env=new_env)
    assert r.returncode == 2 and "not in this computer's keyring" in r.stderr
    r = run(new, "key", "restore", env={**new_env, "ACCESSDESK_RECOVERY_KEY": "ABCD " * 14})
    assert r.returncode == 2 and "mistyped" in r.stderr
    r = run(new, "key", "restore", env={**new_env, "ACCESSDESK_RECOVERY_KEY": code.lower()})
    assert r.returncode == 0, r.stderr
    r = run(new, "restore", str(backup_file), env=new_env)
    assert r.returncode == 0, r.stderr
    r = run(new, "audit", "verify", env=new_env)
    assert r.returncode == 0 and "intact" in r.stdout, r.stdout + r.stderr


def test_passphrase_mode_is_chosen_explicitly_at_init(tmp_path: Path) -> None:
    db = tmp_path / "office.sqlite"
    # No keyring at all on this PC: the store is refused, and the choices named.
    nokr = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    init = (
        "init",
        "--practice-name",
        "Clinic",
        "--address",
        "1 Main St",
        "--phone",
        "555-010-0100",
        "--state",
        "OR",
        "--admin-name",
        "Ada Admin",
    )
    r = run(db, *init, env=nokr)
    assert r.returncode == 2 and "No system keyring" in r.stderr and "--key-mode" in r.stderr
    assert not db.exists()
    phrase = {**nokr, "ACCESSDESK_STORE_PASSPHRASE": "our long practice passphrase"}
    r = run(db, *init, "--key-mode", "passphrase", env=phrase)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "office.sqlite.keymode").exists()
    r = run(db, "request", "list", env=phrase)
    assert r.returncode == 0, r.stderr
    r = run(db, "request", "list", env={**nokr, "ACCESSDESK_STORE_PASSPHRASE": "wrong one"})
    assert r.returncode == 2 and "does not open" in r.stderr


def test_audit_report_as_pdf_names_no_patient_in_its_metadata(tmp_path: Path) -> None:
    from pypdf import PdfReader

    db = tmp_path / "office.sqlite"
    init_store(db)
    r = run(
        db,
        "request",
        "add",
        "--patient",
        "李 Reportée",
        "--dob",
        "1980-02-29",
        "--received",
        "2026-01-31",
        "--scope",
        "All records",
    )
    assert r.returncode == 0, r.stderr
    out = tmp_path / "report.pdf"
    r = run(db, "audit-report", "--out", str(out), "--patient", "reportee")
    assert r.returncode == 0, r.stderr
    pdf = PdfReader(out)
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "Reportée" in text and "request_received" in text and "intact" in text
    meta = " ".join(str(v) for v in (pdf.metadata or {}).values())
    assert "Reportée" not in meta and "李" not in meta
