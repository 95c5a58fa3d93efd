"""A directive is never fulfilled for Part 2 records without the patient's Part 2 consent
recorded (42 CFR 2.31, 2.33; access-rules 11.5); the patient's own request is not held."""

from __future__ import annotations

import datetime as dt

import pytest

from accessdesk_gui.domain.errors import RuleViolation
from accessdesk_gui.domain.intake import Delivery, RequesterKind
from accessdesk_gui.services import drs, part2, requests
from tests.conftest import make_intake
from tests.domain.test_part2 import part2_map

D = dt.date
TODAY = D(2026, 3, 1)
DIRECTIVE = dict(
    requester_kind=RequesterKind.THIRD_PARTY_DIRECTIVE,
    delivery=Delivery.THIRD_PARTY,
    directive_recipient="Lakeside Law",
    directive_signed=True,
    directive_destination="Fax 555-010-0101",
    whole_drs=True,
)


@pytest.fixture
def part2_office(store, admin):
    drs.save_map(store, admin, part2_map(), D(2025, 1, 1), today=TODAY)
    return store


def test_a_directive_with_part2_records_waits_for_the_recorded_consent(part2_office, desk) -> None:
    store = part2_office
    rid = requests.log_request(store, desk, make_intake(**DIRECTIVE), today=TODAY)
    with pytest.raises(RuleViolation, match=r"Part 2 records.*2\.31"):
        requests.fulfil(store, desk, rid, D(2026, 2, 10), open_items_confirmed=True)
    assert requests.get_request(store, desk, rid).status.value == "received"

    part2.record_part2_consent(store, desk, rid, D(2026, 2, 5), "Signed consent, Lakeside Law")
    requests.fulfil(store, desk, rid, D(2026, 2, 10), open_items_confirmed=True)
    d = requests.get_request(store, desk, rid)
    assert d.status.value == "fulfilled"
    assert any("Part 2 consent recorded" in e.summary for e in d.timeline)


def test_the_patients_own_request_is_not_held_for_part2_consent(part2_office, desk) -> None:
    store = part2_office
    rid = requests.log_request(store, desk, make_intake(whole_drs=True), today=TODAY)
    requests.fulfil(store, desk, rid, D(2026, 2, 10), open_items_confirmed=True)
    assert requests.get_request(store, desk, rid).status.value == "fulfilled"
    with pytest.raises(RuleViolation, match="needs none"):
        part2.record_part2_consent(store, desk, rid, D(2026, 2, 5), "not needed")


def test_a_directive_outside_part2_records_needs_no_consent(part2_office, desk) -> None:
    store = part2_office
    billing = {**DIRECTIVE, "whole_drs": False, "categories": ("billing",)}
    rid = requests.log_request(store, desk, make_intake(**billing), today=TODAY)
    requests.fulfil(store, desk, rid, D(2026, 2, 10), open_items_confirmed=True)
    assert requests.get_request(store, desk, rid).status.value == "fulfilled"
