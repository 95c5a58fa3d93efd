"""`accessdesk settings rules / verify-rule / fee-notice` and the due rule in
`request show --json`, run as a script would (subprocesses)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.cli.test_cli import add, run


@pytest.fixture(scope="module")
def la(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("state") / "store.sqlite"
    r = run(path, "init", "--practice-name", "Bayou Clinic", "--address", "12 Canal St",
            "--phone", "555-010-0100", "--state", "LA", "--admin-name", "Ada Admin")  # fmt: skip
    assert r.returncode == 0, r.stderr
    return path


def test_rules_lists_the_practice_states_rules_with_marks(la: Path) -> None:
    r = run(la, "settings", "rules", "--json")
    assert r.returncode == 0, r.stderr
    rules = {x["code"]: x for x in json.loads(r.stdout)["rules"]}
    assert set(rules) == {"LA-ANY", "LA-FEE"}
    assert rules["LA-ANY"]["mark"] == "S" and rules["LA-ANY"]["verify_before_relying"]
    assert rules["LA-FEE"]["mark"] == "V" and not rules["LA-FEE"]["verify_before_relying"]


def test_montana_is_listed_as_not_encoded_with_its_reason(la: Path) -> None:
    r = run(la, "settings", "rules", "--state", "MT", "--json")
    data = json.loads(r.stdout)
    assert data["rules"] == []
    assert "covered entit" in data["not_encoded"][0]["reason"]


def test_request_show_json_names_the_rule_citation_and_mark(la: Path) -> None:
    rid = add(la, "--benefit-claim")
    r = run(la, "request", "show", str(rid), "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["effective_due"] == "2026-02-15"  # received 2026-01-31 + 15 days
    assert d["due_rule"]["code"] == "LA-ANY"
    assert d["due_rule"]["citation"].startswith("La. R.S. 40:1165.1")
    assert d["due_rule"]["mark"] == "S"


def test_verify_rule_records_the_check_and_refuses_a_vague_one(la: Path) -> None:
    r = run(la, "settings", "verify-rule", "LA-ANY", "--against", "looked")
    assert r.returncode == 2 and "name the text checked" in r.stderr
    against = "La. R.S. 46:18(B), legis.la.gov, read 2026-12-02"
    r = run(la, "settings", "verify-rule", "la-any", "--against", against, "--json")
    assert r.returncode == 0, r.stderr
    done = json.loads(r.stdout)
    assert done["verified"]["by"] == "Ada Admin" and done["verified"]["against"] == against
    assert not done["verify_before_relying"]
    r = run(la, "audit", "verify")
    assert r.returncode == 0, r.stderr


def test_fee_notice_prints_the_method_and_the_states_rules(la: Path, tmp_path: Path) -> None:
    out = tmp_path / "fees.pdf"
    r = run(la, "settings", "fee-notice", "--out", str(out), "--method", "flat_fee",
            "--flat-fee", "6.50")  # fmt: skip
    assert r.returncode == 0, r.stderr
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages)
    text = " ".join(text.split())
    assert "flat fee of $6.50" in text
    assert "La. R.S. 40:1165.1(A)(2)(b)(i)" in text
    assert "Is this copy for a benefit claim or appeal?" in text
    assert "We never charge for searching" in text


def test_fee_notice_refuses_a_flat_fee_above_the_cap(la: Path, tmp_path: Path) -> None:
    r = run(la, "settings", "fee-notice", "--out", str(tmp_path / "x.pdf"), "--method",
            "flat_fee", "--flat-fee", "7.00")  # fmt: skip
    assert r.returncode == 2 and "6.50" in r.stderr


def test_request_add_refuses_a_fee_above_the_state_limit_and_saves_nothing(la: Path) -> None:
    before = len(json.loads(run(la, "request", "list", "--view", "all", "--json").stdout))
    r = run(la, "request", "add", "--patient", "Ana Diaz", "--dob", "1980-01-01", "--received",
            "2026-03-02", "--scope", "All", "--format", "paper", "--delivery", "pickup",
            "--paper-records", "--benefit-claim", "--fee-method", "actual_cost",
            "--fee-line", "copy_labor:1.00:10:page")  # fmt: skip
    assert r.returncode == 2 and "46:18" in r.stderr
    after = len(json.loads(run(la, "request", "list", "--view", "all", "--json").stdout))
    assert after == before


def test_part2_consent_is_recorded_for_a_directive_only(la: Path) -> None:
    own = add(la)
    r = run(la, "request", "part2-consent", str(own), "--on", "2026-02-01", "--note", "x")
    assert r.returncode == 2 and "needs none" in r.stderr
    directive = add(la, "--requester-kind", "third_party_directive", "--directive-recipient",
                    "Lakeside Law", patient="Bo Directive")  # fmt: skip
    r = run(la, "request", "part2-consent", str(directive), "--on", "2026-02-01", "--note",
            "Signed Part 2 consent naming Lakeside Law", "--json")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["part2_consent_on"] == "2026-02-01"
