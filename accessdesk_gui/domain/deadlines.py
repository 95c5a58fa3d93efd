"""Deadlines for answering a request for access.

Federal rule, 45 CFR 164.524(b)(2): act on a request no later than 30 days after
receiving it; one extension of no more than 30 days, by a written notice sent
within the first 30 days that gives the reasons and the date of action.
Weekends and holidays do not move the date (access-rules 1.2, our reading).

State rules (access-rules 1.7 and 11.1): a shorter state deadline controls
(160.202-160.203), so the effective due date is the earliest that applies. They
are kept as data, one record per rule, each marked "verify before relying".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from accessdesk_gui.domain.errors import RuleViolation

FEDERAL_DAYS = 30  # 164.524(b)(2)(i)
MAX_EXTENSION_DAYS = 30  # 164.524(b)(2)(ii)


class Counting(StrEnum):
    CALENDAR = "calendar"
    BUSINESS = "business"  # Monday to Friday, skipping US federal holidays


class AppliesTo(StrEnum):
    """Which requests a state rule covers."""

    ANY = "any"
    INSPECTION = "inspection"
    COPY = "copy"
    ELECTRONIC_COPY_OF_EHR = "electronic_copy_of_ehr"


class AccessKind(StrEnum):
    INSPECT = "inspect"
    COPY = "copy"
    BOTH = "both"


@dataclass(frozen=True)
class StateRule:
    state: str
    days: int
    counting: Counting
    applies_to: AppliesTo
    source: str
    # Days allowed in total once a delay notice has been sent, where the state has one.
    extended_days: int | None = None
    note: str = "Verify against the current statute before relying on it."


# access-rules 11.1. Check the current text before a release.
STATE_RULES: tuple[StateRule, ...] = (
    StateRule("CA", 5, Counting.BUSINESS, AppliesTo.INSPECTION, "Cal. Health & Safety Code 123110"),
    StateRule("CA", 15, Counting.CALENDAR, AppliesTo.COPY, "Cal. Health & Safety Code 123110"),
    StateRule(
        "TX",
        15,
        Counting.BUSINESS,
        AppliesTo.ELECTRONIC_COPY_OF_EHR,
        "Tex. Health & Safety Code 181.102",
    ),
    StateRule("WA", 15, Counting.BUSINESS, AppliesTo.ANY, "RCW 70.02.080", extended_days=21),
)

US_STATES: frozenset[str] = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "PR",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "VI",
        "WA",
        "WV",
        "WI",
        "WY",
        "GU",
        "AS",
        "MP",
    ]
)


def rules_for_state(state: str) -> tuple[StateRule, ...]:
    return tuple(r for r in STATE_RULES if r.state == state.upper())


@lru_cache(maxsize=64)
def _federal_holidays(year: int) -> frozenset[dt.date]:
    import holidays  # imported lazily: it is only needed for business-day rules

    return frozenset(holidays.country_holidays("US", years=year).keys())


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _federal_holidays(day.year)


def add_business_days(start: dt.date, days: int) -> dt.date:
    day = start
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    return day


def add_days(start: dt.date, days: int, counting: Counting) -> dt.date:
    if counting is Counting.CALENDAR:
        return start + dt.timedelta(days=days)
    return add_business_days(start, days)


def federal_due(received: dt.date) -> dt.date:
    """164.524(b)(2)(i): 30 calendar days after receipt."""
    return received + dt.timedelta(days=FEDERAL_DAYS)


def latest_extended_due(received: dt.date) -> dt.date:
    """164.524(b)(2)(ii): the one extension adds at most 30 days."""
    return federal_due(received) + dt.timedelta(days=MAX_EXTENSION_DAYS)


def rule_applies(
    rule: StateRule, access: AccessKind, electronic: bool, held_in_ehr: bool = True
) -> bool:
    if rule.applies_to is AppliesTo.ANY:
        return True
    if rule.applies_to is AppliesTo.INSPECTION:
        return access in (AccessKind.INSPECT, AccessKind.BOTH)
    if rule.applies_to is AppliesTo.COPY:
        return access in (AccessKind.COPY, AccessKind.BOTH)
    return access in (AccessKind.COPY, AccessKind.BOTH) and electronic and held_in_ehr


@dataclass(frozen=True)
class Deadline:
    """The date one rule requires action by, and where the rule comes from."""

    due: dt.date
    source: str


def applicable_deadlines(
    received: dt.date,
    state: str,
    access: AccessKind,
    electronic: bool,
    extended_to: dt.date | None = None,
) -> list[Deadline]:
    """Every deadline that binds this request, federal first."""
    federal = extended_to if extended_to is not None else federal_due(received)
    label = "45 CFR 164.524(b)(2)(ii), extended" if extended_to else "45 CFR 164.524(b)(2)(i)"
    found = [Deadline(federal, label)]
    for rule in rules_for_state(state):
        if not rule_applies(rule, access, electronic):
            continue
        days = rule.days
        if extended_to is not None and rule.extended_days is not None:
            days = rule.extended_days
        found.append(Deadline(add_days(received, days, rule.counting), rule.source))
    return found


def effective_due(
    received: dt.date,
    state: str,
    access: AccessKind,
    electronic: bool,
    extended_to: dt.date | None = None,
) -> Deadline:
    """The earliest deadline that applies (160.203: the stricter state law controls)."""
    return min(
        applicable_deadlines(received, state, access, electronic, extended_to),
        key=lambda d: d.due,
    )


@dataclass(frozen=True)
class Extension:
    notice_date: dt.date
    reasons: str
    complete_by: dt.date


def check_extension(
    received: dt.date,
    notice_date: dt.date,
    reasons: str,
    complete_by: dt.date,
    already_extended: bool,
) -> Extension:
    """Validate the single extension that 164.524(b)(2)(ii) allows, or say why not."""
    if already_extended:
        raise RuleViolation(
            "This request was already extended once; 45 CFR 164.524(b)(2)(ii) allows only one "
            "extension."
        )
    original = federal_due(received)
    if notice_date < received:
        raise RuleViolation("The extension notice cannot be dated before the request was received.")
    if notice_date > original:
        raise RuleViolation(
            f"Too late to extend: the notice had to be sent within {FEDERAL_DAYS} days of receipt, "
            "by the "
            f"original due date {original.isoformat()} (45 CFR 164.524(b)(2)(ii))."
        )
    if not reasons.strip():
        raise RuleViolation(
            "The written extension notice must state the reasons for the delay "
            "(45 CFR 164.524(b)(2)(ii))."
        )
    if complete_by <= original:
        raise RuleViolation(
            f"The completion date must be after the original due date {original.isoformat()}; "
            "otherwise no extension is needed."
        )
    latest = latest_extended_due(received)
    if complete_by > latest:
        raise RuleViolation(
            f"An extension may add at most {MAX_EXTENSION_DAYS} days, to "
            f"{FEDERAL_DAYS + MAX_EXTENSION_DAYS} days after receipt: the latest "
            f"completion date is {latest.isoformat()} (45 CFR 164.524(b)(2)(ii))."
        )
    return Extension(notice_date, reasons.strip(), complete_by)


def days_left(due: dt.date, today: dt.date) -> int:
    """Negative when overdue."""
    return (due - today).days


class Urgency(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due soon"  # within 7 days
    ON_TRACK = "on track"
    CLOSED = "closed"


DUE_SOON_DAYS = 7


def urgency(due: dt.date, today: dt.date, closed: bool) -> Urgency:
    if closed:
        return Urgency.CLOSED
    left = days_left(due, today)
    if left < 0:
        return Urgency.OVERDUE
    if left <= DUE_SOON_DAYS:
        return Urgency.DUE_SOON
    return Urgency.ON_TRACK
