"""164.528 as the accounting rules state it (access-rules 9)."""

from __future__ import annotations

import datetime as dt

import pytest

from accessdesk_gui.domain import disclosures as dc
from accessdesk_gui.domain.errors import InvalidInput, RuleViolation
from accessdesk_gui.domain.right_clocks import ACCOUNTING_CLOCK, check_extension

ASKED = dt.date(2026, 6, 15)


def d(
    i: int,
    on: dt.date,
    recipient: str = "County Health Dept",
    purpose: str = "Disease report",
    **kw: object,
) -> dc.Disclosure:
    return dc.Disclosure(i, on, recipient, "Lab results", purpose, **kw)  # type: ignore[arg-type]


def test_six_years_back_and_not_one_day_more() -> None:
    assert dc.check_period(ASKED, None, None) == (dt.date(2020, 6, 15), ASKED)
    assert dc.check_period(ASKED, dt.date(2020, 6, 15), None)[0] == dt.date(2020, 6, 15)
    with pytest.raises(RuleViolation, match="six years"):
        dc.check_period(ASKED, dt.date(2020, 6, 14), None)
    assert dc.check_period(dt.date(2028, 2, 29), None, None)[0] == dt.date(2022, 2, 28)


def test_a_shorter_period_may_be_asked_for() -> None:
    assert dc.check_period(ASKED, dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == (
        dt.date(2025, 1, 1),
        dt.date(2025, 12, 31),
    )
    with pytest.raises(InvalidInput):
        dc.check_period(ASKED, None, ASKED + dt.timedelta(1))


def test_exempt_kinds_are_left_out_each_with_its_reason() -> None:
    rows = [
        d(1, dt.date(2025, 1, 5)),
        d(2, dt.date(2025, 2, 5), "Dr. Ortiz", "Referral", exemption=dc.Exemption.TPO),
        d(3, dt.date(2025, 3, 5), "Lakeside Law", "", exemption=dc.Exemption.AUTHORIZATION),
        d(4, dt.date(2025, 3, 6), "Sun Insurance", "", exemption=dc.Exemption.ACCESS_DIRECTIVE),
    ]
    acc = dc.build_accounting(rows, dt.date(2020, 6, 15), ASKED, ASKED)
    assert [line.first.id for line in acc.lines] == [1]
    reasons = {lo.disclosure.id: lo.reason for lo in acc.left_out}
    assert "164.528(a)(1)(i)" in reasons[2]
    assert "164.528(a)(1)(iv)" in reasons[3]
    assert "164.524(c)(3)(ii)" in reasons[4]
    assert set(dc.EXEMPTION_REASONS) == set(dc.Exemption)


def test_repeated_disclosures_to_one_recipient_for_one_purpose_are_summarised() -> None:
    rows = [d(i, dt.date(2025, m, 1)) for i, m in enumerate((1, 4, 7), start=1)]
    rows.append(d(9, dt.date(2025, 5, 1), "State Board", "Licensing inquiry"))
    acc = dc.build_accounting(rows, dt.date(2020, 6, 15), ASKED, ASKED)
    first = acc.lines[0]
    assert (first.first.id, first.count, first.last_on) == (1, 3, dt.date(2025, 7, 1))
    assert acc.lines[1].first.id == 9 and not acc.lines[1].summarised
    assert (
        len(dc.build_accounting(rows, dt.date(2020, 6, 15), ASKED, ASKED, summarise=False).lines)
        == 4
    )


def test_a_suspension_leaves_out_that_agency_while_it_lasts() -> None:
    s = dc.check_suspension(
        dc.Suspension("FBI Field Office", dt.date(2026, 6, 1), dt.date(2026, 6, 30), written=True)
    )
    rows = [
        d(1, dt.date(2026, 5, 1), "FBI Field Office", "Investigation"),
        d(2, dt.date(2026, 5, 2)),
    ]
    during = dc.build_accounting(rows, dt.date(2020, 6, 15), ASKED, ASKED, [s])
    assert [line.first.id for line in during.lines] == [2]
    assert "164.528(a)(2)" in during.left_out[0].reason
    after = dc.build_accounting(rows, dt.date(2020, 6, 15), ASKED, dt.date(2026, 7, 1), [s])
    assert len(after.lines) == 2


def test_an_oral_suspension_lasts_thirty_days_at_most_and_is_documented() -> None:
    start = dt.date(2026, 6, 1)
    dc.check_suspension(
        dc.Suspension("Sheriff", start, start + dt.timedelta(30), False, "Det. Ray, by phone")
    )
    with pytest.raises(RuleViolation, match="at most 30 days"):
        dc.check_suspension(
            dc.Suspension("Sheriff", start, start + dt.timedelta(31), False, "Det. Ray")
        )
    with pytest.raises(InvalidInput, match="document"):
        dc.check_suspension(dc.Suspension("Sheriff", start, start + dt.timedelta(5), False, ""))


def test_each_entry_has_what_164_528_b_2_asks() -> None:
    dc.check_disclosure(d(1, ASKED), ASKED)
    dc.check_disclosure(
        dc.Disclosure(1, ASKED, "Court", "Records", written_request="Subpoena 26-114"), ASKED
    )
    with pytest.raises(InvalidInput, match="purpose"):
        dc.check_disclosure(d(1, ASKED, purpose=""), ASKED)
    dc.check_disclosure(d(1, ASKED, purpose="", exemption=dc.Exemption.TPO), ASKED)
    with pytest.raises(InvalidInput, match="recipient"):
        dc.check_disclosure(d(1, ASKED, recipient=" "), ASKED)


def test_first_accounting_in_twelve_months_free_then_fee_told_first() -> None:
    assert not dc.fee_may_apply(ASKED, [])
    assert not dc.fee_may_apply(ASKED, [ASKED - dt.timedelta(365)])
    assert dc.fee_may_apply(ASKED, [ASKED - dt.timedelta(364)])
    dc.check_fee_before_producing(False, False, False)
    with pytest.raises(RuleViolation, match="tell the patient the fee"):
        dc.check_fee_before_producing(True, False, False)
    with pytest.raises(RuleViolation, match="withdraw"):
        dc.check_fee_before_producing(True, True, False)
    dc.check_fee_before_producing(True, True, True)


def test_accounting_clock_sixty_plus_one_thirty_day_extension() -> None:
    assert ACCOUNTING_CLOCK.due(ASKED) == ASKED + dt.timedelta(60)
    with pytest.raises(RuleViolation, match=r"164\.528\(c\)\(1\)\(ii\)"):
        check_extension(
            ACCOUNTING_CLOCK, ASKED, ASKED + dt.timedelta(61), "x", ASKED + dt.timedelta(80), False
        )
