import datetime as dt

import pytest
from sqlalchemy import func, select

from accessdesk_gui.domain.errors import InvalidInput, RuleViolation
from accessdesk_gui.domain.lifecycle import Action, Status
from accessdesk_gui.services import auth, requests
from accessdesk_gui.services.errors import AuthenticationFailed, NotFound, PermissionDenied
from accessdesk_gui.services.requests import Query, SortKey, View
from accessdesk_gui.store import audit
from accessdesk_gui.store.models import AccessRequest, AuditEntry, TimelineEvent
from tests.conftest import PASSWORD, make_intake

TODAY = dt.date(2026, 2, 10)


def _audit_rows(store):
    with store.read() as s:
        rows = s.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        s.expunge_all()
        return rows


def test_logging_a_request_sets_due_and_writes_timeline_and_audit(store, desk) -> None:
    before = len(_audit_rows(store))
    rid = requests.log_request(store, desk, make_intake(), today=TODAY)
    d = requests.get_request(store, desk, rid, today=TODAY)
    assert d.status is Status.RECEIVED
    assert d.effective_due == dt.date(2026, 3, 2)
    assert [e.kind for e in d.timeline] == ["received"]
    rows = _audit_rows(store)
    assert len(rows) == before + 2
    assert rows[-2].action == "request_received" and rows[-2].username == "desk"
    assert '"status":"received"' in rows[-2].after
    assert rows[-2].patient_ref == f"request:{rid}" and rows[-2].event_at == "2026-01-31"
    # Reading it is on the trail too (who viewed whose record).
    assert (rows[-1].action, rows[-1].username) == ("request_viewed", "desk")
    assert rows[-1].patient_ref == f"request:{rid}"


def test_change_and_audit_commit_together_or_not_at_all(store, desk, monkeypatch) -> None:
    def broken(*a, **k):
        raise RuntimeError("audit write failed")

    monkeypatch.setattr(audit, "append", broken)
    with pytest.raises(RuntimeError):
        requests.log_request(store, desk, make_intake(), today=TODAY)
    with store.read() as s:
        assert s.scalar(select(func.count(AccessRequest.id))) == 0
        assert s.scalar(select(func.count(TimelineEvent.id))) == 0


def test_whole_lifecycle_leaves_a_timeline_and_a_verifiable_chain(store, desk) -> None:
    rid = requests.log_request(store, desk, make_intake(), today=TODAY)
    requests.start(store, desk, rid, dt.date(2026, 2, 1))
    requests.extend(
        store, desk, rid, dt.date(2026, 2, 20), "Archived records", dt.date(2026, 3, 25)
    )
    d = requests.get_request(store, desk, rid, today=TODAY)
    assert d.status is Status.EXTENDED
    assert d.effective_due == dt.date(2026, 3, 25)
    assert d.original_due == dt.date(2026, 3, 2)
    assert Action.EXTEND not in d.actions
    requests.fulfil(store, desk, rid, dt.date(2026, 3, 20), "Portal upload")
    d = requests.get_request(store, desk, rid, today=TODAY)
    assert d.status is Status.FULFILLED and d.actions == []
    assert [e.kind for e in d.timeline] == ["received", "start", "extend", "fulfil"]
    with store.read() as s:
        assert audit.verify(s).ok


def test_second_extension_is_refused_and_nothing_changes(store, desk) -> None:
    rid = requests.log_request(store, desk, make_intake(), today=TODAY)
    requests.extend(store, desk, rid, dt.date(2026, 2, 5), "Off site", dt.date(2026, 3, 20))
    n = len(_audit_rows(store))
    with pytest.raises(RuleViolation, match="only one extension"):
        requests.extend(store, desk, rid, dt.date(2026, 2, 6), "Again", dt.date(2026, 3, 30))
    assert len(_audit_rows(store)) == n
    assert requests.get_request(store, desk, rid).effective_due == dt.date(2026, 3, 20)


def test_late_extension_is_refused(store, desk) -> None:
    rid = requests.log_request(store, desk, make_intake(), today=TODAY)
    with pytest.raises(RuleViolation, match="Too late"):
        requests.extend(store, desk, rid, dt.date(2026, 3, 3), "Late", dt.date(2026, 3, 30))
    assert requests.get_request(store, desk, rid).status is Status.RECEIVED


def test_closed_request_cannot_be_withdrawn(store, desk) -> None:
    rid = requests.log_request(store, desk, make_intake(), today=TODAY)
    requests.fulfil(store, desk, rid, dt.date(2026, 2, 3))
    with pytest.raises(RuleViolation, match="closed"):
        requests.withdraw(store, desk, rid, dt.date(2026, 2, 4), "changed mind")


def test_event_before_receipt_is_refused(store, desk) -> None:
    rid = requests.log_request(store, desk, make_intake(), today=TODAY)
    with pytest.raises(RuleViolation, match="before the request was received"):
        requests.fulfil(store, desk, rid, dt.date(2026, 1, 1))


def test_late_fulfilment_is_recorded_as_late(store, desk) -> None:
    rid = requests.log_request(store, desk, make_intake(), today=TODAY)
    requests.fulfil(store, desk, rid, dt.date(2026, 3, 5))
    d = requests.get_request(store, desk, rid)
    assert "3 days after the due date" in d.timeline[-1].summary


def test_unknown_request(store, desk) -> None:
    with pytest.raises(NotFound, match="no request number 999"):
        requests.get_request(store, desk, 999)


def test_invalid_intake_saves_nothing(store, desk) -> None:
    with pytest.raises(InvalidInput):
        requests.log_request(store, desk, make_intake(patient_name=""), today=TODAY)
    assert requests.count_requests(store, desk, Query(view=View.ALL)) == 0


def _seed_queue(store, desk):
    names = ["Nguyễn Thị Lan", "Zoë Example", "Bob Plain", "Ann O'Brien"]
    ids = []
    for i, name in enumerate(names):
        received = dt.date(2026, 1, 1) + dt.timedelta(days=10 * i)
        ids.append(
            requests.log_request(
                store, desk, make_intake(patient_name=name, received=received), today=TODAY
            )
        )
    return ids


def test_queue_search_ignores_accents(store, desk) -> None:
    _seed_queue(store, desk)
    found = requests.list_requests(store, desk, Query(view=View.ALL, search="nguyen"))
    assert [r.patient_name for r in found] == ["Nguyễn Thị Lan"]
    found = requests.list_requests(store, desk, Query(view=View.ALL, search="ZOE"))
    assert [r.patient_name for r in found] == ["Zoë Example"]


def test_queue_views_and_sorting(store, desk) -> None:
    ids = _seed_queue(store, desk)
    today = dt.date(2026, 2, 5)  # first request (due Jan 31) overdue; second due Feb 10
    q = Query(view=View.OVERDUE, today=today)
    assert [r.id for r in requests.list_requests(store, desk, q)] == [ids[0]]
    q = Query(view=View.DUE_7, today=today)
    assert [r.id for r in requests.list_requests(store, desk, q)] == [ids[1]]
    requests.fulfil(store, desk, ids[0], dt.date(2026, 2, 1))
    assert requests.count_requests(store, desk, Query(view=View.OPEN)) == 3
    assert requests.count_requests(store, desk, Query(view=View.CLOSED)) == 1
    by_name = requests.list_requests(store, desk, Query(view=View.ALL, sort=SortKey.PATIENT))
    assert [r.patient_name for r in by_name] == [
        "Ann O'Brien",
        "Bob Plain",
        "Nguyễn Thị Lan",
        "Zoë Example",
    ]
    desc = requests.list_requests(
        store, desk, Query(view=View.ALL, sort=SortKey.DUE, descending=True)
    )
    assert [r.id for r in desc] == list(reversed(ids))


def test_assign_records_who(store, desk, admin) -> None:
    rid = requests.log_request(store, desk, make_intake(), today=TODAY)
    requests.assign(store, desk, rid, admin.user_id)
    d = requests.get_request(store, desk, rid)
    assert d.assignee == "Ada Admin"
    assert d.timeline[-1].summary == "Assigned to Ada Admin."


def test_login_and_roles(store, admin, desk) -> None:
    actor = auth.login(store, "desk", PASSWORD)
    assert actor.username == "desk"
    with pytest.raises(AuthenticationFailed, match="Wrong user name or password"):
        auth.login(store, "desk", "wrong password!!")
    with pytest.raises(AuthenticationFailed):
        auth.login(store, "ghost", PASSWORD)
    with pytest.raises(PermissionDenied, match="privacy_officer"):
        auth.add_user(store, desk, "x", "X Person", PASSWORD, {auth.Role.FRONT_DESK})
    failed = [e for e in _audit_rows(store) if e.action == "login_failed"]
    assert len(failed) == 2


def test_password_is_an_argon2id_hash(store, admin) -> None:
    from accessdesk_gui.store.models import User

    with store.read() as s:
        h = s.scalar(select(User.password_hash).where(User.username == "admin"))
    assert h.startswith("$argon2id$") and PASSWORD not in h


def test_short_password_and_unlicensed_professional_refused(store, admin) -> None:
    with pytest.raises(InvalidInput, match="at least 12"):
        auth.add_user(store, admin, "x", "X", "short", {auth.Role.FRONT_DESK})
    with pytest.raises(InvalidInput, match="licence"):
        auth.add_user(store, admin, "doc", "Dr X", PASSWORD, {auth.Role.LICENSED_PROFESSIONAL})
    doc = auth.add_user(
        store,
        admin,
        "doc",
        "Dr X",
        PASSWORD,
        {auth.Role.LICENSED_PROFESSIONAL, auth.Role.FRONT_DESK},
        "MD",
        "A12345",
    )
    assert doc.roles == {auth.Role.LICENSED_PROFESSIONAL, auth.Role.FRONT_DESK}
    assert doc.licence_type == "MD"
