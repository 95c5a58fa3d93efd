"""State deadlines as data: each rule, each state's own holiday calendar, and the edges."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accessdesk_gui.domain import deadlines as d
from accessdesk_gui.domain.deadlines import AccessKind, Counting, Mark

D = dt.date
TEN_YEARS = st.dates(min_value=D(2020, 1, 1), max_value=D(2029, 12, 31))


def _days_off(state: str | None, year: int) -> set[dt.date]:
    """Holidays straight from the package, minus the calendar's declared working days."""
    if state is None:
        return set(holidays.country_holidays("US", years=year))
    keep = d.calendar_for(state).working_anyway
    found = holidays.country_holidays("US", subdiv=state, years=year)
    return {
        day
        for day, name in found.items()
        if any(part.replace("(observed)", "").strip() not in keep for part in name.split(";"))
    }


def _plain_count(received: dt.date, n: int, state: str | None) -> dt.date:
    """Walk the calendar one day at a time, counting the working days."""
    day, seen = received, 0
    while seen < n:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in _days_off(state, day.year):
            seen += 1
    return day


def _expected(rule: d.StateRule, received: dt.date) -> dt.date:
    if rule.counting is Counting.CALENDAR:
        return received + dt.timedelta(days=rule.days)
    on_state = _plain_count(received, rule.days, rule.state)
    if d.calendar_for(rule.state).known:
        return on_state
    return min(on_state, _plain_count(received, rule.days, None))


def _access_for(rule: d.StateRule) -> tuple[AccessKind, bool]:
    if rule.applies_to is d.AppliesTo.INSPECTION:
        return AccessKind.INSPECT, False
    return AccessKind.COPY, rule.applies_to is d.AppliesTo.ELECTRONIC_COPY_OF_EHR


@settings(max_examples=300, deadline=None)
@given(TEN_YEARS, st.sampled_from(d.STATE_RULES))
def test_every_state_rule_matches_a_plain_day_by_day_count(
    received: dt.date, rule: d.StateRule
) -> None:
    access, electronic = _access_for(rule)
    found = [
        x
        for x in d.applicable_deadlines(received, rule.state, access, electronic)
        if x.rule == rule
    ]
    assert [x.due for x in found] == [_expected(rule, received)]
    effective = d.effective_due(received, rule.state, access, electronic)
    assert effective.due == min(d.federal_due(received), found[0].due)


@settings(max_examples=200, deadline=None)
@given(TEN_YEARS, st.sampled_from(sorted(d.STATE_CALENDARS)), st.integers(1, 25))
def test_a_working_day_count_lands_on_a_working_day_of_that_state(
    received: dt.date, state: str, n: int
) -> None:
    due = d.add_business_days(received, n, state)
    assert due.weekday() < 5
    if d.calendar_for(state).known:
        assert due not in _days_off(state, due.year)


def test_every_rule_has_a_code_a_citation_and_a_mark() -> None:
    codes = [r.code for r in d.STATE_RULES]
    sources = [r.source for r in d.STATE_RULES]
    assert len(set(codes)) == len(codes)
    assert len(set(sources)) == len(sources)  # request show --json finds the rule by its citation
    for rule in d.STATE_RULES:
        assert rule.source and rule.mark in Mark
        assert d.rule_by_code(rule.code.lower()) is rule
        assert d.rule_by_source(rule.source) is rule


def test_rules_marked_s_say_verify_before_relying() -> None:
    secondary = {r.code for r in d.STATE_RULES if r.mark is Mark.SECONDARY}
    assert secondary == {"CA-INSPECT", "CA-COPY", "LA-ANY", "CO-FACILITY"}
    for rule in d.STATE_RULES:
        assert ("Verify before relying" in rule.note) is (rule.code in secondary)


def test_the_digest_states_are_all_encoded() -> None:
    states = {r.state for r in d.STATE_RULES}
    assert {"CA", "TX", "WA", "TN", "MD", "NV", "NY", "LA", "CO"} <= states


def test_montana_is_deliberately_not_encoded_with_the_reason() -> None:
    assert d.rules_for_state("MT") == ()
    (mt,) = [n for n in d.NOT_ENCODED if n.state == "MT"]
    assert "50-16-541" in mt.source and "covered entit" in mt.reason
    assert d.effective_due(D(2026, 3, 2), "MT", AccessKind.COPY, False).rule is None


# -- Texas ----------------------------------------------------------------------------------


def test_texas_physician_paper_records_are_fifteen_business_days() -> None:
    # Occ. Code 159.006(d) covers paper too: no longer the federal 30 days.
    due = d.effective_due(D(2026, 3, 2), "TX", AccessKind.COPY, electronic=False)
    assert due.due == D(2026, 3, 23)
    assert due.source == "Tex. Occ. Code 159.006(d)" and due.rule is not None
    assert due.rule.mark is Mark.VERIFIED


def test_texas_electronic_copy_is_bound_by_both_rules() -> None:
    found = d.applicable_deadlines(D(2026, 3, 2), "TX", AccessKind.COPY, electronic=True)
    assert {x.source for x in found[1:]} == {
        "Tex. Occ. Code 159.006(d)",
        "Tex. Health & Safety Code 181.102",
    }


def test_columbus_day_is_a_working_day_in_texas() -> None:
    # A federal holiday Texas does not keep (Gov't Code 662.003(a)) counts there.
    assert not d.is_business_day(D(2026, 10, 12))
    assert d.is_business_day(D(2026, 10, 12), "TX")
    # Received Friday 2026-10-09: 15 business days from Monday the 12th is Friday the 30th.
    assert d.effective_due(D(2026, 10, 9), "TX", AccessKind.COPY, False).due == D(2026, 10, 30)


def test_texas_state_only_holidays_are_skipped() -> None:
    # Friday after Thanksgiving (2026-11-27) and 2026-12-24 close Texas state offices.
    assert not d.is_business_day(D(2026, 11, 27), "TX")
    assert not d.is_business_day(D(2026, 12, 24), "TX")
    assert d.is_business_day(D(2026, 11, 27))  # not a federal holiday
    due = d.effective_due(D(2026, 11, 16), "TX", AccessKind.COPY, False)
    assert due.due == D(2026, 12, 9)  # the federal calendar alone would say 12-08


def test_texas_skeleton_crew_and_optional_holidays_count_as_working_days() -> None:
    # Texas Independence Day (Mon 2026-03-02), Cesar Chavez Day (Tue 03-31), Good Friday
    # (04-03): state offices stay open or the day is optional: the earlier date is taken.
    for day in (D(2026, 3, 2), D(2026, 3, 31), D(2026, 4, 3), D(2026, 4, 21)):
        assert d.is_business_day(day, "TX"), day


# -- other states -----------------------------------------------------------------------------


def test_tennessee_ten_working_days_across_a_month_end_and_memorial_day() -> None:
    # Received Friday 2026-05-22; Memorial Day 25th skipped; 26-29, June 1-5, June 8.
    due = d.effective_due(D(2026, 5, 22), "TN", AccessKind.COPY, False)
    assert due.due == D(2026, 6, 8) and due.rule is not None and due.rule.code == "TN-ANY"


def test_tennessee_good_friday_is_skipped() -> None:
    assert not d.is_business_day(D(2026, 4, 3), "TN")
    assert d.add_business_days(D(2026, 4, 2), 1, "TN") == D(2026, 4, 6)


def test_maryland_twenty_one_working_days_skips_its_own_holidays() -> None:
    # Columbus Day and American Indian Heritage Day (Friday after Thanksgiving) are MD holidays.
    assert not d.is_business_day(D(2026, 10, 12), "MD")
    assert not d.is_business_day(D(2026, 11, 27), "MD")
    due = d.effective_due(D(2026, 9, 1), "MD", AccessKind.COPY, False)
    # Sept: 2-4 (3), 8-11 (7, Labor Day 7th), 14-18 (12), 21-25 (17), 28-30 and Oct 1 (21).
    assert due.due == D(2026, 10, 1)


def test_maryland_inauguration_day_is_a_working_day() -> None:
    # The package lists the presidential inauguration (Thursday 2033-01-20) for Maryland; it
    # closes state offices only, so a practice's working day.
    assert "Inauguration Day" in holidays.country_holidays("US", subdiv="MD", years=2033).get_list(
        D(2033, 1, 20)
    )
    assert d.is_business_day(D(2033, 1, 20), "MD")


def test_nevada_inspection_ten_working_days_skipping_nevada_day() -> None:
    # Received Friday 2026-10-23; Nevada Day Friday 10-30 skipped.
    assert not d.is_business_day(D(2026, 10, 30), "NV")
    due = d.effective_due(D(2026, 10, 23), "NV", AccessKind.INSPECT, False)
    assert due.due == D(2026, 11, 9)
    copy = d.effective_due(D(2026, 10, 23), "NV", AccessKind.COPY, False)
    assert copy.rule is None  # NRS 629.061(2) is about inspection


def test_nevada_records_kept_out_of_state_allow_twenty_working_days() -> None:
    received = D(2026, 3, 2)
    near = d.effective_due(received, "NV", AccessKind.INSPECT, False)
    far = d.effective_due(received, "NV", AccessKind.INSPECT, False, records_out_of_state=True)
    assert near.due == D(2026, 3, 16)
    assert far.due == D(2026, 3, 30)


def test_new_york_inspection_ten_calendar_days_across_a_month_end() -> None:
    due = d.effective_due(D(2026, 2, 25), "NY", AccessKind.INSPECT, False)
    assert due.due == D(2026, 3, 7) and due.rule is not None and due.rule.mark is Mark.OFFICIAL
    assert d.effective_due(D(2026, 2, 25), "NY", AccessKind.COPY, False).rule is None


def test_louisiana_fifteen_days_and_verify_before_relying() -> None:
    due = d.effective_due(D(2026, 1, 20), "LA", AccessKind.COPY, False)
    assert due.due == D(2026, 2, 4)
    assert due.verify_before_relying


def test_colorado_unknown_calendar_takes_the_earlier_count() -> None:
    # Colorado keeps Cabrini Day (Mon 2026-10-05) instead of Columbus Day (10-12). Received
    # Wednesday 10-07: on Colorado's calendar 10 days end 10-21; on the federal one 10-22.
    assert not d.calendar_for("CO").known
    assert d.add_business_days(D(2026, 10, 7), 10) == D(2026, 10, 22)
    due = d.effective_due(D(2026, 10, 7), "CO", AccessKind.COPY, False)
    assert due.due == D(2026, 10, 21)


@pytest.mark.parametrize("state", ["WA", "TN", "NV", "TX"])
def test_weekends_never_count(state: str) -> None:
    # Friday 2026-06-05 + 1 working day is Monday 06-08 everywhere.
    assert d.add_business_days(D(2026, 6, 5), 1, state) == D(2026, 6, 8)


def test_washington_native_american_heritage_day_is_skipped() -> None:
    assert not d.is_business_day(D(2026, 11, 27), "WA")
    assert d.is_business_day(D(2026, 10, 12), "WA")  # no Columbus Day in RCW 1.16.050
