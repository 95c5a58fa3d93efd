"""State fee rules: the lower of the state's limit and 164.524(c)(4) applies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accessdesk_gui.domain import intake as di
from accessdesk_gui.domain.deadlines import Mark
from accessdesk_gui.domain.errors import RuleViolation
from accessdesk_gui.domain.fees import (
    STATE_FEE_RULES,
    FeeComponent,
    FeeFacts,
    FeeLine,
    FeeMethod,
    PageTier,
    StateLawCharge,
    Unit,
    asks_about_benefit_claim,
    estimate_fee,
    fee_rule_by_code,
    state_fee_rules,
    tiered_cap,
)

D = Decimal
PAPER = FeeFacts(phi_electronic=False)
E_COPY = FeeFacts(phi_electronic=True, copy_electronic=True)


def per_page(price: str, pages: int) -> list[FeeLine]:
    return [FeeLine(FeeComponent.COPY_LABOR, D(price), D(pages), Unit.PAGE)]


def flat(amount: str) -> list[FeeLine]:
    return [FeeLine(FeeComponent.COPY_LABOR, D(amount))]


def est(state: str, lines: list[FeeLine], facts: FeeFacts, **kw: object) -> Decimal:
    return estimate_fee(FeeMethod.ACTUAL_COST, lines, facts, state=state, **kw).total  # type: ignore[arg-type]


def test_every_fee_rule_has_a_citation_a_mark_and_a_notice_line() -> None:
    assert {r.state for r in STATE_FEE_RULES} == {"NY", "CT", "KY", "WA", "VA", "LA"}
    for rule in STATE_FEE_RULES:
        assert rule.source and rule.summary and rule.mark in Mark
        assert fee_rule_by_code(rule.code.lower()) is rule


# -- New York ---------------------------------------------------------------------------------


def test_new_york_paper_copy_at_seventy_five_cents_a_page_is_allowed() -> None:
    assert est("NY", per_page("0.75", 40), PAPER) == D("30.00")


def test_new_york_refuses_more_than_seventy_five_cents_a_page() -> None:
    with pytest.raises(RuleViolation, match=r"at most \$30.00 in NY.*18\(2\)\(e\)"):
        est("NY", per_page("0.76", 40), PAPER)


def test_new_york_postage_is_not_part_of_the_page_cap() -> None:
    lines = [*per_page("0.75", 10), FeeLine(FeeComponent.POSTAGE, D("1.50"))]
    facts = FeeFacts(phi_electronic=False, mailing_requested=True)
    assert est("NY", lines, facts) == D("9.00")


def test_new_york_benefit_claim_copy_is_free() -> None:
    with pytest.raises(RuleViolation, match="benefit claim"):
        est("NY", per_page("0.10", 10), FeeFacts(phi_electronic=False, benefit_claim=True))
    assert est("NY", [], FeeFacts(phi_electronic=False, benefit_claim=True)) == 0


def test_the_state_cap_never_raises_the_federal_limit() -> None:
    # NY allows per-page fees, HIPAA does not for records kept electronically: refused.
    with pytest.raises(RuleViolation, match="No per-page fees"):
        est("NY", per_page("0.50", 10), FeeFacts(phi_electronic=True))


# -- Connecticut ------------------------------------------------------------------------------


def test_connecticut_sixty_five_cents_a_page_includes_postage() -> None:
    facts = FeeFacts(phi_electronic=False, mailing_requested=True, pages=20)
    ok = [FeeLine(FeeComponent.COPY_LABOR, D("11.00")), FeeLine(FeeComponent.POSTAGE, D("2.00"))]
    assert est("CT", ok, facts) == D("13.00")
    over = [FeeLine(FeeComponent.COPY_LABOR, D("11.01")), FeeLine(FeeComponent.POSTAGE, D("2"))]
    with pytest.raises(RuleViolation, match=r"everything included, at most \$13.00"):
        est("CT", over, facts)


def test_connecticut_social_security_claim_is_free() -> None:
    with pytest.raises(RuleViolation, match="20-7c"):
        est("CT", flat("1.00"), FeeFacts(benefit_claim=True, pages=5))


# -- Kentucky ---------------------------------------------------------------------------------


def test_kentucky_first_copy_is_free_and_a_second_may_be_charged() -> None:
    with pytest.raises(RuleViolation, match=r"first copy is free.*422\.317"):
        est("KY", flat("5.00"), E_COPY)
    assert est(
        "KY", flat("5.00"), FeeFacts(phi_electronic=True, copy_electronic=True, earlier_copy=True)
    ) == D("5.00")


# -- Washington -------------------------------------------------------------------------------


def test_washington_one_free_copy_for_an_ssi_ssdi_appeal() -> None:
    first = FeeFacts(phi_electronic=True, copy_electronic=True, benefit_claim=True)
    with pytest.raises(RuleViolation, match=r"70\.02\.030"):
        est("WA", flat("5.00"), first)
    again = FeeFacts(
        phi_electronic=True, copy_electronic=True, benefit_claim=True, earlier_copy=True
    )
    assert est("WA", flat("5.00"), again) == D("5.00")


def test_washington_forbids_what_hipaa_forbids_even_for_a_third_party() -> None:
    directive = FeeFacts(phi_electronic=True, copy_electronic=True, third_party_directive=True)
    with pytest.raises(RuleViolation, match="cannot be charged"):
        estimate_fee(
            FeeMethod.ACTUAL_COST,
            flat("5"),
            directive,
            [StateLawCharge("Retrieval fee", D("20"))],
            state="WA",
        )
    # Elsewhere state law governs a directive's fee (Ciox).
    ok = estimate_fee(
        FeeMethod.ACTUAL_COST,
        flat("5"),
        directive,
        [StateLawCharge("Retrieval fee", D("20"))],
        state="OR",
    )
    assert ok.total == D("25.00")


# -- Virginia ---------------------------------------------------------------------------------


def test_virginia_free_benefit_copy_starts_on_2025_07_01() -> None:
    facts = FeeFacts(phi_electronic=True, copy_electronic=True, benefit_claim=True)
    assert est("VA", flat("5"), facts, received=dt.date(2025, 6, 30)) == D("5.00")
    with pytest.raises(RuleViolation, match="VA"):
        est("VA", flat("5"), facts, received=dt.date(2025, 7, 1))
    assert state_fee_rules("VA")[0].verify_before_relying


def test_virginia_estimate_notes_say_verify_before_relying() -> None:
    e = estimate_fee(FeeMethod.ACTUAL_COST, flat("5"), E_COPY, state="VA")
    assert any("Verify before relying" in n for n in e.notes)


# -- Louisiana --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pages", "cap"),
    [(1, "1.00"), (25, "25.00"), (26, "25.50"), (350, "187.50"), (351, "187.75")],
)
def test_louisiana_paper_tiers_at_their_edges(pages: int, cap: str) -> None:
    tiers = state_fee_rules("LA")[0].paper_tiers
    assert tiered_cap(tiers, pages) == D(cap)


def test_louisiana_paper_records_cap_includes_twenty_five_dollars_handling() -> None:
    facts = FeeFacts(phi_electronic=False, pages=30)  # 25 + 5 * 0.50 = 27.50; + 25 handling
    assert est("LA", flat("52.50"), facts) == D("52.50")
    with pytest.raises(RuleViolation, match=r"40:1165\.1"):
        est("LA", flat("52.51"), facts)


def test_louisiana_electronic_records_at_most_one_hundred_dollars() -> None:
    # A directive (Ciox: state law governs) is where a $100 charge could arise.
    directive = FeeFacts(phi_electronic=True, copy_electronic=True, third_party_directive=True)
    charge = [StateLawCharge("Copy of the record", D("100.01"))]
    with pytest.raises(RuleViolation, match=r"at most \$100.00"):
        estimate_fee(FeeMethod.ACTUAL_COST, [], directive, charge, state="LA")


def test_louisiana_social_security_claim_rate() -> None:
    facts = FeeFacts(phi_electronic=False, benefit_claim=True, pages=10)  # 2.50 + 1.25
    assert est("LA", flat("3.75"), facts) == D("3.75")
    with pytest.raises(RuleViolation, match="46:18"):
        est("LA", flat("3.76"), facts)


@given(st.integers(0, 2000))
def test_tiered_cap_grows_with_each_page_by_the_tier_price(pages: int) -> None:
    tiers = (PageTier(25, D("1.00")), PageTier(350, D("0.50")), PageTier(None, D("0.25")))
    step = tiered_cap(tiers, pages + 1) - tiered_cap(tiers, pages)
    expected = D("1.00") if pages < 25 else D("0.50") if pages < 350 else D("0.25")
    assert step == expected


# -- intake --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "asks"),
    [
        ("NY", True),
        ("CT", True),
        ("WA", True),
        ("VA", True),
        ("LA", True),
        ("KY", False),
        ("OR", False),
        ("TX", False),
    ],
)
def test_intake_asks_about_a_benefit_claim_where_the_state_makes_it_free(
    state: str, asks: bool
) -> None:
    assert asks_about_benefit_claim(state) is asks


def test_intake_benefit_claim_reaches_the_fee_facts() -> None:
    intake = di.Intake(
        patient_name="Ana Diaz",
        patient_dob=dt.date(1980, 1, 1),
        received=dt.date(2026, 3, 2),
        requester_kind=di.RequesterKind.INDIVIDUAL,
        scope="all",
        access=di.AccessKind.COPY,
        format=di.Format.PAPER,
        delivery=di.Delivery.PICKUP,
        benefit_claim=True,
        earlier_copy=True,
    )
    facts = di.fee_facts(intake)
    assert facts.benefit_claim and facts.earlier_copy
