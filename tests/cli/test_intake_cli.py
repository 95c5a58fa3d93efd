"""`request add` with every intake field, the queue filters and the desk subcommands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import run

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli_intake") / "store.sqlite"
    r = run(
        path, "init", "--practice-name", "Clinic", "--address", "1 Main St",
        "--phone", "555-010-0100", "--state", "OR", "--admin-name", "Ada Admin",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    return path


def test_directive_with_every_field_and_scan(db: Path, tmp_path: Path) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(PDF)
    r = run(
        db, "request", "add", "--patient", "דוד כהן", "--dob", "1970-05-05",
        "--received", "2026-02-02", "--requester-kind", "third_party_directive",
        "--directive-recipient", "Lakeside Law", "--category", "lab_results",
        "--category", "imaging", "--date-from", "2020-01-01", "--date-to", "2025-12-31",
        "--electronic-format", "pdf", "--channel", "fax", "--language", "es",
        "--attach", str(scan), "--fee-method", "actual_cost", "--fee-line", "copy_labor:20",
        "--json",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["incomplete"] and len(out["clarifications"]) == 2
    shown = json.loads(run(db, "request", "show", str(out["id"]), "--json").stdout)
    assert shown["preferred_language"] == "es" and shown["channel"] == "fax"
    assert shown["delivery"] == "third_party"
    assert shown["directive"] == {"recipient": "Lakeside Law", "destination": "", "signed": False}
    assert shown["what"]["categories"] == ["lab_results", "imaging"]
    assert shown["fee"]["total"] == "20.00"  # state law governs a directive's fee (Ciox)
    assert shown["attachments"][0]["filename"] == "scan.pdf"
    saved = tmp_path / "out.pdf"
    aid = str(shown["attachments"][0]["id"])
    assert run(db, "request", "attachment", aid, "--out", str(saved)).returncode == 0
    assert saved.read_bytes() == PDF

    r = run(db, "request", "clarify", str(out["id"]), "--directive-signed",
            "--directive-destination", "Fax 555-010-0102", "--json")  # fmt: skip
    assert json.loads(r.stdout)["outstanding"] == []
    r = run(db, "request", "list", "--view", "incomplete", "--json")
    assert json.loads(r.stdout) == []


def test_refused_before_verification_then_verify(db: Path) -> None:
    r = run(db, "request", "add", "--patient", "Zoë Verify", "--dob", "1990-01-01",
            "--received", "2026-02-02", "--whole-drs", "--json")  # fmt: skip
    rid = str(json.loads(r.stdout)["id"])
    r = run(db, "request", "fulfil", rid, "--date", "2026-02-05")
    assert r.returncode == 2 and "164.514(h)" in r.stderr
    r = run(db, "request", "verify", rid, "--method", "photo_id", "--date", "2026-02-03")
    assert r.returncode == 0, r.stderr
    assert run(db, "request", "fulfil", rid, "--date", "2026-02-05").returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fee-method", "flat_fee", "--fee-line", "retrieval:5"], "retriev"),
        (["--fee-method", "flat_fee", "--fee-line", "copy_labor:7"], "6.50"),
        (["--delivery", "third_party"], "directive"),
        (["--category", "horoscope"], "record category"),
        (["--date-from", "2026-01-10", "--date-to", "2025-01-01"], "date_to"),
        (["--agreed-format", "paper"], "164.524(c)(2)(ii)"),
        (["--attach", "/nonexistent/scan.pdf"], "Cannot read"),
        (["--dob", "2027-01-01"], "patient_dob"),
        (["--patient", "x" * 500], "too long"),
    ],
)
def test_bad_intake_options_refused_and_nothing_saved(db: Path, args, message) -> None:
    before = json.loads(run(db, "request", "list", "--view", "all", "--json").stdout)
    base = ["--patient", "Nguyễn Bad", "--dob", "1990-01-01", "--received", "2026-02-02",
            "--scope", "all"]  # fmt: skip
    # Later options win in argparse, so the bad value replaces the good one.
    r = run(db, "request", "add", *base, *args)
    assert r.returncode == 2 and message in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    after = json.loads(run(db, "request", "list", "--view", "all", "--json").stdout)
    assert after == before


def test_a_too_large_scan_is_refused_and_no_request_is_saved(db: Path, tmp_path: Path) -> None:
    # Issue 12: `request add --attach big.pdf` exited 2 yet the request existed.
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (26 * 1024 * 1024))
    before = json.loads(run(db, "request", "list", "--view", "all", "--json").stdout)
    r = run(db, "request", "add", "--patient", "Zoë Bigscan", "--dob", "1990-01-01",
            "--received", "2026-02-02", "--scope", "all", "--attach", str(big))  # fmt: skip
    assert r.returncode == 2 and "at most 25 MB" in r.stderr, r.stderr
    after = json.loads(run(db, "request", "list", "--view", "all", "--json").stdout)
    assert after == before


def test_list_search_and_filters(db: Path) -> None:
    r = run(db, "request", "add", "--patient", "Chloé Filterby", "--dob", "1990-01-01",
            "--received", "2026-02-02", "--scope", "labs", "--requester-kind",
            "personal_representative", "--requester-name", "Pat", "--authority", "executor",
            "--json")  # fmt: skip
    rid = json.loads(r.stdout)["id"]
    r = run(db, "request", "list", "--view", "all", "--search", "CHLOE", "--requester-kind",
            "personal_representative", "--json")  # fmt: skip
    assert [x["id"] for x in json.loads(r.stdout)] == [rid]
    r = run(db, "request", "list", "--status", "bogus")
    assert r.returncode == 2 and "not a status" in r.stderr
    r = run(db, "request", "reminders", "--as-of", "2026-02-27", "--json")
    assert r.returncode == 0 and "Today:" in json.loads(r.stdout)["text"]
