"""The queue's reads (services/queue.py, plain SQL on the raw connection) against the rules.

Every view, filter, search and sort is checked, for generated queries, against the same
rules applied in Python to every row of a store of invented requests: the SQL must return
the same requests in the same order, and count them the same.
"""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select

from accessdesk_gui.domain import deadlines, lifecycle
from accessdesk_gui.domain.lifecycle import Status
from accessdesk_gui.domain.requesters import RequesterKind, fold_for_search
from accessdesk_gui.domain.roles import Role
from accessdesk_gui.services import auth, practice, queue
from accessdesk_gui.services.queue import DueWindow, Query, SortKey, View
from accessdesk_gui.store.db import Store
from accessdesk_gui.store.models import AccessRequest, User
from tests.conftest import PASSWORD

TODAY = dt.date(2026, 3, 4)  # a Wednesday
NAMES = ["Zoë Example", "Nguyễn Thị Lan", "Ann O'Brien", "李小龍", "Bob Plain", "נועה כהן",
         "Zoe Plain", "José Álvarez", "Mary_Under", "Pct 100% Test"]  # fmt: skip


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, auth.Actor, list[dict]]:
    store = Store.open(tmp_path_factory.mktemp("queue") / "q.sqlite", create=True)
    admin = practice.set_up(
        store,
        practice.PracticeInfo("Q Clinic", "1 St", "555-010-0100", "OR"),
        "admin",
        "Ada",
        PASSWORD,
    )
    desk = auth.add_user(store, admin, "desk", "Dee Desk", PASSWORD, {Role.FRONT_DESK})
    auth.add_user(store, admin, "zed", "Ann Zed", PASSWORD, {Role.FRONT_DESK})
    # Two people with one name: sorting by assignee keeps their requests apart.
    auth.add_user(store, admin, "dee2", "Dee Desk", PASSWORD, {Role.FRONT_DESK})
    with store.read() as s:
        user_ids = list(s.scalars(select(User.id)))
    rng = random.Random(7)
    now = dt.datetime(2026, 3, 4, 9, 0)
    rows = []
    for i in range(1, 121):
        received = TODAY - dt.timedelta(days=rng.randrange(0, 70))
        due = received + dt.timedelta(days=rng.choice([30, 30, 60]))
        name = rng.choice(NAMES)
        kind = rng.choice(list(RequesterKind))
        rows.append(
            {
                "id": i,
                "patient_name": name,
                "patient_fold": fold_for_search(name),
                "patient_dob": dt.date(1970, 1, 1),
                "mrn": rng.choice(["", f"M{i}", "M7", "100"]),
                "received": received,
                "requester_kind": kind.value,
                "requester_name": name if kind is RequesterKind.INDIVIDUAL else f"Rep {i % 7}",
                "scope": "All records",
                "access": "copy",
                "format": "electronic",
                "delivery": "portal",
                "state": "OR",
                "status": rng.choice(list(Status)).value,
                "original_due": due,
                "effective_due": due,
                "due_source": "45 CFR 164.524(b)(2)(i)",
                "assigned_to_id": rng.choice([None, *user_ids]),
                "created_by_id": user_ids[0],
                "created_at": now,
                "incomplete": rng.random() < 0.2,
                "verified_method": rng.choice(["", "photo_id"]),
            }
        )
    with store.write(unaudited="test seed data, not a user action") as s:
        s.execute(insert(AccessRequest), rows)
    names = {u: n for u, n in [(r.id, r.full_name) for r in auth.list_users(store, desk)]}
    for r in rows:
        r["assignee"] = names.get(r["assigned_to_id"])
    yield store, desk, rows
    store.close()


def _matches(r: dict, q: Query) -> bool:
    """The queue's rules, in words: which requests a view, its filters and a search show."""
    open_ = Status(r["status"]) not in lifecycle.CLOSED
    due, today = r["effective_due"], q.today
    friday = today + dt.timedelta(days=(4 - today.weekday()) % 7)
    in_view = {
        View.OPEN: open_,
        View.OVERDUE: open_ and due < today,
        View.DUE_7: open_ and today <= due <= today + dt.timedelta(days=7),
        View.CLOSED: not open_,
        View.ALL: True,
        View.MINE: open_ and r["assigned_to_id"] == q.me_id,
        View.DUE_WEEK: open_ and today <= due <= friday,
        View.INCOMPLETE: open_ and r["incomplete"],
    }[q.view]
    if not in_view:
        return False
    if q.assignee_id is not None and r["assigned_to_id"] != q.assignee_id:
        return False
    if q.status is not None and r["status"] != q.status.value:
        return False
    if q.requester_kind and r["requester_kind"] != q.requester_kind:
        return False
    if q.due_within is DueWindow.OVERDUE and not (open_ and due < today):
        return False
    if q.due_within in (DueWindow.DAYS_3, DueWindow.DAYS_7):
        days = int(q.due_within.value)
        if not (open_ and today <= due <= today + dt.timedelta(days=days)):
            return False
    text = q.search.strip()
    if text:
        number = text.lstrip("#")
        by_number = number.isdigit() and len(number) < 12 and int(number) == r["id"]
        if not (fold_for_search(text) in r["patient_fold"] or r["mrn"] == text or by_number):
            return False
    return True


_KEYS = {
    SortKey.NUMBER: "id",
    SortKey.PATIENT: "patient_fold",
    SortKey.REQUESTER: "requester_name",
    SortKey.RECEIVED: "received",
    SortKey.DUE: "effective_due",
    SortKey.STATUS: "status",
    SortKey.ASSIGNEE: "assignee",
}


def _expected(rows: list[dict], q: Query) -> list[int]:
    field = _KEYS[q.sort]

    def key(r: dict) -> tuple:
        value = r[field]
        whose = (r["assigned_to_id"] or 0) if q.sort is SortKey.ASSIGNEE else 0
        return (value is not None, value if value is not None else "", whose, r["id"])

    shown = sorted((r for r in rows if _matches(r, q)), key=key, reverse=q.descending)
    return [r["id"] for r in shown]


queries = st.builds(
    Query,
    view=st.sampled_from([v for v in View if v is not View.AWAITING_SIGN_OFF]),
    search=st.sampled_from(
        [
            "",
            "zoe",
            "ZOË",
            "nguyen",
            "o'b",
            "李",
            "כהן",
            "M7",
            "100",
            "#12",
            "_",
            "%",
            "plain",
            "  lan ",
            "xyz",
        ]
    ),
    assignee_id=st.sampled_from([None, 1, 2, 3, 4]),
    status=st.none() | st.sampled_from(list(Status)),
    due_within=st.none() | st.sampled_from(list(DueWindow)),
    requester_kind=st.none() | st.sampled_from([k.value for k in RequesterKind]),
    me_id=st.sampled_from([2, 3]),
    sort=st.sampled_from(list(SortKey)),
    descending=st.booleans(),
    today=st.sampled_from([TODAY, TODAY + dt.timedelta(days=3), dt.date(2026, 3, 7)]),
)


@settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=queries)
def test_every_view_filter_search_and_sort_shows_the_rows_the_rules_say(seeded, q) -> None:
    store, desk, rows = seeded
    expected = _expected(rows, q)
    assert queue.count_requests(store, desk, q) == len(expected)
    got = [r.id for r in queue.list_requests(store, desk, q, limit=500)]
    assert got == expected
    # The count and first page together (as the queue's model reads them) agree.
    for limit in (1, 7, 200):
        count, first = queue.first_page(store, desk, q, limit)
        assert count == len(expected) and [r.id for r in first] == expected[:limit]
    # Pages join up to the whole list, in order.
    paged = [r.id for off in range(0, 130, 7) for r in queue.list_requests(store, desk, q, off, 7)]
    assert paged == expected


def test_rows_carry_days_left_and_urgency_for_the_day(seeded) -> None:
    store, desk, rows = seeded
    by_id = {r["id"]: r for r in rows}
    for row in queue.list_requests(store, desk, Query(view=View.ALL, today=TODAY), limit=500):
        stored = by_id[row.id]
        assert row.due == stored["effective_due"] and row.received == stored["received"]
        assert row.days_left == (stored["effective_due"] - TODAY).days
        closed = Status(stored["status"]) in lifecycle.CLOSED
        assert row.urgency is deadlines.urgency(row.due, TODAY, closed)
        assert row.assignee == (stored["assignee"] or "")


def test_view_counts_and_reminder_count_the_open_requests(seeded) -> None:
    store, desk, rows = seeded
    counts = queue.view_counts(store, desk, TODAY)
    for view, n in counts.items():
        if view is not View.AWAITING_SIGN_OFF:
            assert n == len(_expected(rows, Query(view=view, today=TODAY, me_id=desk.user_id)))
    open_rows = [r for r in rows if Status(r["status"]) not in lifecycle.CLOSED]
    reminder = queue.reminders(store, desk, TODAY)
    assert reminder.overdue == sum(r["effective_due"] < TODAY for r in open_rows)
    assert reminder.due_today == sum(r["effective_due"] == TODAY for r in open_rows)
    tomorrow = TODAY + dt.timedelta(days=1)
    assert reminder.crossing_1 == sum(r["effective_due"] == tomorrow for r in open_rows)
    in_7 = TODAY + dt.timedelta(days=7)
    assert reminder.crossing_7 == sum(r["effective_due"] == in_7 for r in open_rows)
    assert reminder.incomplete == sum(bool(r["incomplete"]) for r in open_rows)
    assert reminder.unverified == sum(r["verified_method"] == "" for r in open_rows)


def test_raw_reads_see_each_commit_and_cannot_write(store, admin, desk) -> None:
    from accessdesk_gui.services import requests
    from tests.conftest import make_intake

    assert queue.count_requests(store, desk, Query(view=View.ALL)) == 0
    requests.log_request(store, desk, make_intake(), dt.date(2026, 2, 1))
    assert queue.count_requests(store, desk, Query(view=View.ALL)) == 1
    with store.raw_read() as con, pytest.raises(Exception, match=r"readonly|read-only|query_only"):
        con.execute("DELETE FROM requests")
    assert queue.count_requests(store, desk, Query(view=View.ALL)) == 1


def test_each_thread_reads_on_its_own_connection_and_close_reconnects(store, admin) -> None:
    seen = []

    def read() -> None:
        with store.raw_read() as con:
            seen.append(id(con))

    read()
    t = threading.Thread(target=read)
    t.start()
    t.join()
    assert len(set(seen)) == 2  # a count on a worker never waits for the UI's connection
    store.close()
    assert queue.count_requests(store, admin, Query(view=View.ALL)) == 0  # reconnects after close


def test_open_views_walk_the_index_of_open_requests_only(seeded) -> None:
    """However many closed requests six years leave, the open views read only open ones."""
    store, desk, _rows = seeded
    open_views = [View.OPEN, View.OVERDUE, View.DUE_7, View.MINE, View.DUE_WEEK, View.INCOMPLETE]
    with store.raw_read() as con:
        for view in open_views:
            q = Query(view=view, today=TODAY, me_id=desk.user_id)
            for sql, params in (queue.page_sql(q, 0, 200), queue.count_sql(q)):
                plan = " | ".join(r[3] for r in con.execute("EXPLAIN QUERY PLAN " + sql, params))
                assert f"COVERING INDEX {queue.OPEN_INDEX}" in plan, (view, plan)
        # The default view's first page in due order is read straight off the index.
        sql, params = queue.page_sql(Query(today=TODAY), 0, 200)
        plan = " | ".join(r[3] for r in con.execute("EXPLAIN QUERY PLAN " + sql, params))
        assert "TEMP B-TREE" not in plan, plan


def test_the_open_index_holds_exactly_the_open_statuses() -> None:
    import importlib.util

    from accessdesk_gui.resources_path import migrations_dir

    path = migrations_dir() / "versions" / "0008_queue_2_open_requests_index.py"
    spec = importlib.util.spec_from_file_location("queue_2", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert list(migration.OPEN_STATUSES) == queue.OPEN_VALUES
    assert migration.INDEX == queue.OPEN_INDEX
    # The model that documents the schema says the same.
    from accessdesk_gui.store.models import AccessRequest

    (index,) = [i for i in AccessRequest.__table__.indexes if i.name == queue.OPEN_INDEX]
    assert str(index.dialect_options["sqlite"]["where"]) == migration.open_condition()


@pytest.mark.parametrize("search", ["", "zoe", "李"])
@pytest.mark.parametrize("view", [View.ALL, View.CLOSED])
def test_every_sort_of_the_wide_views_pages_in_the_rules_order(seeded, view, search) -> None:
    """All and Closed are read by walking the sort order, finding-and-sorting, or (by
    assignee) staff member by staff member, depending on the page and the count: each way
    must give the same rows in the same order."""
    store, desk, rows = seeded
    for key in SortKey:
        for descending in (False, True):
            q = Query(view=view, search=search, sort=key, descending=descending, today=TODAY)
            expected = _expected(rows, q)
            for size in (5, 50, 500):
                got = [
                    r.id
                    for off in range(0, len(expected) + size, size)
                    for r in queue.list_requests(store, desk, q, off, size)
                ]
                assert got == expected, (key, descending, size)
