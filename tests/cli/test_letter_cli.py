"""`accessdesk letter` end to end, as a script would run it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.cli.test_cli import add, run


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("letters") / "store.sqlite"
    r = run(
        path,
        "init",
        "--practice-name",
        "Invented Clinic",
        "--address",
        "1 Main St, Salem, OR 97301",
        "--phone",
        "555-010-0100",
        "--state",
        "OR",
        "--admin-name",
        "Ada Admin",
    )
    assert r.returncode == 0, r.stderr
    return path


def test_issue_list_copy_and_mail(db: Path, tmp_path: Path) -> None:
    rid = add(db, "--delivery", "mail", "--format", "paper", "--address", "9 Fake Rd\nSalem, OR")
    out = tmp_path / "ack.pdf"
    r = run(db, "letter", str(rid), "--kind", "acknowledgement", "--language", "es",
            "--letter-date", "2026-02-01", "--out", str(out), "--json")  # fmt: skip
    assert r.returncode == 0, r.stderr
    issued = json.loads(r.stdout)
    assert issued["copy"] is False
    letter = issued["letter"]
    assert hashlib.sha256(out.read_bytes()).hexdigest() == letter["sha256"]
    assert "Recibimos su solicitud" in PdfReader(out).pages[0].extract_text()
    assert oct(out.stat().st_mode & 0o777) == "0o600"

    # Asking again writes a marked copy of the one issued; nothing new is issued.
    again = tmp_path / "again.pdf"
    r = run(db, "letter", str(rid), "--kind", "acknowledgement", "--language", "es",
            "--out", str(again), "--json")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["copy"] is True
    assert "COPIA" in PdfReader(again).pages[0].extract_text()

    r = run(db, "letter", str(rid), "--mail", str(letter["id"]), "--method", "certified",
            "--date", "2026-02-02", "--json")  # fmt: skip
    assert r.returncode == 2 and "tracking" in r.stderr
    r = run(db, "letter", str(rid), "--mail", str(letter["id"]), "--method", "certified",
            "--date", "2026-02-02", "--tracking", "9400-TEST", "--json")  # fmt: skip
    assert r.returncode == 0, r.stderr

    listed = json.loads(run(db, "letter", str(rid), "--list", "--json").stdout)
    assert len(listed) == 1
    (one,) = listed
    assert one["sha256"] == letter["sha256"] and one["copies"] == 1 and one["sent"] is True
    assert one["mailings"][0] == one["mailings"][0] | {
        "method": "certified",
        "sent_on": "2026-02-02",
        "tracking": "9400-TEST",
    }
    shown = json.loads(run(db, "request", "show", str(rid), "--json").stdout)
    kinds = [e["kind"] for e in shown["timeline"]]
    assert kinds == ["received", "letter_issued", "letter_copy", "letter_sent"]


def test_a_letter_that_cannot_be_issued_exits_2_naming_what_is_missing(
    db: Path, tmp_path: Path
) -> None:
    rid = add(db)
    out = tmp_path / "x.pdf"
    r = run(db, "letter", str(rid), "--kind", "clarification", "--out", str(out))
    assert r.returncode == 2
    assert "Missing: what is unclear about the request" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not out.exists()
    r = run(db, "letter", str(rid), "--kind", "extension", "--out", str(out))
    assert r.returncode == 2 and "the reasons for the delay" in r.stderr
    r = run(db, "letter", str(rid), "--kind", "clarification", "--unclear", "Which years",
            "--unclear", "Images or reports", "--out", str(out), "--json")  # fmt: skip
    assert r.returncode == 0, r.stderr
    text = PdfReader(out).pages[0].extract_text()
    assert "Which years" in text and "Images or reports" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["letter", "9999", "--list"], "no request number 9999"),
        (["letter", "1", "--kind", "acknowledgement"], "--out"),
        (["letter", "1", "--mail", "1", "--method", "first_class"], "--date"),
        (["letter", "1"], "one of the arguments"),
        (["letter", "abc", "--list"], "invalid int value"),
    ],
)
def test_letter_refusals(db: Path, args: list[str], message: str) -> None:
    r = run(db, *args)
    assert r.returncode == 2
    assert message in r.stderr


def test_other_commands_still_parse(db: Path) -> None:
    r = run(db, "request", "list", "--view", "all", "--json")
    assert r.returncode == 0, r.stderr
    r = run(db, "audit", "verify", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["ok"] is True
