"""The printable fee notice (access-rules 3.6): the practice's method and its state's rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from accessdesk_gui.domain.fees import FeeComponent, FeeMethod, Unit
from accessdesk_gui.letters.fee_notice import ScheduleItem, render_fee_notice
from accessdesk_gui.letters.model import Letterhead
from tests.letters.conftest import page_texts

HEAD = Letterhead("Hudson Valley Clinic", ("5 River Rd", "Kingston, NY 12401"), "555-010-0111")
DAY = dt.date(2026, 12, 2)


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(page_texts(pdf)).split())


def test_average_schedule_lists_its_items_and_new_yorks_limits() -> None:
    items = [
        ScheduleItem(FeeComponent.COPY_LABOR, Decimal("0.50"), Unit.PAGE, "paper records only"),
        ScheduleItem(FeeComponent.PORTABLE_MEDIA, Decimal("3"), Unit.ITEM),
    ]
    pdf = render_fee_notice(HEAD, "NY", FeeMethod.AVERAGE_SCHEDULE, items=items, printed=DAY)
    text = _text(pdf)
    assert "schedule of our average costs" in text
    assert "$0.50 a page" in text and "$3.00 each" in text
    assert "N.Y. Pub. Health Law 18(2)(e)" in text and "$0.75 a page" in text
    assert "Is this copy for a benefit claim or appeal?" in text
    assert "Hudson Valley Clinic" in text and "2026-12-02" in text


def test_a_state_without_fee_rules_prints_no_state_section() -> None:
    text = _text(render_fee_notice(HEAD, "OR", FeeMethod.ACTUAL_COST, printed=DAY))
    assert "actual cost" in text
    assert "State law" not in text and "benefit claim" not in text
    assert "never hold back your records because of an unpaid bill" in text


def test_same_input_same_bytes() -> None:
    a = render_fee_notice(HEAD, "CT", FeeMethod.FLAT_FEE, Decimal("5"), printed=DAY)
    assert a == render_fee_notice(HEAD, "CT", FeeMethod.FLAT_FEE, Decimal("5"), printed=DAY)
    assert "flat fee of $5.00" in _text(a) and "Conn. Gen. Stat. 20-7c" in _text(a)
