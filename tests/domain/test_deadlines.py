import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accessdesk_gui.domain import deadlines as d
from accessdesk_gui.domain.deadlines import AccessKind
from accessdesk_gui.domain.errors import RuleViolation

dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (dt.date(2026, 1, 31), dt.date(2026, 3, 2)),  # across a short February
        (dt.date(2024, 1, 31), dt.date(2024, 3, 1)),  # leap year
        (dt.date(2026, 12, 15), dt.date(2027, 1, 14)),  # across the year end
        (dt.date(2026, 11, 26), dt.date(2026, 12, 26)),  # Thanksgiving does not move it
    ],
)
def test_due_is_thirty_calendar_days_after_receipt(received: dt.date, due: dt.date) -> None:
    assert d.federal_due(received) == due


def test_due_on_a_weekend_is_not_moved() -> None:
    # 2026-02-28 is a Saturday: the rule does not roll forward to Monday (access-rules 1.2).
    assert d.federal_due(dt.date(2026, 1, 29)) == dt.date(2026, 2, 28)


@given(dates)
def test_due_property(received: dt.date) -> None:
    due = d.federal_due(received)
    assert (due - received).days == 30
    assert (d.latest_extended_due(received) - received).days == 60


@given(dates, st.integers(0, 30), st.integers(1, 30))
def test_any_timely_extension_within_thirty_days_is_accepted(
    received: dt.date, notice_after: int, extra: int
) -> None:
    notice = received + dt.timedelta(days=notice_after)
    target = d.federal_due(received) + dt.timedelta(days=extra)
    ext = d.check_extension(received, notice, "Records off site", target, already_extended=False)
    assert ext.complete_by == target


@given(dates, st.integers(31, 400))
def test_an_extension_noticed_after_the_due_date_is_refused(received: dt.date, late: int) -> None:
    notice = received + dt.timedelta(days=late)
    with pytest.raises(RuleViolation, match="Too late"):
        d.check_extension(
            received, notice, "x", d.federal_due(received) + dt.timedelta(days=5), False
        )


def test_second_extension_refused_with_reason() -> None:
    r = dt.date(2026, 3, 1)
    with pytest.raises(RuleViolation, match="only one"):
        d.check_extension(r, r, "again", r + dt.timedelta(days=45), already_extended=True)


@pytest.mark.parametrize(
    ("reasons", "extra_days", "message"),
    [
        ("", 10, "reasons"),
        ("   ", 10, "reasons"),
        ("Off-site records", 31, "at most 30 days"),
        ("Off-site records", 0, "after the original due date"),
    ],
)
def test_extension_needs_reasons_and_a_date_within_thirty_days(
    reasons: str, extra_days: int, message: str
) -> None:
    r = dt.date(2026, 3, 1)
    with pytest.raises(RuleViolation, match=message):
        d.check_extension(r, r, reasons, d.federal_due(r) + dt.timedelta(days=extra_days), False)


def test_notice_before_receipt_refused() -> None:
    r = dt.date(2026, 3, 10)
    with pytest.raises(RuleViolation, match="before the request was received"):
        d.check_extension(r, r - dt.timedelta(days=1), "x", r + dt.timedelta(days=40), False)


def test_federal_only_state_uses_thirty_days() -> None:
    due = d.effective_due(dt.date(2026, 3, 2), "OR", AccessKind.COPY, electronic=True)
    assert due.due == dt.date(2026, 4, 1)
    assert "164.524" in due.source


def test_california_copy_is_fifteen_calendar_days() -> None:
    due = d.effective_due(dt.date(2026, 3, 2), "CA", AccessKind.COPY, electronic=False)
    assert due.due == dt.date(2026, 3, 17)
    assert "123110(b)" in due.source


def test_california_inspection_is_five_working_days() -> None:
    # Received Thursday 2026-05-21; Memorial Day (Mon 25th) is skipped: 22, 26, 27, 28, 29.
    due = d.effective_due(dt.date(2026, 5, 21), "CA", AccessKind.INSPECT, electronic=False)
    assert due.due == dt.date(2026, 5, 29)


def test_texas_paper_copy_is_fifteen_business_days_too() -> None:
    received = dt.date(2026, 3, 2)  # a Monday
    paper = d.effective_due(received, "TX", AccessKind.COPY, electronic=False)
    electronic = d.effective_due(received, "TX", AccessKind.COPY, electronic=True)
    assert paper.due == dt.date(2026, 3, 23)  # Occ. Code 159.006(d)
    assert electronic.due == dt.date(2026, 3, 23)  # 15 business days


def test_washington_delay_notice_allows_twenty_one_working_days() -> None:
    received = dt.date(2026, 3, 2)
    plain = d.effective_due(received, "WA", AccessKind.COPY, electronic=True)
    extended = d.effective_due(
        received, "WA", AccessKind.COPY, electronic=True, extended_to=dt.date(2026, 4, 20)
    )
    assert plain.due == dt.date(2026, 3, 23)
    assert extended.due == dt.date(2026, 3, 31)
    assert extended.source == "RCW 70.02.080"


@given(
    dates,
    st.sampled_from(["OR", "CA", "TX", "WA", "TN", "MD", "NV", "NY", "LA", "CO"]),
    st.sampled_from(list(AccessKind)),
)
def test_effective_due_is_never_later_than_federal(
    received: dt.date, state: str, access: AccessKind
) -> None:
    eff = d.effective_due(received, state, access, electronic=True)
    assert eff.due <= d.federal_due(received)


def test_every_state_rule_has_a_source_and_a_note() -> None:
    for rule in d.STATE_RULES:
        assert rule.source
        assert ("Verify before relying" in rule.note) is (rule.mark is d.Mark.SECONDARY)


@pytest.mark.parametrize(
    ("due_in", "closed", "expected"),
    [
        (-1, False, d.Urgency.OVERDUE),
        (0, False, d.Urgency.DUE_SOON),
        (7, False, d.Urgency.DUE_SOON),
        (8, False, d.Urgency.ON_TRACK),
        (-30, True, d.Urgency.CLOSED),
    ],
)
def test_urgency(due_in: int, closed: bool, expected: d.Urgency) -> None:
    today = dt.date(2026, 6, 1)
    assert d.urgency(today + dt.timedelta(days=due_in), today, closed) is expected
