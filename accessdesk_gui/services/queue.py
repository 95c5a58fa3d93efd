"""Reading the request queue: views, filters, search and sort, all in SQL, a page at a time.

The queue is the first thing the front desk sees, so its reads go through the store's raw
read-only connection (Store.raw_read) as plain SQL, not the ORM: the window can show its
first page before SQLAlchemy is even imported (docs/performance.md, "Queue"). Only
committed rows are read; nothing here writes, and listing the queue is not a view of one
patient's record (opening a request is, and is audited in services/requests.py).

Table and column names are those of store/models.py; tests/services/test_queue.py checks
every view, filter, search and sort against the stored rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from accessdesk_gui.domain import deadlines, lifecycle
from accessdesk_gui.domain.deadlines import Urgency
from accessdesk_gui.domain.lifecycle import Status
from accessdesk_gui.domain.requesters import fold_for_search
from accessdesk_gui.services.actor import Actor
from accessdesk_gui.store.db import Store

CLOSED_VALUES = [s.value for s in lifecycle.CLOSED]
# Open = every status that is not closed, listed positively so SQLite can range-scan the
# (status, effective_due) index instead of skipping six years of closed requests.
OPEN_VALUES = [s.value for s in Status if s not in lifecycle.CLOSED]
# Open requests are a practice's current workload (a few thousand at most), however many
# years of closed ones the store holds. Every query of open requests walks this partial,
# covering index of them alone (db/versions/0008_queue_2_open_requests_index.py); the status
# list is spelt out as literals so SQLite can see the query matches the index's WHERE.
OPEN_INDEX = "ix_requests_open_due"
OPEN_SQL = "r.status IN (" + ", ".join(f"'{v}'" for v in OPEN_VALUES) + ")"


class View(StrEnum):
    OPEN = "open"
    OVERDUE = "overdue"
    DUE_7 = "due_7"
    CLOSED = "closed"
    ALL = "all"
    # Saved views of the front desk (intake_1).
    MINE = "mine"
    DUE_WEEK = "due_week"
    AWAITING_SIGN_OFF = "awaiting_sign_off"
    INCOMPLETE = "incomplete"


VIEW_LABELS = {
    View.MINE: "My requests",
    View.DUE_WEEK: "Due this week",
    View.AWAITING_SIGN_OFF: "Awaiting sign-off",
    View.INCOMPLETE: "Incomplete",
    View.OPEN: "Open",
    View.OVERDUE: "Overdue",
    View.DUE_7: "Due within 7 days",
    View.CLOSED: "Closed",
    View.ALL: "All",
}


class DueWindow(StrEnum):
    OVERDUE = "overdue"
    DAYS_3 = "3"
    DAYS_7 = "7"


class SortKey(StrEnum):
    NUMBER = "number"
    PATIENT = "patient"
    REQUESTER = "requester"
    RECEIVED = "received"
    DUE = "due"
    STATUS = "status"
    ASSIGNEE = "assignee"


# Patients sort by their folded name, as they are searched. The assignee's name is looked
# up through the join, so it has no index of its own.
_SORT_COLUMNS: dict[SortKey, str] = {
    SortKey.NUMBER: "r.id",
    SortKey.PATIENT: "r.patient_fold",
    SortKey.REQUESTER: "r.requester_name",
    SortKey.RECEIVED: "r.received",
    SortKey.DUE: "r.effective_due",
    SortKey.STATUS: "r.status",
    SortKey.ASSIGNEE: "u.full_name",
}
# Requests of two staff members with the same name are kept apart (by whose they are).
_TIEBREAK = {SortKey.ASSIGNEE: "r.assigned_to_id"}


# Holds every column the wide views filter or search on (db/versions/0009_queue_3...), so a
# pass over it needs no row of the table; in patient order, it is also that sort's walk.
SEARCH_INDEX = "ix_requests_search"
# The index each sort column is read in order through (None: the table, in number order).
# Most also hold what a search and the wide views' filters check (queue_4), so a walk
# reads table rows only for the requests it shows; ties on the sort column are put in
# number order by a small sort of just those ties.
_SORT_INDEX: dict[SortKey, str | None] = {
    SortKey.NUMBER: None,
    SortKey.PATIENT: SEARCH_INDEX,
    SortKey.REQUESTER: "ix_requests_requester_cover",
    SortKey.RECEIVED: "ix_requests_received_cover",
    SortKey.DUE: "ix_requests_due_cover",
    SortKey.STATUS: "ix_requests_status",
}


@dataclass(frozen=True)
class Query:
    view: View = View.OPEN
    search: str = ""
    assignee_id: int | None = None
    status: Status | None = None
    due_within: DueWindow | None = None
    requester_kind: str | None = None
    # Whose "My requests" view this is (the logged-in user).
    me_id: int | None = None
    sort: SortKey = SortKey.DUE
    descending: bool = False
    today: dt.date = field(default_factory=dt.date.today)


@dataclass(frozen=True)
class RequestRow:
    id: int
    patient_name: str
    requester: str
    received: dt.date
    due: dt.date
    days_left: int
    status: Status
    urgency: Urgency
    assignee: str


class _Where:
    """SQL conditions joined by AND, with their parameters in order."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: list[Any] = []
        self.open_only = False
        self.searching = False

    def open_(self) -> None:
        if not self.open_only:
            self.open_only = True
            self.add(OPEN_SQL)

    def table(self) -> str:
        """Where the matches are found: the open requests' index, or for a search over
        every request the small search index (one pass over it, not over every row).
        """
        if self.open_only:
            return f"requests AS r INDEXED BY {OPEN_INDEX}"
        if self.searching:
            return f"requests AS r INDEXED BY {SEARCH_INDEX}"
        return "requests AS r"

    def add(self, sql: str, *params: Any) -> None:
        self.parts.append(sql)
        self.params.extend(params)

    def is_in(self, column: str, values: Sequence[Any]) -> None:
        self.add(f"{column} IN ({', '.join('?' * len(values))})", *values)

    def sql(self) -> str:
        return " AND ".join(self.parts) if self.parts else "1 = 1"


def _search(w: _Where, text: str) -> None:
    """Patient name (accents and case folded on both sides), MRN or request number."""
    folded = fold_for_search(text)
    like = "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    options = ["r.patient_fold LIKE ? ESCAPE '\\'", "r.mrn = ?"]
    params: list[Any] = [like, text]
    number = text.lstrip("#")
    if number.isdigit() and len(number) < 12:
        options.append("r.id = ?")
        params.append(int(number))
    w.searching = True
    w.add("(" + " OR ".join(options) + ")", *params)


def _where(q: Query) -> _Where:
    w = _Where()
    today = q.today.isoformat()

    open_ = w.open_

    def due_between(first: dt.date, last: dt.date) -> None:
        w.add("r.effective_due >= ?", first.isoformat())
        w.add("r.effective_due <= ?", last.isoformat())

    if q.view is View.OPEN:
        open_()
    elif q.view is View.OVERDUE:
        open_()
        w.add("r.effective_due < ?", today)
    elif q.view is View.DUE_7:
        open_()
        due_between(q.today, q.today + dt.timedelta(days=deadlines.DUE_SOON_DAYS))
    elif q.view is View.CLOSED:
        w.is_in("r.status", CLOSED_VALUES)
    elif q.view is View.MINE:
        open_()
        w.add("r.assigned_to_id = ?", q.me_id or -1)
    elif q.view is View.DUE_WEEK:
        # From today to the end of this working week (the coming Friday; at a weekend,
        # next Friday): what must go out before the office closes for the week.
        open_()
        due_between(q.today, q.today + dt.timedelta(days=(4 - q.today.weekday()) % 7))
    elif q.view is View.AWAITING_SIGN_OFF:
        # A denial waiting for the licensed professional's determination (524(a)(3)), or a
        # review asked for and not yet decided (524(a)(4)).
        w.add(
            "(r.id IN (SELECT d.request_id FROM denials AS d WHERE d.status = ?)"
            " OR r.id IN (SELECT d.request_id FROM denials AS d"
            " JOIN review_requests AS rr ON rr.denial_id = d.id"
            " WHERE rr.status IN (?, ?)))",
            "awaiting_signature",
            "awaiting_referral",
            "referred",
        )
    elif q.view is View.INCOMPLETE:
        open_()
        w.add("r.incomplete = 1")
    if q.assignee_id is not None:
        w.add("r.assigned_to_id = ?", q.assignee_id)
    if q.status is not None:
        w.add("r.status = ?", q.status.value)
    if q.requester_kind:
        w.add("r.requester_kind = ?", q.requester_kind)
    if q.due_within is not None:
        open_()
        if q.due_within is DueWindow.OVERDUE:
            w.add("r.effective_due < ?", today)
        else:
            due_between(q.today, q.today + dt.timedelta(days=int(q.due_within.value)))
    text = q.search.strip()
    if text:
        _search(w, text)
    return w


def count_sql(q: Query) -> tuple[str, list[Any]]:
    """The statement counting the queue's matches, with its parameters."""
    w = _where(q)
    return f"SELECT count(r.id) FROM {w.table()} WHERE {w.sql()}", w.params


# How many rows a walk may read for one page before finding-and-sorting is the better way
# (measured on 100,000 requests: a walk reads ~1 row per microsecond from the page cache;
# finding through the search index is ~10 ms, plus the rows found and their sort).
WALK_ROWS = 15_000


def _walk(matches: int | None, offset: int, limit: int, total: int) -> bool:
    """Walk the sort order checking rows, or find every match and sort them?

    A walk reads about (offset + limit) * total / matches rows; finding-and-sorting reads
    the search index and then every match. SQLite keeps no statistics to weigh them, so
    the queue does, from the count it has already made.
    """
    if not matches:
        return False
    reads = (offset + limit) * total / matches
    return reads <= max(WALK_ROWS, 2 * matches)


def _order(q: Query) -> str:
    way = "DESC" if q.descending else "ASC"
    terms = [_SORT_COLUMNS[q.sort], _TIEBREAK.get(q.sort), "r.id"]
    return ", ".join(f"{t} {way}" for t in terms if t)


_COLUMNS = (
    "SELECT r.id, r.patient_name, r.requester_name, r.received, r.effective_due, "
    "r.status, u.full_name FROM {source} LEFT OUTER JOIN users AS u ON u.id = r.assigned_to_id "
)


def page_sql(
    q: Query, offset: int, limit: int, matches: int | None = None, total: int = 0
) -> tuple[str, list[Any]]:
    """The statement reading one page of the queue in its order, with its parameters.

    `matches` is how many rows the query has in all (count_sql), `total` how many
    requests the store holds. Open views walk the open requests' index. Over all or
    closed requests, with many matches the sort column's index is walked, each row
    checked, until the page is full; with few, all are found through an index and just
    those sorted (see _walk). Sorting by assignee there goes group by group (page_plan).
    """
    w = _where(q)
    if w.open_only:
        source, where = w.table(), w.sql()
    elif q.sort in _SORT_INDEX and _walk(matches, offset, limit, total):
        index = _SORT_INDEX[q.sort]
        source = "requests AS r " + (f"INDEXED BY {index}" if index else "NOT INDEXED")
        where = w.sql()
    else:
        source = "requests AS r"
        # The inner "r" is the subquery's own: every condition is read off its index.
        where = f"r.id IN (SELECT r.id FROM {w.table()} WHERE {w.sql()})"
    sql = _COLUMNS.format(source=source) + f"WHERE {where} ORDER BY {_order(q)} LIMIT ? OFFSET ?"
    return sql, [*w.params, limit, offset]


def page_plan(
    q: Query,
    offset: int,
    limit: int,
    matches: int | None,
    total: int,
    groups: Callable[[str, list[Any]], list[Any]],
) -> list[tuple[str, list[Any]]]:
    """The statements for one page: one, or for a wide view sorted by assignee one per
    staff member whose requests fall on the page (their rows in number order, through the
    assignee index), the staff in name order. `groups(sql, params)` runs a count per
    assignee when it is needed.
    """
    w = _where(q)
    if w.open_only or q.sort is not SortKey.ASSIGNEE or not _walk(matches, offset, limit, total):
        return [page_sql(q, offset, limit, matches, total)]
    counts = dict(
        groups(
            f"SELECT r.assigned_to_id, count(r.id) FROM requests AS r INDEXED BY {SEARCH_INDEX} "
            f"WHERE {w.sql()} GROUP BY r.assigned_to_id",
            w.params,
        )
    )
    names = dict(groups("SELECT id, full_name FROM users", []))
    # As ORDER BY u.full_name, r.assigned_to_id puts them: no assignee (NULL) first.
    order = sorted(counts, key=lambda u: (u is not None, names.get(u, ""), u or 0))
    if q.descending:
        order.reverse()
    way = "DESC" if q.descending else "ASC"
    out: list[tuple[str, list[Any]]] = []
    start = 0
    for user in order:
        n = counts[user]
        lo, hi = max(offset, start), min(offset + limit, start + n)
        if lo < hi:
            sql = _COLUMNS.format(source="requests AS r INDEXED BY ix_requests_assignee") + (
                f"WHERE {w.sql()} AND r.assigned_to_id IS ? ORDER BY r.id {way} LIMIT ? OFFSET ?"
            )
            out.append((sql, [*w.params, user, hi - lo, lo - start]))
        start += n
        if start >= offset + limit:
            break
    return out


def count_requests(store: Store, actor: Actor, q: Query) -> int:
    sql, params = count_sql(q)
    with store.raw_read() as con:
        return int(con.execute(sql, params).fetchone()[0] or 0)


def list_requests(
    store: Store,
    actor: Actor,
    q: Query,
    offset: int = 0,
    limit: int = 200,
    matches: int | None = None,
) -> list[RequestRow]:
    """One page of the queue; filtering and sorting happen in SQL.

    Give `matches` (count_requests of the same query) when known, as the queue's model
    does; otherwise it is counted here when the way of reading depends on it.
    """
    if matches == 0 or offset >= (matches if matches is not None else offset + 1):
        return []  # counted already: nothing to read
    with store.raw_read() as con:
        if _where(q).open_only:
            plan = [page_sql(q, offset, limit)]
        else:
            if matches is None:
                sql, params = count_sql(q)
                matches = int(con.execute(sql, params).fetchone()[0])
            # Requests are never deleted (164.530(j)), so the highest number is the total.
            total = int(con.execute("SELECT coalesce(max(id), 0) FROM requests").fetchone()[0])
            plan = page_plan(
                q, offset, limit, matches, total, lambda s, p: con.execute(s, p).fetchall()
            )
        rows = [row for sql, params in plan for row in con.execute(sql, params).fetchall()]
    return _rows(rows, q.today)


def first_page(
    store: Store, actor: Actor, q: Query, limit: int = 200
) -> tuple[int, list[RequestRow]]:
    """How many requests the query has, and its first page, in as few passes as it allows.

    A search over all or closed requests first looks for up to limit + 1 matches in the
    search index: with few it has them all (and their count) in that one pass; with more
    it stops early, and the count and the page follow as for any query.
    """
    w = _where(q)
    if w.searching and not w.open_only:
        with store.raw_read() as con:
            # Through the due-date index, which holds the same columns: its order has
            # nothing to do with names, so matches are met early whatever is searched.
            probe = f"SELECT r.id FROM requests AS r INDEXED BY {_SORT_INDEX[SortKey.DUE]} "
            ids = [
                r[0]
                for r in con.execute(f"{probe} WHERE {w.sql()} LIMIT ?", [*w.params, limit + 1])
            ]
            if len(ids) <= limit:
                if not ids:
                    return 0, []
                sql = _COLUMNS.format(source="requests AS r") + (
                    f"WHERE r.id IN ({', '.join('?' * len(ids))}) ORDER BY {_order(q)}"
                )
                return len(ids), _rows(con.execute(sql, ids).fetchall(), q.today)
    matches = count_requests(store, actor, q)
    return matches, list_requests(store, actor, q, 0, limit, matches)


def _rows(rows: list[Any], today: dt.date) -> list[RequestRow]:
    out = []
    for rid, patient, requester, received, due, status, assignee in rows:
        st = Status(status)
        due_on = dt.date.fromisoformat(due)
        out.append(
            RequestRow(
                id=rid,
                patient_name=patient,
                requester=requester,
                received=dt.date.fromisoformat(received),
                due=due_on,
                days_left=deadlines.days_left(due_on, today),
                status=st,
                urgency=deadlines.urgency(due_on, today, lifecycle.is_closed(st)),
                assignee=assignee or "",
            )
        )
    return out


def view_counts(store: Store, actor: Actor, today: dt.date) -> dict[View, int]:
    """How many requests each saved view holds (shown beside the view's name)."""
    return {
        view: count_requests(store, actor, Query(view=view, today=today, me_id=actor.user_id))
        for view in View
    }


# -- the daily reminder (shown when the app opens and as due dates near) --------------


@dataclass(frozen=True)
class Reminder:
    today: dt.date
    overdue: int
    due_today: int
    crossing_1: int  # due tomorrow: crossed the 1-day mark today
    crossing_7: int  # due in 7 days: crossed the 7-day mark today
    incomplete: int
    unverified: int

    @property
    def needs_action(self) -> bool:
        return any(
            (
                self.overdue,
                self.due_today,
                self.crossing_1,
                self.crossing_7,
                self.incomplete,
                self.unverified,
            )
        )

    def text(self) -> str:
        def n(count: int, one: str, many: str) -> str:
            return f"{count} {one if count == 1 else many}"

        parts = []
        if self.overdue:
            parts.append(n(self.overdue, "request is OVERDUE", "requests are OVERDUE"))
        if self.due_today:
            parts.append(n(self.due_today, "is due today", "are due today"))
        if self.crossing_1:
            parts.append(n(self.crossing_1, "is due tomorrow", "are due tomorrow"))
        if self.crossing_7:
            parts.append(n(self.crossing_7, "is now 7 days from due", "are now 7 days from due"))
        if self.incomplete:
            parts.append(n(self.incomplete, "needs clarification", "need clarification"))
        if self.unverified:
            parts.append(
                n(self.unverified, "awaits identity verification", "await identity verification")
            )
        if not parts:
            return "Nothing needs action today."
        return "Today: " + "; ".join(parts) + "."


def reminders(store: Store, actor: Actor, today: dt.date) -> Reminder:
    """What needs action today, counted in SQL over the open requests."""
    actor.require_staff()

    def count(cond: str, *params: Any) -> int:
        sql = f"SELECT count(r.id) FROM requests AS r INDEXED BY {OPEN_INDEX} WHERE {OPEN_SQL}"
        with store.raw_read() as con:
            return int(con.execute(f"{sql} AND {cond}", params).fetchone()[0] or 0)

    def due_in(days: int) -> str:
        return (today + dt.timedelta(days=days)).isoformat()

    return Reminder(
        today=today,
        overdue=count("r.effective_due < ?", today.isoformat()),
        due_today=count("r.effective_due = ?", due_in(0)),
        crossing_1=count("r.effective_due = ?", due_in(1)),
        crossing_7=count("r.effective_due = ?", due_in(deadlines.DUE_SOON_DAYS)),
        incomplete=count("r.incomplete = 1"),
        unverified=count("r.verified_method = ''"),
    )
