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

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from accessdesk_gui.domain.deadlines import VERIFY_BEFORE_RELYING, Mark
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
    # State fee rules (access-rules 11.1): the copy supports a benefit claim or appeal (Social
    # Security, SSI/SSDI, a needs-based or other government benefit) ...
    benefit_claim: bool = False
    # ... the patient already had a copy of these records from the practice (KY: the first copy
    # is free; WA, VA: one free copy for a claim, VA once a year) ...
    earlier_copy: bool = False
    # ... and the pages of a paper copy, for per-page state caps (0: taken from per-page lines).
    pages: int = 0


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


# ---------------------------------------------------------------------------
# State fee rules (access-rules 11.1; 45 CFR 160.202-160.203)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PageTier:
    """A per-page price for the pages up to ``up_to`` (None: every page after)."""

    up_to: int | None
    price: Decimal


@dataclass(frozen=True)
class StateFeeRule:
    """One state's limits on the fee for a copy, as data.

    A state cap never raises what 164.524(c)(4) allows for the individual's own copy: the
    federal checks run first and the state's only lower the amount (access-rules 11.1). For a
    third-party directive the federal limit does not apply (Ciox) and the state's cap is the
    limit (access-rules 3.8).
    """

    code: str
    state: str
    source: str
    mark: Mark
    summary: str  # one line for the published fee notice (access-rules 3.6)
    per_page_cap: Decimal | None = None  # copying charge per page, postage apart
    all_in_per_page_cap: Decimal | None = None  # everything included, postage too
    paper_tiers: tuple[PageTier, ...] = ()  # records kept only on paper
    handling_cap: Decimal | None = None  # beside the tiers
    electronic_records_cap: Decimal | None = None  # records kept electronically, all in
    benefit_claim_tiers: tuple[PageTier, ...] = ()  # a reduced rate for benefit claims
    free_for_benefit_claim: bool = False
    free_once_for_benefit_claim: bool = False  # only if no earlier copy was given
    first_copy_free: bool = False
    federal_limits_always: bool = False  # the 524(c)(4) limits even for third parties
    effective_from: dt.date | None = None

    @property
    def verify_before_relying(self) -> bool:
        return self.mark is Mark.SECONDARY

    @property
    def asks_about_benefit_claim(self) -> bool:
        return (
            self.free_for_benefit_claim
            or self.free_once_for_benefit_claim
            or bool(self.benefit_claim_tiers)
        )


_D = Decimal
STATE_FEE_RULES: tuple[StateFeeRule, ...] = (
    # N.Y. Pub. Health Law 18(2)(e): at most 75 cents a page for paper copies; no charge for
    # records needed to support a claim for a government benefit; no denial for inability to
    # pay. Mark O (official page).
    StateFeeRule(
        "NY-FEE",
        "NY",
        "N.Y. Pub. Health Law 18(2)(e)",
        Mark.OFFICIAL,
        "Paper copies at most $0.75 a page; no charge when the records support a claim for a "
        "government benefit; no one is refused for inability to pay.",
        per_page_cap=_D("0.75"),
        free_for_benefit_claim=True,
    ),
    # Conn. Gen. Stat. 20-7c: at most 65 cents a page, all in (research, handling, first-class
    # postage); no charge for records for a Social Security claim or appeal.
    StateFeeRule(
        "CT-FEE",
        "CT",
        "Conn. Gen. Stat. 20-7c",
        Mark.VERIFIED,
        "At most $0.65 a page including handling and postage; free for a Social Security claim "
        "or appeal.",
        all_in_per_page_cap=_D("0.65"),
        free_for_benefit_claim=True,
    ),
    # Ky. Rev. Stat. 422.317(1): the patient's first copy is free (digest: quoted; check for
    # repeal).
    StateFeeRule(
        "KY-FEE",
        "KY",
        "Ky. Rev. Stat. 422.317(1)",
        Mark.VERIFIED,
        "The patient's first copy is free.",
        first_copy_free=True,
    ),
    # WAC 246-08-400(3): no fee HIPAA forbids, whoever asks; RCW 70.02.030: one free copy for a
    # patient appealing an SSI or SSDI denial. Mark V on old text (digest: recheck).
    StateFeeRule(
        "WA-FEE",
        "WA",
        "WAC 246-08-400(3); RCW 70.02.030",
        Mark.VERIFIED,
        "No charge HIPAA forbids, whoever asks; one free copy for an SSI or SSDI claim or appeal.",
        free_once_for_benefit_claim=True,
        federal_limits_always=True,
    ),
    # Virginia, from 2025-07-01: one free copy a year for a Social Security or needs-based
    # benefit claim (Va. Code 8.01-413 as amended 2025; mark S: secondary source only).
    StateFeeRule(
        "VA-FEE",
        "VA",
        "Va. Code 8.01-413 (2025 amendment)",
        Mark.SECONDARY,
        "One free copy a year for a Social Security or needs-based benefit claim (from "
        "2025-07-01).",
        free_once_for_benefit_claim=True,
        effective_from=dt.date(2025, 7, 1),
    ),
    # La. R.S. 40:1165.1(A)(2)(b)(i): paper-only records at most $1.00 a page for pages 1-25,
    # $0.50 for 26-350, $0.25 after, a handling charge of at most $25 and actual postage;
    # records kept electronically at most $100 in all, postage and handling included. La. R.S.
    # 46:18(A): records supporting a Social Security disability or SSI claim at most $0.50 a
    # page for the first five pages and $0.25 after. Mark V (statute text seen).
    StateFeeRule(
        "LA-FEE",
        "LA",
        "La. R.S. 40:1165.1(A)(2)(b)(i); La. R.S. 46:18(A)",
        Mark.VERIFIED,
        "Paper records: $1.00 a page (1-25), $0.50 (26-350), $0.25 after, handling at most "
        "$25, actual postage; electronic records at most $100 in all; Social Security "
        "disability claims $0.50 a page for five pages, $0.25 after.",
        paper_tiers=(
            PageTier(25, _D("1.00")),
            PageTier(350, _D("0.50")),
            PageTier(None, _D("0.25")),
        ),
        handling_cap=_D("25.00"),
        electronic_records_cap=_D("100.00"),
        benefit_claim_tiers=(PageTier(5, _D("0.50")), PageTier(None, _D("0.25"))),
    ),
)


def state_fee_rules(state: str) -> tuple[StateFeeRule, ...]:
    return tuple(r for r in STATE_FEE_RULES if r.state == state.upper())


def fee_rule_by_code(code: str) -> StateFeeRule | None:
    wanted = code.strip().upper()
    return next((r for r in STATE_FEE_RULES if r.code == wanted), None)


BENEFIT_CLAIM_QUESTION = "Is this copy for a benefit claim or appeal?"


def asks_about_benefit_claim(state: str) -> bool:
    """Whether intake asks :data:`BENEFIT_CLAIM_QUESTION` in this state."""
    return any(r.asks_about_benefit_claim for r in state_fee_rules(state))


def tiered_cap(tiers: Iterable[PageTier], pages: int) -> Decimal:
    """The most a tiered per-page schedule allows for ``pages`` pages."""
    total, done = Decimal(0), 0
    for tier in tiers:
        upto = pages if tier.up_to is None else min(pages, tier.up_to)
        if upto > done:
            total += tier.price * (upto - done)
            done = upto
    return total


def _pages(lines: tuple[FeeLine, ...], facts: FeeFacts) -> int:
    if facts.pages:
        return facts.pages
    per_page = [int(line.quantity) for line in lines if line.unit is Unit.PAGE]
    return max(per_page, default=0)


def _over(rule: StateFeeRule, what: str, cap: Decimal, amount: Decimal) -> RuleViolation:
    return RuleViolation(
        f"{what} at most ${cap.quantize(CENT)} in {rule.state}; this fee comes to "
        f"${amount.quantize(CENT)} ({rule.source}). The lower of the state limit and 45 CFR "
        "164.524(c)(4) applies."
    )


def _free(rule: StateFeeRule, why: str) -> RuleViolation:
    return RuleViolation(f"No fee may be charged in {rule.state}: {why} ({rule.source}).")


def check_state_fee(
    rule: StateFeeRule,
    lines: tuple[FeeLine, ...],
    total: Decimal,
    facts: FeeFacts,
    received: dt.date | None,
) -> None:
    """Refuse a fee above this state rule's limit, saying which limit and where it is."""
    if rule.effective_from is not None and (received is None or received < rule.effective_from):
        return
    if total <= 0:
        return
    if rule.first_copy_free and not facts.earlier_copy:
        raise _free(rule, "the patient's first copy is free")
    if facts.benefit_claim:
        if rule.free_for_benefit_claim:
            raise _free(rule, "the copy supports a benefit claim or appeal")
        if rule.free_once_for_benefit_claim and not facts.earlier_copy:
            raise _free(rule, "one copy for a benefit claim or appeal is free")
    postage = sum(
        (line.amount for line in lines if line.component is FeeComponent.POSTAGE), Decimal(0)
    )
    pages = _pages(lines, facts)
    if facts.benefit_claim and rule.benefit_claim_tiers and pages:
        cap = tiered_cap(rule.benefit_claim_tiers, pages)
        if total - postage > cap:
            raise _over(rule, f"For a benefit claim, {pages} pages may cost", cap, total - postage)
    if rule.all_in_per_page_cap is not None and pages:
        cap = rule.all_in_per_page_cap * pages
        if total > cap:
            raise _over(rule, f"{pages} pages may cost, everything included,", cap, total)
    if rule.per_page_cap is not None and pages and not facts.copy_electronic:
        cap = rule.per_page_cap * pages
        if total - postage > cap:
            raise _over(rule, f"A paper copy of {pages} pages may cost", cap, total - postage)
    cap_e = rule.electronic_records_cap
    if cap_e is not None and facts.phi_electronic and total > cap_e:
        raise _over(rule, "A copy of records kept electronically may cost, all in,", cap_e, total)
    if rule.paper_tiers and not facts.phi_electronic and pages:
        cap = tiered_cap(rule.paper_tiers, pages) + (rule.handling_cap or Decimal(0))
        if total - postage > cap:
            raise _over(
                rule,
                f"{pages} pages of paper records may cost, with handling,",
                cap,
                total - postage,
            )


def state_fee_notes(state: str) -> tuple[str, ...]:
    """What the estimate says about the state's fee rules (and S marks)."""
    out = []
    for rule in state_fee_rules(state):
        note = f"{rule.state} fee rule ({rule.source}): {rule.summary}"
        if rule.verify_before_relying:
            note += " " + VERIFY_BEFORE_RELYING
        out.append(note)
    return tuple(out)


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
    state: str = "",
    received: dt.date | None = None,
) -> FeeEstimate:
    """Validate a fee against the request and return it, or raise RuleViolation saying why not.

    ``state`` (the practice's) adds that state's fee rules; ``received`` dates the request for
    rules that start on a date.
    """
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

    rules = state_fee_rules(state)
    state_notes = state_fee_notes(state)
    if facts.third_party_directive:
        # Ciox: state law governs this fee, so the state's limits are the limit (3.8).
        for rule in rules:
            if rule.federal_limits_always:
                for line in lines:
                    check_fee_label(line.label)
                for charge in extras:
                    check_fee_label(charge.label)
            check_state_fee(rule, lines, total, facts, received)
        return FeeEstimate(method, total, lines, extras, (CIOX_NOTE, *state_notes))

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
    # The federal limits passed; the state's can only lower the fee (160.203; 11.1).
    for rule in rules:
        check_state_fee(rule, lines, total, facts, received)
    return FeeEstimate(method, total, lines, (), notes + state_notes)


# ---------------------------------------------------------------------------
# Unpaid bills (access-rules 3.7)
# ---------------------------------------------------------------------------

PAYMENT_HOLD_REASON = (
    "Access is never withheld or delayed because the patient has an unpaid bill for care; the "
    "only charge tied to a request is the fee for the copy (45 CFR 164.524(c)(4); HHS guidance "
    "2016; access-rules 3.7)."
)
