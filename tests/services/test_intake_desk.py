"""Intake and desk services: store, clarifications, verification, fees, attachments, queue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accessdesk_gui.domain.errors import InvalidInput, RuleViolation
from accessdesk_gui.domain.fees import FeeComponent, FeeLine, FeeMethod
from accessdesk_gui.domain.intake import (
    Delivery,
    RequesterKind,
    VerificationMethod,
)
from accessdesk_gui.services import desk as desk_service
from accessdesk_gui.services import requests
from accessdesk_gui.services.requests import DueWindow, Query, View
from accessdesk_gui.store import audit
from tests.conftest import make_intake

TODAY = dt.date(2026, 3, 1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_unsigned_directive_is_logged_incomplete_with_clock_running(store, desk) -> None:
    rid = requests.log_request(
        store,
        desk,
        make_intake(
            requester_kind=RequesterKind.THIRD_PARTY_DIRECTIVE,
            delivery=Delivery.THIRD_PARTY,
            directive_recipient="Lakeside Law",
        ),
        today=TODAY,
    )
    d = requests.get_request(store, desk, rid, today=TODAY)
    assert d.incomplete and len(d.clarifications) == 2
    assert d.effective_due == dt.date(2026, 3, 2)  # received 2026-01-31 + 30, not paused
    assert [
        r.id for r in requests.list_requests(store, desk, Query(view=View.INCOMPLETE, today=TODAY))
    ] == [rid]
    todo = desk_service.clarify(
        store, desk, rid, directive_signed=True, directive_destination="Fax 555-010-0101"
    )
    assert todo == []
    d = requests.get_request(store, desk, rid, today=TODAY)
    assert not d.incomplete and d.effective_due == dt.date(2026, 3, 2)
    assert requests.count_requests(store, desk, Query(view=View.INCOMPLETE, today=TODAY)) == 0


def test_fulfilment_is_refused_before_verification_but_clock_runs(store, desk) -> None:
    rid = requests.log_request(store, desk, make_intake(verification=None), today=TODAY)
    with pytest.raises(RuleViolation, match=r"164\.514"):
        requests.fulfil(store, desk, rid, dt.date(2026, 2, 10))
    assert requests.get_request(store, desk, rid).status.value == "received"
    with pytest.raises(InvalidInput):
        desk_service.verify(store, desk, rid, VerificationMethod.PHOTO_ID, dt.date(2026, 1, 1))
    desk_service.verify(
        store, desk, rid, VerificationMethod.CALLBACK, dt.date(2026, 2, 3), today=TODAY
    )
    d = requests.get_request(store, desk, rid)
    assert (d.verified_method, d.verified_by, d.verified_on) == (
        "callback",
        "Dee Desk",
        dt.date(2026, 2, 3),
    )
    assert d.effective_due == dt.date(2026, 3, 2)
    requests.fulfil(store, desk, rid, dt.date(2026, 2, 10))
    assert requests.get_request(store, desk, rid).status.value == "fulfilled"


def test_possible_duplicate_is_flagged_not_blocked(store, desk) -> None:
    first = requests.log_request(store, desk, make_intake(), today=TODAY)
    second = requests.log_request(
        store,
        desk,
        make_intake(patient_name="ZOE testperson", received=dt.date(2026, 2, 20)),
        today=TODAY,
    )
    later = requests.log_request(
        store, desk, make_intake(received=dt.date(2026, 1, 1) - dt.timedelta(days=45)), today=TODAY
    )
    assert requests.get_request(store, desk, second).possible_duplicate_of == first
    assert requests.get_request(store, desk, first).possible_duplicate_of is None
    assert requests.get_request(store, desk, later).possible_duplicate_of is None


def test_fee_estimate_only_allowed_components_before_work(store, desk) -> None:
    rid = requests.log_request(store, desk, make_intake(), today=TODAY)
    with pytest.raises(InvalidInput, match="search"):
        desk_service.parse_fee_line("search_fee:10")
    with pytest.raises(RuleViolation, match=r"6\.50"):
        desk_service.estimate(
            store,
            desk,
            rid,
            FeeMethod.FLAT_FEE,
            [FeeLine(FeeComponent.COPY_LABOR, Decimal("9"))],
            TODAY,
        )
    est = desk_service.estimate(
        store,
        desk,
        rid,
        FeeMethod.FLAT_FEE,
        [desk_service.parse_fee_line("copy_labor:6.50")],
        TODAY,
    )
    assert est.total == Decimal("6.50")
    d = requests.get_request(store, desk, rid)
    assert d.fee_total == "6.50" and d.fee_lines[0]["component"] == "copy_labor"
    # An unpaid fee or bill never holds the request: work and fulfilment go ahead.
    requests.start(store, desk, rid, dt.date(2026, 2, 2))
    with pytest.raises(RuleViolation, match="before the work"):
        desk_service.estimate(store, desk, rid, FeeMethod.ACTUAL_COST, [], TODAY)
    requests.fulfil(store, desk, rid, dt.date(2026, 2, 5))


def test_attachment_kept_in_store_and_viewable(store, desk) -> None:
    rid = requests.log_request(store, desk, make_intake(), today=TODAY)
    aid = desk_service.attach(store, desk, rid, "/scans/request 李.pdf", PDF)
    name, media, data = desk_service.attachment_data(store, desk, aid)
    assert (name, media, data) == ("request 李.pdf", "application/pdf", PDF)
    d = requests.get_request(store, desk, rid)
    assert [a.filename for a in d.attachments] == ["request 李.pdf"]
    with pytest.raises(InvalidInput, match="not a PDF"):
        desk_service.attach(store, desk, rid, "x.exe", b"MZ\x90\x00")
    with pytest.raises(InvalidInput, match="empty"):
        desk_service.attach(store, desk, rid, "x.pdf", b"")
    with store.read() as s:
        assert audit.verify(s).ok


def test_notes_and_language_show_in_detail(store, desk) -> None:
    rid = requests.log_request(store, desk, make_intake(preferred_language="es"), today=TODAY)
    desk_service.add_note(store, desk, rid, "Llamó la hija; prefiere recoger en persona.")
    d = requests.get_request(store, desk, rid)
    assert d.preferred_language == "es" and d.to_json()["preferred_language"] == "es"
    assert d.timeline[-1].kind == "note"
    with pytest.raises(InvalidInput):
        desk_service.add_note(store, desk, rid, "   ")


def test_filters_and_saved_views(store, desk, admin) -> None:
    def log(**kw: object) -> int:
        return requests.log_request(store, desk, make_intake(**kw), today=TODAY)

    soon = log(received=dt.date(2026, 2, 1))  # due 2026-03-03
    later = log(patient_name="Nguyễn Later", received=dt.date(2026, 2, 20))  # due 03-22
    late = log(patient_name="Amara Late", received=dt.date(2026, 1, 10))  # overdue
    rep = log(
        patient_name="Child Example",
        requester_kind=RequesterKind.PERSONAL_REPRESENTATIVE,
        requester_name="Pat Parent",
        requester_relationship="parent",
        received=dt.date(2026, 2, 25),
    )
    requests.assign(store, admin, later, desk.user_id)

    def ids(**kw: object) -> set[int]:
        return {r.id for r in requests.list_requests(store, desk, Query(today=TODAY, **kw))}

    assert ids(due_within=DueWindow.OVERDUE) == {late}
    assert ids(due_within=DueWindow.DAYS_3) == {soon}
    assert ids(view=View.DUE_WEEK) == {soon}  # a Sunday: up to next Friday
    assert ids(view=View.MINE, me_id=desk.user_id) == {later}
    assert ids(assignee_id=desk.user_id) == {later}
    assert ids(requester_kind="personal_representative") == {rep}
    assert ids(search="NGUYEN") == {later}
    assert ids(search=f"#{late}") == {late}
    assert ids(view=View.AWAITING_SIGN_OFF) == set()
    rem = desk_service.reminders(store, desk, TODAY)
    assert rem.overdue == 1 and "OVERDUE" in rem.text()
