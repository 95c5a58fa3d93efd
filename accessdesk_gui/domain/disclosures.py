"""The accounting of disclosures, 45 CFR 164.528 (access-rules 9).

- (a)(1): an accounting of disclosures in the six years before the request, except the
  kinds of :data:`EXEMPTIONS` ((a)(1)(i)-(ix)); those are logged with their exemption and
  left out, each with its reason.
- (a)(2): a temporary suspension for a health oversight agency or law enforcement official
  (written: for the time it states; oral: documented, at most 30 days unless a written
  statement follows).
- (a)(3): a shorter period if the patient asks for one.
- (b)(2): each entry's date, recipient (and address if known), brief description, and brief
  purpose or a copy of the written request; (b)(3): repeated disclosures to one recipient
  for one purpose summarised (first in full, how many, the date of the last).
- (c)(1): 60 days, one 30-day extension (domain/right_clocks.py); (c)(2): the first
  accounting in any 12 months is free, later ones a reasonable cost-based fee told in
  advance with the chance to withdraw or narrow the request.
- Part 2 disclosures (42 CFR Part 2, access-rules 11.5) keep their mark in the log and in
  the accounting. [UNVERIFIED] which of them the Part 2 accounting right (42 CFR 2.25)
  adds beyond 164.528: marked so the practice can answer that right separately.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from accessdesk_gui.domain.errors import InvalidInput, RuleViolation
from accessdesk_gui.domain.right_clocks import ACCOUNTING_CLOCK

CLOCK = ACCOUNTING_CLOCK  # 164.528(c)(1)
LOOKBACK_YEARS = 6  # 164.528(a)(1), (a)(3)
ORAL_SUSPENSION_DAYS = 30  # 164.528(a)(2)(ii)(C)
# 164.528(a)(1)(ix): disclosures before the compliance date (2003-04-14 for providers,
# 164.534) are not accounted.
COMPLIANCE_DATE = dt.date(2003, 4, 14)


class Exemption(StrEnum):
    """The disclosures 164.528(a)(1) leaves out of an accounting."""

    TPO = "treatment_payment_operations"  # (i), 164.506
    TO_INDIVIDUAL = "to_individual"  # (ii), 164.502
    # (ii) as well [INTERPRETATION]: a copy sent to a third party at the patient's direction
    # under 164.524(c)(3)(ii) is the patient's own right of access exercised (HHS 2016 access
    # guidance), so it is not accounted for.
    ACCESS_DIRECTIVE = "access_directive"
    INCIDENTAL = "incidental"  # (iii)
    AUTHORIZATION = "authorization"  # (iv), 164.508
    DIRECTORY_OR_INVOLVED = "directory_or_involved"  # (v), 164.510
    NATIONAL_SECURITY = "national_security"  # (vi), 164.512(k)(2)
    CORRECTIONAL = "correctional_or_custody"  # (vii), 164.512(k)(5)
    LIMITED_DATA_SET = "limited_data_set"  # (viii), 164.514(e)
    BEFORE_COMPLIANCE = "before_compliance_date"  # (ix)


EXEMPTION_REASONS: dict[Exemption, str] = {
    Exemption.TPO: "for treatment, payment or health care operations (45 CFR 164.528(a)(1)(i))",
    Exemption.TO_INDIVIDUAL: "to the patient (45 CFR 164.528(a)(1)(ii))",
    Exemption.ACCESS_DIRECTIVE: (
        "sent at the patient's direction under the right of access, 164.524(c)(3)(ii) "
        "(45 CFR 164.528(a)(1)(ii), our reading)"
    ),
    Exemption.INCIDENTAL: ("incident to a permitted use or disclosure (45 CFR 164.528(a)(1)(iii))"),
    Exemption.AUTHORIZATION: "under the patient's authorization (45 CFR 164.528(a)(1)(iv))",
    Exemption.DIRECTORY_OR_INVOLVED: (
        "for the facility directory or to people involved in the patient's care "
        "(45 CFR 164.528(a)(1)(v))"
    ),
    Exemption.NATIONAL_SECURITY: (
        "for national security or intelligence purposes (45 CFR 164.528(a)(1)(vi))"
    ),
    Exemption.CORRECTIONAL: (
        "to a correctional institution or law enforcement official with custody "
        "(45 CFR 164.528(a)(1)(vii))"
    ),
    Exemption.LIMITED_DATA_SET: "as part of a limited data set (45 CFR 164.528(a)(1)(viii))",
    Exemption.BEFORE_COMPLIANCE: "before the compliance date (45 CFR 164.528(a)(1)(ix))",
}


@dataclass(frozen=True)
class Disclosure:
    """One logged disclosure (164.528(b)(2)); ``exemption`` None when it is accountable."""

    id: int
    on: dt.date
    recipient: str
    description: str
    purpose: str = ""
    recipient_address: str = ""
    written_request: str = ""  # a copy of the written request, in place of the purpose
    exemption: Exemption | None = None
    part2: bool = False


def check_disclosure(d: Disclosure, today: dt.date) -> None:
    """What 164.528(b)(2) asks of each entry, checked when it is logged."""
    if d.on > today:
        raise InvalidInput("date", "is in the future.")
    if not d.recipient.strip():
        raise InvalidInput("recipient", "is required (45 CFR 164.528(b)(2)(ii)).")
    if not d.description.strip():
        raise InvalidInput(
            "description", "is required: what was disclosed, briefly (45 CFR 164.528(b)(2)(iii))."
        )
    if d.exemption is None and not (d.purpose.strip() or d.written_request.strip()):
        raise InvalidInput(
            "purpose",
            "is required: a brief purpose, or a copy of the written request "
            "(45 CFR 164.528(b)(2)(iv)).",
        )


# ---------------------------------------------------------------------------
# The period, suspensions, the fee
# ---------------------------------------------------------------------------


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def check_period(
    requested_on: dt.date, start: dt.date | None, end: dt.date | None
) -> tuple[dt.date, dt.date]:
    """The period accounted for: six years back, or a shorter one asked for (164.528(a)(1),
    (a)(3)). The practice need not go further back than six years.
    """
    earliest = years_before(requested_on, LOOKBACK_YEARS)
    first = earliest if start is None else start
    last = requested_on if end is None else end
    if first < earliest:
        raise RuleViolation(
            f"An accounting covers at most the six years before the request: from "
            f"{earliest.isoformat()} (45 CFR 164.528(a)(1))."
        )
    if last > requested_on:
        raise InvalidInput("period_end", "is after the date of the request.")
    if first > last:
        raise InvalidInput("period_start", "is after the end of the period.")
    return first, last


@dataclass(frozen=True)
class Suspension:
    """164.528(a)(2): a statement from a health oversight agency or law enforcement official
    that an accounting would be reasonably likely to impede its activities.
    """

    recipient: str  # the agency or official, as in the disclosure log
    stated_on: dt.date
    ends_on: dt.date
    written: bool
    statement: str = ""  # the written statement, or the documented oral one (who, what)

    def active_on(self, day: dt.date) -> bool:
        return self.stated_on <= day <= self.ends_on

    def covers(self, d: Disclosure) -> bool:
        return d.recipient.strip().casefold() == self.recipient.strip().casefold()


def check_suspension(s: Suspension) -> Suspension:
    if not s.recipient.strip():
        raise InvalidInput("agency", "name the agency or official (45 CFR 164.528(a)(2)).")
    if s.ends_on < s.stated_on:
        raise InvalidInput("ends_on", "is before the statement.")
    if not s.written:
        if not s.statement.strip():
            raise InvalidInput(
                "statement",
                "document the oral statement, with the agency or official who made it "
                "(45 CFR 164.528(a)(2)(ii)(A)).",
            )
        latest = s.stated_on + dt.timedelta(days=ORAL_SUSPENSION_DAYS)
        if s.ends_on > latest:
            raise RuleViolation(
                f"An oral statement suspends the accounting for at most {ORAL_SUSPENSION_DAYS} "
                f"days, to {latest.isoformat()}, unless a written statement is given in that "
                "time (45 CFR 164.528(a)(2)(ii)(C)): record the written statement instead."
            )
    return s


FEE_WINDOW_DAYS = 365  # "any 12 month period", read as the 12 months before [INTERPRETATION]


def fee_may_apply(requested_on: dt.date, earlier_requests: Iterable[dt.date]) -> bool:
    """164.528(c)(2): the first accounting in any 12 months is free."""
    since = requested_on - dt.timedelta(days=FEE_WINDOW_DAYS)
    return any(since < day <= requested_on for day in earlier_requests)


def check_fee_before_producing(fee_applies: bool, fee_told: bool, patient_went_ahead: bool) -> None:
    """A later accounting's fee is told in advance, with the chance to withdraw or narrow the
    request (164.528(c)(2)); produce it only once the patient chose to go ahead.
    """
    if not fee_applies:
        return
    if not fee_told:
        raise RuleViolation(
            "This is not the patient's first accounting in 12 months: tell the patient the fee "
            "first and give the chance to withdraw or narrow the request "
            "(45 CFR 164.528(c)(2))."
        )
    if not patient_went_ahead:
        raise RuleViolation(
            "The patient was told the fee but has not said whether to go ahead, withdraw or "
            "narrow the request (45 CFR 164.528(c)(2))."
        )


# ---------------------------------------------------------------------------
# Building the accounting
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line of the accounting: a disclosure, or repeated ones summarised (b)(3)."""

    first: Disclosure
    count: int = 1
    last_on: dt.date | None = None  # the date of the last one, when summarised

    @property
    def summarised(self) -> bool:
        return self.count > 1


@dataclass(frozen=True)
class LeftOut:
    disclosure: Disclosure
    reason: str


@dataclass(frozen=True)
class Accounting:
    start: dt.date
    end: dt.date
    lines: tuple[Line, ...]
    left_out: tuple[LeftOut, ...] = field(default=())

    @property
    def has_part2(self) -> bool:
        return any(line.first.part2 for line in self.lines)


def _key(d: Disclosure) -> tuple[str, str]:
    return d.recipient.strip().casefold(), (d.purpose or d.written_request).strip().casefold()


def build_accounting(
    disclosures: Sequence[Disclosure],
    start: dt.date,
    end: dt.date,
    produced_on: dt.date,
    suspensions: Sequence[Suspension] = (),
    summarise: bool = True,
) -> Accounting:
    """The accountable disclosures of the period in date order, repeated ones to one
    recipient for one purpose summarised (164.528(b)(3)); each one left out with why.
    """
    kept: list[Disclosure] = []
    left: list[LeftOut] = []
    for d in sorted(disclosures, key=lambda x: (x.on, x.id)):
        if not start <= d.on <= end:
            continue  # outside the period asked for: not part of this accounting at all
        if d.exemption is not None:
            left.append(LeftOut(d, EXEMPTION_REASONS[d.exemption]))
        elif d.on < COMPLIANCE_DATE:
            left.append(LeftOut(d, EXEMPTION_REASONS[Exemption.BEFORE_COMPLIANCE]))
        elif any(s.covers(d) and s.active_on(produced_on) for s in suspensions):
            until = max(s.ends_on for s in suspensions if s.covers(d))
            left.append(
                LeftOut(
                    d,
                    f"suspended at the recipient's request until {until.isoformat()} "
                    "(45 CFR 164.528(a)(2))",
                )
            )
        else:
            kept.append(d)
    lines: list[Line] = []
    if summarise:
        groups: dict[tuple[str, str], list[Disclosure]] = {}
        for d in kept:
            groups.setdefault(_key(d), []).append(d)
        for group in groups.values():
            if len(group) == 1:
                lines.append(Line(group[0]))
            else:
                lines.append(Line(group[0], len(group), group[-1].on))
        lines.sort(key=lambda line: (line.first.on, line.first.id))
    else:
        lines = [Line(d) for d in kept]
    return Accounting(start, end, tuple(lines), tuple(left))
