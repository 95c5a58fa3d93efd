"""Fees: allowed components and methods, forbidden charges, Ciox, unpaid bills."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accessdesk_gui.domain.errors import InvalidInput, RuleViolation
from accessdesk_gui.domain.fees import (
    CIOX_NOTE,
    FLAT_FEE_CAP,
    PAYMENT_HOLD_REASON,
    FeeComponent,
    FeeFacts,
    FeeLine,
    FeeMethod,
    StateLawCharge,
    Unit,
    check_fee_label,
    estimate_fee,
    forbidden_fee_reason,
)

D = Decimal
E_COPY = FeeFacts(phi_electronic=True, copy_electronic=True)
PAPER_COPY = FeeFacts()
MAILED_PAPER = FeeFacts(mailing_requested=True)

FORBIDDEN_LABELS = [
    "Search fee",
    "Searching for records",
    "Retrieval",
    "Record retrieval fee",
    "Review of request",
    "Reviewing the request",
    "Verification",
    "Identity verification",
    "Segregating records",
    "Documentation",
    "Processing fee",
    "Administrative fee",
    "System maintenance",
    "Storage",
    "Archive storage",
    "Capital costs",
    "Infrastructure",
]


def line(component: FeeComponent, price: str, qty: str = "1", **kw: object) -> FeeLine:
    return FeeLine(component, D(price), D(qty), **kw)  # type: ignore[arg-type]


def test_components_are_only_the_allowed_four_kinds() -> None:
    assert {c.value for c in FeeComponent} == {
        "copy_labor",
        "paper",
        "portable_media",
        "postage",
        "summary_preparation",
    }


@pytest.mark.parametrize("label", FORBIDDEN_LABELS)
def test_forbidden_labels_refused_with_citation(label: str) -> None:
    reason = forbidden_fee_reason(label)
    assert reason is not None
    assert "164.524(c)(4)" in reason and "FAQ 2025" in reason and "2016" in reason
    with pytest.raises(RuleViolation, match="cannot be charged"):
        check_fee_label(label)


@pytest.mark.parametrize(
    "label", ["Labor for copying", "Scanning 40 pages", "Postage", "USB drive", "Paper", ""]
)
def test_allowed_labels_pass(label: str) -> None:
    assert forbidden_fee_reason(label) is None
    check_fee_label(label)  # does not raise
    assert estimate_fee(
        FeeMethod.ACTUAL_COST, [line(FeeComponent.COPY_LABOR, "1.00", label=label)], PAPER_COPY
    ).total == D("1.00")


def test_actual_cost_paper_copy_mailed() -> None:
    est = estimate_fee(
        FeeMethod.ACTUAL_COST,
        [
            line(FeeComponent.COPY_LABOR, "18.00", "0.25", unit=Unit.HOUR),
            line(FeeComponent.PAPER, "0.05", "40", unit=Unit.PAGE),
            line(FeeComponent.POSTAGE, "2.105"),
        ],
        MAILED_PAPER,
    )
    assert est.total == D("8.61")  # 4.50 + 2.00 + 2.105 rounded half-up
    assert est.notes == ()


def test_average_schedule_electronic_copy_on_requested_usb() -> None:
    facts = FeeFacts(phi_electronic=True, copy_electronic=True, portable_media_requested=True)
    est = estimate_fee(
        FeeMethod.AVERAGE_SCHEDULE,
        [line(FeeComponent.COPY_LABOR, "5.00"), line(FeeComponent.PORTABLE_MEDIA, "4.00")],
        facts,
    )
    assert est.total == D("9.00")


def test_postage_refused_unless_mailing_asked() -> None:
    with pytest.raises(RuleViolation, match="mailed"):
        estimate_fee(FeeMethod.ACTUAL_COST, [line(FeeComponent.POSTAGE, "1.00")], PAPER_COPY)


def test_portable_media_refused_unless_asked() -> None:
    with pytest.raises(RuleViolation, match="asked for the copy on portable media"):
        estimate_fee(FeeMethod.ACTUAL_COST, [line(FeeComponent.PORTABLE_MEDIA, "3")], E_COPY)


def test_portable_media_refused_for_paper_copy() -> None:
    facts = FeeFacts(portable_media_requested=True)
    with pytest.raises(RuleViolation, match="electronic copy only"):
        estimate_fee(FeeMethod.ACTUAL_COST, [line(FeeComponent.PORTABLE_MEDIA, "3")], facts)


def test_paper_supplies_refused_for_electronic_copy() -> None:
    with pytest.raises(RuleViolation, match="Paper supplies"):
        estimate_fee(FeeMethod.ACTUAL_COST, [line(FeeComponent.PAPER, "1")], E_COPY)


@pytest.mark.parametrize(
    "facts",
    [
        FeeFacts(),
        FeeFacts(summary_agreed=True),
        FeeFacts(summary_fee_agreed=True),
    ],
)
def test_summary_fee_needs_agreement_to_summary_and_fee(facts: FeeFacts) -> None:
    with pytest.raises(RuleViolation, match=r"164.524\(c\)\(2\)\(iii\)"):
        estimate_fee(FeeMethod.ACTUAL_COST, [line(FeeComponent.SUMMARY_PREPARATION, "20")], facts)


def test_summary_fee_accepted_when_agreed() -> None:
    facts = FeeFacts(summary_agreed=True, summary_fee_agreed=True)
    est = estimate_fee(FeeMethod.ACTUAL_COST, [line(FeeComponent.SUMMARY_PREPARATION, "20")], facts)
    assert est.total == D("20.00")


def test_no_per_page_fee_for_electronically_kept_phi() -> None:
    # Even a paper copy of e-PHI may not be priced per page.
    facts = FeeFacts(phi_electronic=True, copy_electronic=False)
    with pytest.raises(RuleViolation, match="per-page"):
        estimate_fee(
            FeeMethod.AVERAGE_SCHEDULE,
            [line(FeeComponent.COPY_LABOR, "0.10", "100", unit=Unit.PAGE)],
            facts,
        )


def test_per_page_fee_allowed_for_paper_records() -> None:
    est = estimate_fee(
        FeeMethod.AVERAGE_SCHEDULE,
        [line(FeeComponent.COPY_LABOR, "0.10", "100", unit=Unit.PAGE)],
        PAPER_COPY,
    )
    assert est.total == D("10.00")


def test_flat_fee_up_to_cap_for_electronic_copy_of_ephi() -> None:
    est = estimate_fee(FeeMethod.FLAT_FEE, [line(FeeComponent.COPY_LABOR, "6.50")], E_COPY)
    assert est.total == FLAT_FEE_CAP == D("6.50")
    assert any("all-inclusive" in n for n in est.notes)


@pytest.mark.parametrize(
    "facts",
    [
        FeeFacts(),
        FeeFacts(phi_electronic=True),  # paper copy of e-PHI
        FeeFacts(copy_electronic=True),  # scanned paper records
    ],
)
def test_flat_fee_only_for_electronic_copy_of_ephi(facts: FeeFacts) -> None:
    with pytest.raises(RuleViolation, match="flat fee may be used only"):
        estimate_fee(FeeMethod.FLAT_FEE, [line(FeeComponent.COPY_LABOR, "5.00")], facts)


def test_flat_fee_is_all_inclusive() -> None:
    facts = FeeFacts(phi_electronic=True, copy_electronic=True, mailing_requested=True)
    with pytest.raises(RuleViolation, match=r"may not exceed \$6.50"):
        estimate_fee(
            FeeMethod.FLAT_FEE,
            [line(FeeComponent.COPY_LABOR, "5.00"), line(FeeComponent.POSTAGE, "1.51")],
            facts,
        )


@given(
    st.decimals(
        min_value=D("6.51"), max_value=D("100000"), places=2, allow_nan=False, allow_infinity=False
    )
)
def test_any_flat_fee_above_cap_refused(amount: Decimal) -> None:
    with pytest.raises(RuleViolation, match="flat fee may not exceed"):
        estimate_fee(FeeMethod.FLAT_FEE, [FeeLine(FeeComponent.COPY_LABOR, amount)], E_COPY)


@given(st.decimals(min_value=D("0"), max_value=D("6.50"), places=2))
def test_any_flat_fee_within_cap_accepted(amount: Decimal) -> None:
    est = estimate_fee(FeeMethod.FLAT_FEE, [FeeLine(FeeComponent.COPY_LABOR, amount)], E_COPY)
    assert est.total == amount


@given(
    label=st.sampled_from(FORBIDDEN_LABELS),
    prefix=st.sampled_from(["", "Fee: ", "records ", "RUSH "]),
    upper=st.booleans(),
    method=st.sampled_from(list(FeeMethod)),
    component=st.sampled_from(list(FeeComponent)),
)
def test_any_estimate_with_forbidden_label_refused(
    label: str, prefix: str, upper: bool, method: FeeMethod, component: FeeComponent
) -> None:
    text = prefix + (label.upper() if upper else label)
    facts = FeeFacts(
        phi_electronic=True,
        copy_electronic=True,
        mailing_requested=True,
        portable_media_requested=True,
        summary_agreed=True,
        summary_fee_agreed=True,
    )
    with pytest.raises(RuleViolation, match="cannot be charged"):
        estimate_fee(method, [FeeLine(component, D("1.00"), label=text)], facts)


def test_inspection_is_free() -> None:
    facts = FeeFacts(inspection_only=True)
    with pytest.raises(RuleViolation, match="Inspection is free"):
        estimate_fee(FeeMethod.ACTUAL_COST, [line(FeeComponent.COPY_LABOR, "0.01")], facts)
    assert estimate_fee(FeeMethod.ACTUAL_COST, [], facts).total == D("0.00")


@pytest.mark.parametrize(
    ("price", "qty"), [("-1", "1"), ("1", "-2"), ("NaN", "1"), ("Infinity", "1")]
)
def test_bad_amounts_are_invalid_input(price: str, qty: str) -> None:
    with pytest.raises(InvalidInput):
        estimate_fee(FeeMethod.ACTUAL_COST, [line(FeeComponent.COPY_LABOR, price, qty)], PAPER_COPY)


def test_float_money_is_refused() -> None:
    with pytest.raises(InvalidInput, match="amount of money"):
        estimate_fee(
            FeeMethod.ACTUAL_COST,
            [FeeLine(FeeComponent.COPY_LABOR, 1.5)],  # type: ignore[arg-type]
            PAPER_COPY,
        )


# --- Ciox: third-party directives ------------------------------------------------------

THIRD_PARTY = FeeFacts(phi_electronic=True, copy_electronic=True, third_party_directive=True)


def test_third_party_directive_relaxes_limits_with_note() -> None:
    est = estimate_fee(
        FeeMethod.FLAT_FEE,
        [line(FeeComponent.COPY_LABOR, "25.00")],
        THIRD_PARTY,
        [StateLawCharge("Retrieval fee (state law)", D("15.00"))],
    )
    assert est.total == D("40.00")
    assert est.notes == (CIOX_NOTE,)
    assert "state law" in CIOX_NOTE and "164.524(c)(4)" in CIOX_NOTE


def test_state_law_charges_refused_for_patients_own_request() -> None:
    with pytest.raises(RuleViolation, match="third-party directive"):
        estimate_fee(
            FeeMethod.ACTUAL_COST, [], PAPER_COPY, [StateLawCharge("Retrieval", D("15.00"))]
        )


# --- unpaid bills -------------------------------------------------------------------------


def test_the_estimate_says_an_unpaid_bill_never_holds_the_request() -> None:
    assert "unpaid bill" in PAYMENT_HOLD_REASON and "3.7" in PAYMENT_HOLD_REASON
