"""The fee schedule a practice publishes (access-rules 3.6), as a printable PDF.

Plain data in (the letterhead, the practice's state, its fee method and, for a schedule of
average costs, its items), PDF bytes out. Uses the DRS policy's letterhead, fonts and page
layout (letters/drs_policy.py) so the two printed documents look alike.

What it says comes from the rules: the method (HHS FAQ 2029-2030), what may and may never be
charged (45 CFR 164.524(c)(4); HHS guidance 2016; FAQ 2025), and the state's own fee rules
(domain/fees.py STATE_FEE_RULES; the lower of the state limit and the federal one applies).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from reportlab.platypus import Flowable, KeepTogether, Spacer

from accessdesk_gui.domain.fees import (
    BENEFIT_CLAIM_QUESTION,
    COMPONENT_LABELS,
    FLAT_FEE_CAP,
    FeeComponent,
    FeeMethod,
    Unit,
    asks_about_benefit_claim,
    state_fee_rules,
)

# The policy's private building blocks are shared on purpose: one look for printed documents.
from accessdesk_gui.letters.drs_policy import (
    _H,
    _SUBTITLE,
    _TITLE,
    _p,
    _rich,
    _table,
    build_pdf,
)
from accessdesk_gui.letters.model import Letterhead

PDF_TITLE = "Fees for copies of health records"

NEVER_CHARGED = (
    "searching for or retrieving the records",
    "reviewing the request or verifying identity",
    "gathering, segregating or preparing the records",
    "documentation, system maintenance, storage or other overhead",
)


@dataclass(frozen=True)
class ScheduleItem:
    """One line of a schedule of average costs: what, at what price, per what."""

    component: FeeComponent
    price: Decimal
    unit: Unit = Unit.ITEM
    note: str = ""


def _money(value: Decimal) -> str:
    return f"${value.quantize(Decimal('0.01'))}"


_UNIT_TEXT = {Unit.ITEM: "each", Unit.PAGE: "a page", Unit.HOUR: "an hour"}


def _method_section(
    method: FeeMethod, flat_fee: Decimal | None, items: Sequence[ScheduleItem]
) -> list[Flowable]:
    out: list[Flowable] = [_p("How we work out the fee", _H)]
    if method is FeeMethod.FLAT_FEE:
        fee = flat_fee if flat_fee is not None else FLAT_FEE_CAP
        out.append(
            _p(
                f"For an electronic copy of records we keep electronically we charge a flat fee "
                f"of {_money(fee)}, which covers everything: labor, supplies and postage. For "
                "any other copy we charge our actual cost of the items listed below."
            )
        )
    elif method is FeeMethod.AVERAGE_SCHEDULE:
        out.append(
            _p(
                "We charge from this schedule of our average costs. A per-page price applies "
                "only to copies of records we keep on paper."
            )
        )
        rows = [
            (COMPONENT_LABELS[i.component], f"{_money(i.price)} {_UNIT_TEXT[i.unit]}", i.note)
            for i in items
        ]
        out.append(_table(("Item", "Price", "Note"), rows or [("—", "—", "")], (3, 2, 3)))
    else:
        out.append(
            _p(
                "We charge our actual cost of making your copy, worked out for each request "
                "from the items listed below."
            )
        )
    return out


def _story(
    practice: str,
    state: str,
    method: FeeMethod,
    flat_fee: Decimal | None,
    items: Sequence[ScheduleItem],
    printed: dt.date,
) -> list[Flowable]:
    out: list[Flowable] = [
        _p("Fees for copies of your health records", _TITLE),
        _p(f"{practice} · {state} · published {printed.isoformat()}", _SUBTITLE),
        _p(
            "You have the right to see and get a copy of your health information (45 CFR "
            "164.524). Looking at your records here is free. For a copy we may charge only a "
            "reasonable, cost-based fee, and we tell you about how much it will be before we "
            "make it. Ask us and we will list what the fee is for."
        ),
    ]
    out += _method_section(method, flat_fee, items)
    out.append(_p("What a fee may include", _H))
    allowed = [
        (COMPONENT_LABELS[FeeComponent.COPY_LABOR], "the time to copy, scan or send the copy"),
        (COMPONENT_LABELS[FeeComponent.PAPER], "for a paper copy"),
        (COMPONENT_LABELS[FeeComponent.PORTABLE_MEDIA], "only if you ask for one"),
        (COMPONENT_LABELS[FeeComponent.POSTAGE], "only if you ask us to mail the copy"),
        (
            COMPONENT_LABELS[FeeComponent.SUMMARY_PREPARATION],
            "only if you agreed to a summary and to its fee beforehand",
        ),
    ]
    out.append(_table(("Item", "When"), allowed, (3, 5)))
    out.append(_p("What we never charge for", _H))
    out.append(
        _p(
            "We never charge for "
            + "; ".join(NEVER_CHARGED)
            + ". We never hold back your records because of an unpaid bill for care."
        )
    )
    rules = state_fee_rules(state)
    if rules:
        out.append(_p(f"State law ({state})", _H))
        out.append(
            _p(
                "Where the law of our state sets a lower limit, the lower amount applies "
                "(45 CFR 160.203)."
            )
        )
        out.append(_table(("Rule", "Law"), [(r.summary, r.source) for r in rules], (5, 3)))
        out.append(Spacer(1, 6))
    if asks_about_benefit_claim(state):
        out.append(
            _p(
                f"{BENEFIT_CLAIM_QUESTION} Tell us when you ask: in {state} such a copy is "
                "free or costs less."
            )
        )
    # Last, and kept on one page with nothing left dangling (Ciox; access-rules 3.8).
    out.append(
        KeepTogether(
            _rich(
                "<b>Copies sent to someone else.</b> When you direct us to send an electronic "
                "copy to another person, state law sets the fee for it; we tell you the amount "
                "first."
            )
        )
    )
    return out


def render_fee_notice(
    letterhead: Letterhead,
    state: str,
    method: FeeMethod,
    flat_fee: Decimal | None = None,
    items: Sequence[ScheduleItem] = (),
    printed: dt.date | None = None,
) -> bytes:
    """The practice's fee notice as PDF bytes (same input, same bytes)."""
    day = printed or dt.date.today()
    return build_pdf(
        lambda: _story(letterhead.name, state.upper(), method, flat_fee, items, day),
        letterhead,
        PDF_TITLE,
        PDF_TITLE,
    )
