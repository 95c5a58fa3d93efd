"""The denial and review loop on the command line, end to end (subprocesses)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import run
from tests.conftest import PASSWORD


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("denialcli") / "store.sqlite"
    steps = [
        ("admin", ["init", "--practice-name", "Clinic", "--address", "1 Main St, Salem, OR 97301",
                   "--phone", "555-010-0100", "--state", "OR", "--admin-name", "Ada Admin"]),
        ("admin", ["user", "add", "desk", "--full-name", "Dee Desk", "--role", "front_desk"]),
        ("admin", ["user", "add", "drpatel", "--full-name", "Dr. Asha Patel-Example", "--role",
                   "licensed_professional", "--licence-type", "MD", "--licence-number", "12345"]),
        ("admin", ["user", "add", "drlee", "--full-name", "Dr. Lee Nguyễn-Sample", "--role",
                   "licensed_professional", "--licence-type", "DO", "--licence-number", "67890"]),
        ("admin", ["settings", "complaint-contact", "--contact", "the Privacy Officer",
                   "--phone", "555-010-0101"]),
        ("admin", ["settings", "designate-reviewer", "drlee"]),
    ]  # fmt: skip
    for user, args in steps:
        r = run(db, *args, user=user, ACCESSDESK_NEW_PASSWORD=PASSWORD)
        assert r.returncode == 0, (args, r.stderr)
    return db


def _request(db: Path) -> int:
    r = run(
        db,
        "request",
        "add",
        "--patient",
        "Zoë O'Brien-Testperson",
        "--dob",
        "1980-02-29",
        "--received",
        "2026-01-31",
        "--scope",
        "Visit notes and therapy notes",
        "--delivery",
        "mail",
        "--address",
        "48 Maple Avenue\nSpringfield, OR 97000",
        "--json",
        user="desk",
    )
    assert r.returncode == 0, r.stderr
    return int(json.loads(r.stdout)["id"])


ENDANGER = [
    "--fact",
    "p2.endangered=the patient",
    "--fact",
    "p2.danger=Documented plan of self-harm",
    "--fact",
    "p2.physical_not_emotional=yes",
]


def test_the_whole_loop(office: Path, tmp_path: Path) -> None:
    db = office
    rid = _request(db)
    r = run(
        db,
        "denial",
        "draft",
        str(rid),
        "--part",
        "p1=Visit notes 2020-2025",
        "--part",
        "p2=Note of 2024-03-05",
        "--deny",
        "p2=endangerment",
        *ENDANGER,
        "--determiner",
        "drpatel",
        "--reason",
        "Documented risk",
        "--json",
        user="desk",
    )
    assert r.returncode == 0, r.stderr
    draft = json.loads(r.stdout)
    did = draft["id"]
    assert draft["status"] == "awaiting_signature" and draft["extent"] == "partial"

    # The front desk can neither sign nor issue before the professional signs.
    r = run(db, "denial", "sign", str(did), user="desk")
    assert r.returncode == 2 and "licensed_professional" in r.stderr
    r = run(db, "denial", "issue", str(did), "--date", "2026-02-12", user="desk")
    assert r.returncode == 2 and "awaits the signed determination" in r.stderr
    q = run(db, "denial", "queue", "--json", user="drpatel")
    assert [i["kind"] for i in json.loads(q.stdout)] == ["sign_off"]
    r = run(db, "denial", "sign", str(did), user="drpatel")
    assert r.returncode == 0, r.stderr

    # Late issue refused; on time it issues and writes the letter.
    r = run(db, "denial", "issue", str(did), "--date", "2026-03-03", user="desk")
    assert r.returncode == 2 and "late" in r.stderr
    letter = tmp_path / "denial.pdf"
    r = run(
        db, "denial", "issue", str(did), "--date", "2026-02-12", "--out", str(letter), user="desk"
    )
    assert r.returncode == 0, r.stderr
    assert letter.read_bytes().startswith(b"%PDF")
    shown = json.loads(run(db, "request", "show", str(rid), "--json", user="desk").stdout)
    assert shown["status"] == "partially_denied"

    r = run(db, "review", "request", str(did), "--date", "2026-04-01", "--json", user="desk")
    assert r.returncode == 0, r.stderr
    rv = json.loads(r.stdout)["review"]
    # The determining professional is refused with the reason.
    r = run(db, "review", "assign", str(rv), "--to", "drpatel", "--date", "2026-04-02", user="desk")
    assert r.returncode == 2
    assert "made the original determination" in r.stderr
    r = run(db, "review", "assign", str(rv), "--to", "drlee", "--date", "2026-04-02", user="desk")
    assert r.returncode == 0, r.stderr
    out = tmp_path / "determination.pdf"
    r = run(
        db,
        "review",
        "decide",
        str(rv),
        "--reverse",
        "p2",
        "--date",
        "2026-04-05",
        "--out",
        str(out),
        "--json",
        user="drlee",
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["outcome"] == "reverse"
    shown = json.loads(run(db, "request", "show", str(rid), "--json", user="desk").stdout)
    assert shown["status"] == "reversed_on_review"
    assert run(db, "audit", "verify", user="admin").returncode == 0


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["--deny", "p2=emotional distress"], "Emotional or psychological harm"),
        (["--deny", "p2=unpaid bill"], "Unpaid bill"),
        (["--deny", "p2=endangerment", *ENDANGER, "--determiner", "desk"], "not licensed"),
    ],
)
def test_refusals_exit_2_and_say_why(office: Path, args: list[str], why: str) -> None:
    rid = _request(office)
    r = run(
        office,
        "denial",
        "draft",
        str(rid),
        "--part",
        "p1=Visit notes",
        "--part",
        "p2=Note",
        *args,
        user="desk",
    )
    assert r.returncode == 2
    assert why in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_missing_element_refused(tmp_path: Path) -> None:
    db = tmp_path / "bare.sqlite"
    init = ["init", "--practice-name", "Clinic", "--address", "1 Main St, Salem, OR 97301",
            "--phone", "555-010-0100", "--state", "OR", "--admin-name", "Ada Admin"]  # fmt: skip
    assert run(db, *init).returncode == 0
    rid = _request_as(db, "admin")
    r = run(
        db,
        "denial",
        "draft",
        str(rid),
        "--part",
        "p1=Litigation file",
        "--deny",
        "p1=legal_proceeding",
        "--fact",
        "p1.proceeding=Doe v. Example",
        "--fact",
        "p1.compiled_for_proceeding=yes",
        "--json",
    )
    assert r.returncode == 0, r.stderr
    did = json.loads(r.stdout)["id"]
    r = run(db, "denial", "issue", str(did), "--date", "2026-02-12")
    assert r.returncode == 2
    assert "complain to at the practice" in r.stderr


def test_front_desk_cannot_designate(office: Path) -> None:
    r = run(office, "settings", "designate-reviewer", "drpatel", user="desk")
    assert r.returncode == 2 and "privacy_officer" in r.stderr


def _request_as(db: Path, user: str) -> int:
    r = run(
        db,
        "request",
        "add",
        "--patient",
        "Liam Sample",
        "--dob",
        "1975-11-30",
        "--received",
        "2026-01-31",
        "--scope",
        "Everything",
        "--json",
        user=user,
    )
    assert r.returncode == 0, r.stderr
    return int(json.loads(r.stdout)["id"])
