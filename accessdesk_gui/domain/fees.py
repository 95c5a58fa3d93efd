"""Fees for copies: what may be charged, by which method, and what never may.

45 CFR 164.524(c)(4) allows a reasonable, cost-based fee for a copy (or an
agreed summary) made up only of: labor for copying; supplies (paper, or
portable media the patient asked for); postage when mailing was asked for;
preparing an agreed summary (access-rules 3.1-3.2). Anything else (search,
retrieval, review of the request, verification, ...) is never chargeable
(access-rules 3.3; HHS guidance 2016 "G16"; FAQ 2025). Those items are not in
:class:`FeeComponent` at all; :func:`forbidden_fee_reason` recognises them in
free-text labels so the user is told why.

Money is :class:`~decimal.Decimal`, rounded to cents half-up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from accessdesk_gui.domain.errors import InvalidInput, RuleViolation

CENT = Decimal("0.01")
FLAT_FEE_CAP = Decimal("6.50")  # FAQ 2029, 2030: all-inclusive, electronic copies of e-PHI


class FeeComponent(StrEnum):
    """The only things a fee may cover (164.524(c)(4))."""

    COPY_LABOR = "copy_labor"  # once records are gathered: copy, scan, convert, upload, mail
    PAPER = "paper"  # supplies for a paper copy (paper, toner)
    PORTABLE_MEDIA = "portable_media"  # only when the patient asked for it
    POSTAGE = "postage"  # only when the patient asked for mailing
    SUMMARY_PREPARATION = "summary_preparation"  # only for an agreed summary and fee


COMPONENT_LABELS = {
    FeeComponent.COPY_LABOR: "Labor for copying",
    FeeComponent.PAPER: "Supplies: paper and toner",
    FeeComponent.PORTABLE_MEDIA: "Supplies: portable media (CD, USB drive)",
    FeeComponent.POSTAGE: "Postage",
    FeeComponent.SUMMARY_PREPARATION: "Preparing the agreed summary",
}


class FeeMethod(StrEnum):
    ACTUAL_COST = "actual_cost"
    AVERAGE_SCHEDULE = "average_schedule"  # a published schedule of average costs
    FLAT_FEE = "flat_fee"  # at most $6.50, electronic copies of e-PHI only


class Unit(StrEnum):
    ITEM = "item"
    PAGE = "page"
    HOUR = "hour"


# ---------------------------------------------------------------------------
# Forbidden charges, recognised in free text
# ---------------------------------------------------------------------------

_G16 = "HHS right-of-access guidance (2016); HHS FAQ 2025; access-rules 3.3"

_FORBIDDEN: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("searching for the records", r"\bsearch\w*|\blocat(?:e|ing)\b"),
        ("retrieving the records", r"\bretriev\w*|\bpull(?:ing)?\s+(?:the\s+)?(?:chart|file)"),
        ("reviewing the request", r"\breview\w*"),
        ("verifying identity or authority", r"\bverif\w*|\bidentity\s+check"),
        ("segregating or preparing the records", r"\bsegregat\w*|\bcompil\w*|\bcollat\w*"),
        ("documentation", r"\bdocumentation\b"),
        ("processing the request", r"\bprocess(?:ing)?\b|\badmin(?:istrative)?\b"),
        ("system maintenance", r"\bmaintenance\b|\bmaintain\w*"),
        ("storage", r"\bstorage\b|\bstoring\b|\barchiv\w*"),
        ("capital or infrastructure costs", r"\bcapital\b|\binfrastructure\b"),
    )
)


def forbidden_fee_reason(label: str) -> str | None:
    """Why a fee with this label may not be charged; None if it names nothing forbidden."""
    text = label.casefold()
    for name, pattern in _FORBIDDEN:
        if pattern.search(text):
            return (
                f"'{label.strip()}' cannot be charged: a fee for access may not include "
                f"{name}, even where state law allows it. Only labor for copying, supplies, "
                f"postage and an agreed summary may be charged (45 CFR 164.524(c)(4); {_G16})."
            )
    return None


def check_fee_label(label: str) -> None:
    reason = forbidden_fee_reason(label)
    if reason is not None:
        raise RuleViolation(reason)


# ---------------------------------------------------------------------------
# Estimates
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FeeLine:
    component: FeeComponent
    unit_price: Decimal
    quantity: Decimal = Decimal(1)
    unit: Unit = Unit.ITEM
    label: str = ""

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class FeeFacts:
    """What the request asks for, as far as fees are concerned."""

    inspection_only: bool = False
    phi_electronic: bool = False  # the PHI is maintained electronically
    copy_electronic: bool = False  # the copy is delivered electronically
    mailing_requested: bool = False
    portable_media_requested: bool = False
    summary_agreed: bool = False  # 524(c)(2)(iii): agreed to a summary
    summary_fee_agreed: bool = False  # ... and, separately, to its fee
    # A directive to send an electronic copy to a third party (Ciox, access-rules 3.8).
    third_party_directive: bool = False


@dataclass(frozen=True)
class StateLawCharge:
    """A charge allowed by state law, only for third-party directives after Ciox."""

    label: str
    amount: Decimal


@dataclass(frozen=True)
class FeeEstimate:
    method: FeeMethod
    total: Decimal
    lines: tuple[FeeLine, ...]
    state_law_charges: tuple[StateLawCharge, ...] = ()
    notes: tuple[str, ...] = ()


CIOX_NOTE = (
    "Third-party directive: the fee limit of 45 CFR 164.524(c)(4) does not apply (Ciox Health "
    "v. Azar, D.D.C. 2020); state law governs this fee. Check the state's limit before charging."
)
FLAT_FEE_NOTE = (
    f"Flat fee: all-inclusive (labor, supplies, postage), at most ${FLAT_FEE_CAP} "
    "(HHS FAQ 2029, 2030)."
)


def _money(field: str, value: object) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidInput(field, "enter an amount of money, e.g. 2.50")
    if value < 0:
        raise InvalidInput(field, "an amount cannot be negative")
    return value


def _check_line(line: FeeLine, facts: FeeFacts) -> None:
    """The 524(c)(4) conditions for one line (not applied to third-party directives)."""
    check_fee_label(line.label)
    c = line.component
    if c is FeeComponent.POSTAGE and not facts.mailing_requested:
        raise RuleViolation(
            "Postage may be charged only when the patient asked for the copy to be mailed "
            "(45 CFR 164.524(c)(4)(iii))."
        )
    if c is FeeComponent.PORTABLE_MEDIA:
        if not facts.portable_media_requested:
            raise RuleViolation(
                "Portable media may be charged only when the patient asked for the copy on "
                "portable media; the patient may not be made to buy it (45 CFR "
                "164.524(c)(4)(ii); HHS FAQ 2025)."
            )
        if not facts.copy_electronic:
            raise RuleViolation("Portable media is a supply for an electronic copy only.")
    if c is FeeComponent.PAPER and facts.copy_electronic:
        raise RuleViolation("Paper supplies cannot be charged for an electronic copy.")
    if c is FeeComponent.SUMMARY_PREPARATION and not (
        facts.summary_agreed and facts.summary_fee_agreed
    ):
        raise RuleViolation(
            "Preparing a summary may be charged only if the patient agreed in advance both to "
            "the summary and to its fee (45 CFR 164.524(c)(2)(iii), (c)(4)(iv))."
        )
    if line.unit is Unit.PAGE and facts.phi_electronic:
        raise RuleViolation(
            "No per-page fees for copies of records kept electronically, on paper or "
            "electronically (HHS FAQ 2029; access-rules 3.5)."
        )


def estimate_fee(
    method: FeeMethod,
    lines: Iterable[FeeLine],
    facts: FeeFacts,
    state_law_charges: Iterable[StateLawCharge] = (),
) -> FeeEstimate:
    """Validate a fee against the request and return it, or raise RuleViolation saying why not."""
    lines = tuple(lines)
    extras = tuple(state_law_charges)
    for i, line in enumerate(lines, 1):
        _money(f"line {i} price", line.unit_price)
        _money(f"line {i} quantity", line.quantity)
    for charge in extras:
        _money(charge.label or "state-law charge", charge.amount)

    total = sum((line.amount for line in lines), Decimal(0)) + sum(
        (c.amount for c in extras), Decimal(0)
    )
    total = total.quantize(CENT, rounding=ROUND_HALF_UP)

    if facts.inspection_only:
        if total > 0:
            raise RuleViolation(
                "Inspection is free: no fee may be charged when the patient only inspects the "
                "records (HHS FAQ 2035; access-rules 2.5)."
            )
        return FeeEstimate(method, total, lines, extras)

    if facts.third_party_directive:
        return FeeEstimate(method, total, lines, extras, (CIOX_NOTE,))

    if extras:
        raise RuleViolation(
            "State-law charges are allowed only for a third-party directive; for the patient's "
            "own request the limits of 45 CFR 164.524(c)(4) apply even where state law allows "
            "more."
        )
    for line in lines:
        _check_line(line, facts)

    notes: tuple[str, ...] = ()
    if method is FeeMethod.FLAT_FEE:
        if not (facts.phi_electronic and facts.copy_electronic):
            raise RuleViolation(
                "A flat fee may be used only for an electronic copy of records kept "
                "electronically (HHS FAQ 2029, 2030); use actual or average costs instead."
            )
        if total > FLAT_FEE_CAP:
            raise RuleViolation(
                f"A flat fee may not exceed ${FLAT_FEE_CAP}, all-inclusive; this one is "
                f"${total} (HHS FAQ 2029, 2030)."
            )
        notes = (FLAT_FEE_NOTE,)
    return FeeEstimate(method, total, lines, (), notes)


# ---------------------------------------------------------------------------
# Unpaid bills (access-rules 3.7)
# ---------------------------------------------------------------------------

PAYMENT_HOLD_REASON = (
    "Access is never withheld or delayed because the patient has an unpaid bill for care; the "
    "only charge tied to a request is the fee for the copy (45 CFR 164.524(c)(4); HHS guidance "
    "2016; access-rules 3.7)."
)


def may_hold_for_payment() -> bool:
    """Whether a request may be held for an unpaid medical bill: never."""
    return False
