"""The 60-day clocks of the two sibling rights, each with one extension of up to 30 days.

- Amendment, 45 CFR 164.526(b)(2): act no later than 60 days after receipt; if unable, one
  extension of no more than 30 days, by a written statement given within the 60 days with
  the reasons for the delay and the date action will be completed (access-rules 8.2).
- Accounting of disclosures, 45 CFR 164.528(c)(1): the same 60 days and one 30-day
  extension, noticed within the 60 days with the reasons and a date (access-rules 9).

The guards are those of access extensions (domain/deadlines.py ``check_extension``,
164.524(b)(2)(ii)), with each right's own days and citation; the result is the same
``Extension``. Calendar days: weekends and holidays do not move the date (access-rules 1.2,
our reading, applied to these clocks too).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accessdesk_gui.domain.deadlines import Extension
from accessdesk_gui.domain.errors import RuleViolation


@dataclass(frozen=True)
class RightClock:
    """Days to act after receipt, the most one extension may add, and the rule's citation."""

    days: int
    extension_days: int
    citation: str  # the act-by rule
    extension_citation: str  # the extension rule

    def due(self, received: dt.date) -> dt.date:
        return received + dt.timedelta(days=self.days)

    def latest(self, received: dt.date) -> dt.date:
        return self.due(received) + dt.timedelta(days=self.extension_days)


# 164.526(b)(2)(i)-(ii)
AMENDMENT_CLOCK = RightClock(60, 30, "45 CFR 164.526(b)(2)(i)", "45 CFR 164.526(b)(2)(ii)")
# 164.528(c)(1)(i)-(ii)
ACCOUNTING_CLOCK = RightClock(60, 30, "45 CFR 164.528(c)(1)", "45 CFR 164.528(c)(1)(ii)")


def check_extension(
    clock: RightClock,
    received: dt.date,
    notice_date: dt.date,
    reasons: str,
    complete_by: dt.date,
    already_extended: bool,
) -> Extension:
    """The one extension the clock allows, or a RuleViolation saying why not."""
    cite = clock.extension_citation
    if already_extended:
        raise RuleViolation(f"This request was already extended once; {cite} allows only one.")
    original = clock.due(received)
    if notice_date < received:
        raise RuleViolation("The extension notice cannot be dated before the request was received.")
    if notice_date > original:
        raise RuleViolation(
            f"Too late to extend: the written notice had to be given within {clock.days} days "
            f"of receipt, by {original.isoformat()} ({cite})."
        )
    if not reasons.strip():
        raise RuleViolation(f"The written notice must state the reasons for the delay ({cite}).")
    if complete_by <= original:
        raise RuleViolation(
            f"The completion date must be after the original due date {original.isoformat()}; "
            "otherwise no extension is needed."
        )
    latest = clock.latest(received)
    if complete_by > latest:
        raise RuleViolation(
            f"An extension may add at most {clock.extension_days} days: the latest completion "
            f"date is {latest.isoformat()} ({cite})."
        )
    return Extension(notice_date, reasons.strip(), complete_by)


def due_date(clock: RightClock, received: dt.date, extended_to: dt.date | None) -> dt.date:
    """The date action is due: the extended date when there is one."""
    return extended_to if extended_to is not None else clock.due(received)
