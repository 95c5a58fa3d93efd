"""Deadlines for answering a request for access.

Federal rule, 45 CFR 164.524(b)(2): act on a request no later than 30 days after
receiving it; one extension of no more than 30 days, by a written notice sent
within the first 30 days that gives the reasons and the date of action.
Weekends and holidays do not move the date (access-rules 1.2, our reading).

State rules (access-rules 1.7 and 11.1): a shorter state deadline controls
(45 CFR 160.202-160.203), so the effective due date is the earliest that applies.
They are data, one :class:`StateRule` per state and kind of access, each with its
citation, its day counting and a :class:`Mark` saying how it was checked. A rule
marked S was seen only in a secondary source and says "verify before relying"
wherever the practice sees it.

Working/business days are counted on the state's own holiday calendar
(:data:`STATE_CALENDARS`, built on the ``holidays`` package's US subdivisions).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from accessdesk_gui.domain.errors import RuleViolation

FEDERAL_DAYS = 30  # 164.524(b)(2)(i)
MAX_EXTENSION_DAYS = 30  # 164.524(b)(2)(ii)


class Counting(StrEnum):
    CALENDAR = "calendar"
    # Monday to Friday, skipping the holidays of the state's own calendar (access-rules 1.7).
    BUSINESS = "business"


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


class Mark(StrEnum):
    """How a state rule was checked (access-rules 11.1)."""

    VERIFIED = "V"  # the statute text was seen
    OFFICIAL = "O"  # an official agency page was seen
    SECONDARY = "S"  # a secondary source only: verify before relying


MARK_LABELS = {
    Mark.VERIFIED: "checked against the statute text",
    Mark.OFFICIAL: "checked against an official agency page",
    Mark.SECONDARY: "seen in a secondary source only",
}

VERIFY_BEFORE_RELYING = (
    "Verify before relying: this state rule was seen only in a secondary source (access-rules "
    "11.1). Check it against the current statute, then mark it verified in Settings."
)
RECHECK = "Checked against the text named; recheck the current text before a release."


@dataclass(frozen=True)
class StateRule:
    """One state deadline, as data (access-rules 11.1)."""

    code: str  # stable name used to mark the rule verified, e.g. "TX-PHYSICIAN"
    state: str
    days: int
    counting: Counting
    applies_to: AppliesTo
    source: str  # the citation; unique among the rules (request show --json finds the rule by it)
    mark: Mark
    scope: str = ""  # whom the rule binds, where narrower than every practice
    # Days allowed in total once a delay notice has been sent, where the state has one.
    extended_days: int | None = None
    # Days allowed when the records are kept outside the state (NRS 629.061(2)).
    out_of_state_days: int | None = None

    @property
    def verify_before_relying(self) -> bool:
        return self.mark is Mark.SECONDARY

    @property
    def note(self) -> str:
        return VERIFY_BEFORE_RELYING if self.verify_before_relying else RECHECK

    def describe(self) -> str:
        unit = "working days" if self.counting is Counting.BUSINESS else "days"
        return f"{self.days} {unit} ({self.source}; mark {self.mark.value})"


_OCC_159 = "Tex. Occ. Code 159.006(d)"

# access-rules 11.1. Check the current text before a release.
STATE_RULES: tuple[StateRule, ...] = (
    # Cal. Health & Safety Code 123110(a): inspection within 5 working days; (b): copies within
    # 15 days. Mark S: the digest quotes the statute from a secondary source.
    StateRule(
        "CA-INSPECT",
        "CA",
        5,
        Counting.BUSINESS,
        AppliesTo.INSPECTION,
        "Cal. Health & Safety Code 123110(a)",
        Mark.SECONDARY,
    ),
    StateRule(
        "CA-COPY",
        "CA",
        15,
        Counting.CALENDAR,
        AppliesTo.COPY,
        "Cal. Health & Safety Code 123110(b)",
        Mark.SECONDARY,
    ),
    # Tex. Occ. Code 159.006(d): a physician furnishes any records, paper included, by the 15th
    # business day after the written request. Applied to every Texas practice: a practice that
    # is not a physician's office still gets the earlier date, which is the safe side.
    StateRule(
        "TX-PHYSICIAN",
        "TX",
        15,
        Counting.BUSINESS,
        AppliesTo.ANY,
        _OCC_159,
        Mark.VERIFIED,
        scope="physicians' offices, any records (paper too)",
    ),
    # Tex. Health & Safety Code 181.102: an electronic copy of an electronic health record within
    # 15 business days.
    StateRule(
        "TX-EHR",
        "TX",
        15,
        Counting.BUSINESS,
        AppliesTo.ELECTRONIC_COPY_OF_EHR,
        "Tex. Health & Safety Code 181.102",
        Mark.VERIFIED,
        scope="electronic copies of an electronic health record",
    ),
    # RCW 70.02.080: 15 working days; with a written delay notice, at most 21 working days.
    # Mark V on old text (digest: recheck).
    StateRule(
        "WA-ANY",
        "WA",
        15,
        Counting.BUSINESS,
        AppliesTo.ANY,
        "RCW 70.02.080",
        Mark.VERIFIED,
        extended_days=21,
    ),
    # Tenn. Code Ann. 63-2-101(a)(1): providers furnish records within 10 working days.
    StateRule(
        "TN-ANY",
        "TN",
        10,
        Counting.BUSINESS,
        AppliesTo.ANY,
        "Tenn. Code Ann. 63-2-101(a)(1)",
        Mark.VERIFIED,
    ),
    # Md. Code, Health-Gen. 4-309(a): within a reasonable time, at most 21 working days.
    StateRule(
        "MD-ANY",
        "MD",
        21,
        Counting.BUSINESS,
        AppliesTo.ANY,
        "Md. Code, Health-Gen. 4-309(a)",
        Mark.VERIFIED,
    ),
    # NRS 629.061(2): inspection within 10 working days; 20 when the records are kept out of state.
    StateRule(
        "NV-INSPECT",
        "NV",
        10,
        Counting.BUSINESS,
        AppliesTo.INSPECTION,
        "NRS 629.061(2)",
        Mark.VERIFIED,
        out_of_state_days=20,
    ),
    # N.Y. Public Health Law 18(2): inspection within 10 days (copies: a reasonable time, no day
    # count, so the federal 30 days stay the outer limit). Mark O: official agency page.
    StateRule(
        "NY-INSPECT",
        "NY",
        10,
        Counting.CALENDAR,
        AppliesTo.INSPECTION,
        "N.Y. Pub. Health Law 18(2)",
        Mark.OFFICIAL,
    ),
    # Louisiana: 15 days, from secondary sources only (mark S). La. R.S. 46:18(B) has the same 15
    # days for records supporting a Social Security disability claim (statute text seen); the
    # general rule is cited to La. R.S. 40:1165.1 per those secondary sources.
    StateRule(
        "LA-ANY",
        "LA",
        15,
        Counting.CALENDAR,
        AppliesTo.ANY,
        "La. R.S. 40:1165.1; La. R.S. 46:18(B)",
        Mark.SECONDARY,
    ),
    # Colorado licensed health facilities, discharged patients: within a reasonable time, at most
    # 10 days excluding weekends and holidays (6 CCR 1011-1 Chapter II, 5.2, beside C.R.S.
    # 25-1-801). Mark S: secondary source only.
    StateRule(
        "CO-FACILITY",
        "CO",
        10,
        Counting.BUSINESS,
        AppliesTo.ANY,
        "6 Colo. Code Regs. 1011-1 ch. II, 5.2; C.R.S. 25-1-801",
        Mark.SECONDARY,
        scope="licensed health facilities, discharged patients",
    ),
)


@dataclass(frozen=True)
class NotEncoded:
    """A state law looked at and deliberately not applied, with the reason."""

    state: str
    source: str
    mark: str
    reason: str


NOT_ENCODED: tuple[NotEncoded, ...] = (
    NotEncoded(
        "MT",
        "Mont. Code Ann. 50-16-541",
        "V + S",
        "Montana's access deadline covers only health care providers that are not HIPAA covered "
        "entities (the Uniform Health Care Information Act gives way to HIPAA for covered "
        "entities); a practice using AccessDesk is a covered entity, so the federal 30 days "
        "apply (access-rules 11.1).",
    ),
    NotEncoded("OR", "-", "-", "No shorter deadline found: the federal 30 days apply."),
    NotEncoded("FL", "-", "-", "No shorter deadline found: the federal 30 days apply."),
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


def rule_by_code(code: str) -> StateRule | None:
    wanted = code.strip().upper()
    return next((r for r in STATE_RULES if r.code == wanted), None)


def rule_by_source(source: str) -> StateRule | None:
    """The state rule a stored due date came from (requests keep its citation)."""
    return next((r for r in STATE_RULES if r.source == source), None)


# ---------------------------------------------------------------------------
# Each state's own holiday calendar (access-rules 1.7)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StateCalendar:
    """Which days a state's "working days" skip.

    The holidays come from the ``holidays`` package's US subdivision (the state's legal
    holidays, federal ones the state does not keep left out, so those count as working days
    there). ``working_anyway`` names the package's holidays that are optional, kept only by
    state offices (which stay staffed or close while private offices work) or merely
    commemorative: they are counted as working days, because where it is doubtful whether a
    practice's day off counts, the earlier due date is the safe one (access-rules 1.7, our
    reading). Where the calendar was not reviewed (``known`` False), a date is counted both on
    the package's state calendar and on the federal one and the earlier result is taken.
    """

    state: str
    source: str
    known: bool
    working_anyway: frozenset[str] = frozenset()


STATE_CALENDARS: dict[str, StateCalendar] = {
    c.state: c
    for c in (
        # Tex. Gov't Code 662.003: (a) national holidays (Columbus Day is not one in Texas);
        # (b) state holidays; (c) optional holidays. State offices close on the Friday after
        # Thanksgiving, December 24 and December 26: skipped. The other (b) days keep state
        # offices open with reduced staff and (c) days are each employee's choice: working days.
        StateCalendar(
            "TX",
            "Tex. Gov't Code 662.003",
            known=True,
            working_anyway=frozenset(
                {
                    "Confederate Memorial Day",
                    "Texas Independence Day",
                    "San Jacinto Day",
                    "Emancipation Day In Texas",
                    "Lyndon Baines Johnson Day",
                    "Cesar Chavez Day",
                    "Good Friday",
                }
            ),
        ),
        # Tenn. Code Ann. 15-1-101 (Good Friday is a legal holiday; Columbus Day may be moved by
        # the governor and is not in the package's list, so it counts as a working day).
        StateCalendar("TN", "Tenn. Code Ann. 15-1-101", known=True),
        # Md. Code, State Pers. & Pens. 9-201 (American Indian Heritage Day, the Friday after
        # Thanksgiving, is a state holiday). The presidential Inauguration Day the package adds
        # every four years is a state-office closure only: a working day.
        StateCalendar(
            "MD",
            "Md. Code, State Pers. & Pens. 9-201",
            known=True,
            working_anyway=frozenset({"Inauguration Day"}),
        ),
        # NRS 236.015: Nevada Day (last Friday of October) and Family Day; no Columbus Day.
        StateCalendar("NV", "NRS 236.015", known=True),
        # RCW 1.16.050: Native American Heritage Day (Friday after Thanksgiving); no Columbus Day.
        StateCalendar("WA", "RCW 1.16.050", known=True),
        # N.Y. Gen. Constr. Law 24. Susan B. Anthony Day is a commemoration, not a day off.
        StateCalendar(
            "NY",
            "N.Y. Gen. Constr. Law 24",
            known=True,
            working_anyway=frozenset({"Susan B. Anthony Day"}),
        ),
        # Cal. Gov. Code 6700: several holidays (Cesar Chavez Day, the day after Thanksgiving,
        # Diwali since 2026) are kept by state offices and schools, not clearly by practices:
        # not reviewed, so the earlier of the state and federal counts.
        StateCalendar(
            "CA",
            "Cal. Gov. Code 6700",
            known=False,
            working_anyway=frozenset({"Susan B. Anthony Day"}),
        ),
        # C.R.S. 24-11-101 (Frances Xavier Cabrini Day replaced Columbus Day in 2020; Cesar
        # Chavez Day is commemorative): not reviewed, so the earlier of the two counts.
        StateCalendar(
            "CO",
            "C.R.S. 24-11-101",
            known=False,
            working_anyway=frozenset({"Cesar Chavez Day"}),
        ),
    )
}


def calendar_for(state: str) -> StateCalendar:
    code = state.upper()
    return STATE_CALENDARS.get(code, StateCalendar(code, "holidays package", known=False))


def holiday_names(name: str) -> list[str]:
    """The holidays behind one package entry ("A; B" when two fall on the same day)."""
    return [part.strip().removesuffix("(observed)").strip() for part in name.split(";")]


@lru_cache(maxsize=64)
def federal_holidays(year: int) -> frozenset[dt.date]:
    import holidays  # imported lazily: it is only needed for business-day rules

    return frozenset(holidays.country_holidays("US", years=year).keys())


@lru_cache(maxsize=1024)
def state_holidays(state: str, year: int) -> frozenset[dt.date]:
    """The days a state's working days skip in one year (see :class:`StateCalendar`)."""
    import holidays

    cal = calendar_for(state)
    try:
        found = holidays.country_holidays("US", subdiv=cal.state, years=year)
    except NotImplementedError:  # not a subdivision the package knows: federal only
        return federal_holidays(year)
    return frozenset(
        day
        for day, name in found.items()
        if any(n not in cal.working_anyway for n in holiday_names(name))
    )


def is_business_day(day: dt.date, state: str | None = None) -> bool:
    """Monday to Friday and not a holiday (federal, or the state's own when given)."""
    if day.weekday() >= 5:
        return False
    off = federal_holidays(day.year) if state is None else state_holidays(state, day.year)
    return day not in off


def _count_working(start: dt.date, days: int, working: Callable[[dt.date], bool]) -> dt.date:
    day = start
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if working(day):
            remaining -= 1
    return day


def add_business_days(start: dt.date, days: int, state: str | None = None) -> dt.date:
    """``days`` working days after ``start``, on the state's calendar (access-rules 1.7)."""
    if state is None:
        return _count_working(start, days, is_business_day)
    on_state = _count_working(start, days, lambda d: is_business_day(d, state))
    if calendar_for(state).known:
        return on_state
    # Calendar not reviewed: the earlier of the state count and the federal count.
    return min(on_state, _count_working(start, days, is_business_day))


def add_days(start: dt.date, days: int, counting: Counting, state: str | None = None) -> dt.date:
    if counting is Counting.CALENDAR:
        return start + dt.timedelta(days=days)
    return add_business_days(start, days, state)


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
    rule: StateRule | None = None  # None for the federal rule

    @property
    def verify_before_relying(self) -> bool:
        return self.rule is not None and self.rule.verify_before_relying


def applicable_deadlines(
    received: dt.date,
    state: str,
    access: AccessKind,
    electronic: bool,
    extended_to: dt.date | None = None,
    records_out_of_state: bool = False,
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
        if records_out_of_state and rule.out_of_state_days is not None:
            days = rule.out_of_state_days
        found.append(
            Deadline(add_days(received, days, rule.counting, rule.state), rule.source, rule)
        )
    return found


def effective_due(
    received: dt.date,
    state: str,
    access: AccessKind,
    electronic: bool,
    extended_to: dt.date | None = None,
    records_out_of_state: bool = False,
) -> Deadline:
    """The earliest deadline that applies (160.203: the stricter state law controls)."""
    return min(
        applicable_deadlines(
            received, state, access, electronic, extended_to, records_out_of_state
        ),
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
