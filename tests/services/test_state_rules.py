"""State rules at the practice: marking a rule verified (audited), and state fee rules
reaching the fee estimate through the intake's benefit-claim question."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from accessdesk_gui.domain.deadlines import AccessKind, Mark
from accessdesk_gui.domain.errors import InvalidInput, RuleViolation
from accessdesk_gui.domain.fees import FeeComponent, FeeLine, FeeMethod
from accessdesk_gui.domain.intake import Delivery, Format
from accessdesk_gui.domain.roles import Role
from accessdesk_gui.services import auth, practice, requests, state_rules
from accessdesk_gui.services import desk as desk_service
from accessdesk_gui.services.errors import NotFound, PermissionDenied
from accessdesk_gui.store import audit
from accessdesk_gui.store.db import Store
from accessdesk_gui.store.models import AuditEntry
from tests.conftest import PASSWORD, make_intake

AGAINST = "La. R.S. 46:18(B), legis.la.gov, read 2026-12-02"
LATER = dt.datetime(2026, 12, 3, 9, 0)


def office(store: Store, state: str) -> tuple[auth.Actor, auth.Actor]:
    officer = practice.set_up(
        store,
        practice.PracticeInfo("Clinic", "1 Main St\nTown", "555-010-0199", state),
        "admin",
        "Ada Admin",
        PASSWORD,
    )
    desk = auth.add_user(store, officer, "desk", "Dee Desk", PASSWORD, {Role.FRONT_DESK})
    return officer, desk


def test_a_rule_marked_s_says_verify_until_the_privacy_officer_checks_it(store) -> None:
    officer, desk = office(store, "LA")
    (la,) = [r for r in state_rules.list_rules(store, desk, "LA") if r.code == "LA-ANY"]
    assert la.mark is Mark.SECONDARY and la.verify_before_relying
    assert "Verify before relying" in la.caution()

    done = state_rules.verify_rule(store, officer, "la-any", AGAINST, now=LATER)
    assert not done.verify_before_relying
    again = state_rules.rule_status(store, desk, "LA-ANY")
    assert again.verification is not None
    assert (again.verification.by, again.verification.at, again.verification.against) == (
        "Ada Admin",
        LATER,
        AGAINST,
    )
    assert "Verified by Ada Admin on 2026-12-03" in again.caution()


def test_the_check_and_its_audit_entry_commit_together(store) -> None:
    officer, _ = office(store, "LA")
    state_rules.verify_rule(store, officer, "LA-ANY", AGAINST, now=LATER)
    with store.read() as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "state_rule_verified")
        ).one()
        assert (entry.username, entry.entity, entry.entity_id) == ("admin", "state_rule", "LA-ANY")
        assert AGAINST in entry.after and "La. R.S. 40:1165.1" in entry.after
        assert audit.verify(s).ok


def test_only_the_privacy_officer_marks_a_rule_verified(store) -> None:
    _, desk = office(store, "LA")
    with pytest.raises(PermissionDenied, match="privacy_officer"):
        state_rules.verify_rule(store, desk, "LA-ANY", AGAINST)
    assert state_rules.rule_status(store, desk, "LA-ANY").verify_before_relying
    with store.read() as s:
        assert s.execute(text("SELECT count(*) FROM rule_verifications")).scalar() == 0


@pytest.mark.parametrize(("code", "against", "error"), [
    ("XX-NONE", AGAINST, NotFound),
    ("LA-ANY", "   ", InvalidInput),
    ("LA-ANY", "checked", InvalidInput),
])  # fmt: skip
def test_a_check_names_a_known_rule_and_the_text(store, code, against, error) -> None:
    officer, _ = office(store, "LA")
    with pytest.raises(error):
        state_rules.verify_rule(store, officer, code, against)


def test_a_later_check_supersedes_and_both_are_kept(store) -> None:
    officer, desk = office(store, "CA")
    state_rules.verify_rule(store, officer, "CA-COPY", "HSC 123110 (2024 text), leginfo", now=LATER)
    state_rules.verify_rule(
        store, officer, "CA-COPY", "HSC 123110 (2026 text), leginfo", now=LATER.replace(day=4)
    )
    status = state_rules.rule_status(store, desk, "CA-COPY")
    assert status.verification is not None and "2026 text" in status.verification.against
    with store.read() as s:
        assert s.execute(text("SELECT count(*) FROM rule_verifications")).scalar() == 2
    with pytest.raises(Exception, match="six years"), store.write() as s:
        s.execute(text("DELETE FROM rule_verifications"))


def test_request_json_names_the_due_rule_with_citation_and_mark(store) -> None:
    _, desk = office(store, "TX")
    rid = requests.log_request(
        store,
        desk,
        make_intake(received=dt.date(2026, 3, 2), format=Format.PAPER, delivery=Delivery.PICKUP),
    )
    d = requests.get_request(store, desk, rid, today=dt.date(2026, 3, 3))
    assert d.effective_due == dt.date(2026, 3, 23)
    rule = d.to_json()["due_rule"]
    assert rule["code"] == "TX-PHYSICIAN"
    assert rule["citation"] == "Tex. Occ. Code 159.006(d)" and rule["mark"] == "V"
    assert state_rules.rule_for_source(store, desk, d.due_source).code == "TX-PHYSICIAN"


def test_a_federal_due_date_names_the_federal_rule(store) -> None:
    _, desk = office(store, "OR")
    rid = requests.log_request(store, desk, make_intake(access=AccessKind.COPY))
    rule = requests.get_request(store, desk, rid).to_json()["due_rule"]
    assert rule["code"] == "FEDERAL" and "164.524" in rule["citation"]
    assert state_rules.rule_for_source(store, desk, "45 CFR 164.524(b)(2)(i)") is None


def _labor(amount: str) -> list[FeeLine]:
    return [FeeLine(FeeComponent.COPY_LABOR, Decimal(amount))]


def test_a_new_york_benefit_claim_copy_cannot_be_charged(store) -> None:
    _, desk = office(store, "NY")
    rid = requests.log_request(store, desk, make_intake(benefit_claim=True))
    with pytest.raises(RuleViolation, match=r"benefit claim.*18\(2\)\(e\)"):
        desk_service.estimate(
            store, desk, rid, FeeMethod.FLAT_FEE, _labor("6.50"), dt.date(2026, 2, 1)
        )
    other = requests.log_request(store, desk, make_intake(patient_name="Bo Other"))
    est = desk_service.estimate(
        store, desk, other, FeeMethod.FLAT_FEE, _labor("6.50"), dt.date(2026, 2, 1)
    )
    assert est.total == Decimal("6.50")
    assert any("N.Y. Pub. Health Law 18(2)(e)" in n for n in est.notes)


def test_kentucky_first_copy_free_unless_an_earlier_copy_was_given(store) -> None:
    _, desk = office(store, "KY")
    first = requests.log_request(store, desk, make_intake())
    with pytest.raises(RuleViolation, match="first copy is free"):
        desk_service.estimate(
            store, desk, first, FeeMethod.FLAT_FEE, _labor("6.50"), dt.date(2026, 2, 1)
        )
    second = requests.log_request(
        store, desk, make_intake(patient_name="Bo Other", earlier_copy=True)
    )
    est = desk_service.estimate(
        store, desk, second, FeeMethod.FLAT_FEE, _labor("6.50"), dt.date(2026, 2, 1)
    )
    assert est.total == Decimal("6.50")
    assert requests.get_request(store, desk, second).fee_total == "6.50"


def test_the_demo_offers_a_texas_practice_with_the_shorter_rule(tmp_path) -> None:
    from accessdesk_gui.services import demo

    today = dt.date(2026, 6, 15)
    store = demo.build_demo_store(tmp_path / "demo.sqlite", today=today, state="TX")
    try:
        actor = auth.login(store, demo.DEMO_USER, demo.DEMO_PASSWORD)
        assert practice.get_practice(store).state == "TX"
        rows = requests.list_requests(
            store, actor, requests.Query(view=requests.View.ALL, today=today)
        )
        details = [requests.get_request(store, actor, r.id, today=today) for r in rows]
        texas = [d for d in details if d.due_source == "Tex. Occ. Code 159.006(d)"]
        assert texas and all(d.effective_due < d.original_due for d in texas)
    finally:
        store.close()
