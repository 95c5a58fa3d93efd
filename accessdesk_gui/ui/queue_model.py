"""The request queue as a Qt model over SQL pages: it never loads every row.

Counting, filtering and sorting are done by the services in SQL; the model keeps
a few pages of rows and fetches the one a view asks for.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from accessdesk_gui.domain.deadlines import Urgency
from accessdesk_gui.domain.lifecycle import LABELS
from accessdesk_gui.services import queue
from accessdesk_gui.services.actor import Actor
from accessdesk_gui.services.queue import Query, RequestRow, SortKey
from accessdesk_gui.services.workspace import Store

PAGE = 200
MAX_PAGES = 20

COLUMNS: list[tuple[str, SortKey]] = [
    ("No.", SortKey.NUMBER),
    ("Patient", SortKey.PATIENT),
    ("Requester", SortKey.REQUESTER),
    ("Received", SortKey.RECEIVED),
    ("Due", SortKey.DUE),
    ("Days left", SortKey.DUE),
    ("Status", SortKey.STATUS),
    ("Assigned to", SortKey.ASSIGNEE),
]

OVERDUE_BG = QColor("#f8d7da")
SOON_BG = QColor("#fff3cd")
REQUEST_ID_ROLE = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex
_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.AccessibleTextRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.TextAlignmentRole,
        REQUEST_ID_ROLE,
    }
)


def days_left_text(row: RequestRow) -> str:
    """Urgency in words as well as colour, for colour-blind users and screen readers."""
    if row.urgency is Urgency.CLOSED:
        return "—"
    if row.urgency is Urgency.OVERDUE:
        n = -row.days_left
        return f"OVERDUE {n} day{'s' if n != 1 else ''}"
    if row.days_left == 0:
        return "Due today"
    text = f"{row.days_left} day{'s' if row.days_left != 1 else ''}"
    return f"Soon: {text}" if row.urgency is Urgency.DUE_SOON else text


class RequestTableModel(QAbstractTableModel):
    def __init__(self, store: Store, actor: Actor, query: Query | None = None) -> None:
        super().__init__()
        self.store = store
        self.actor = actor
        self.query = query or Query()
        self._count = 0
        self._pages: dict[int, list[RequestRow]] = {}
        self.refresh()

    # -- queries ------------------------------------------------------------------------

    def set_query(self, query: Query) -> None:
        self.query = query
        self.refresh()

    def refresh(self) -> None:
        # The count and the first page together: how the page is best read depends on the
        # count, and a selective search finds both in one pass (services/queue.py).
        count, first = queue.first_page(self.store, self.actor, self.query, PAGE)
        self.beginResetModel()
        self._pages.clear()
        self._pages[0] = first
        self._count = count
        self.endResetModel()

    def row_at(self, row: int) -> RequestRow | None:
        if not 0 <= row < self._count:
            return None
        page = row // PAGE
        rows = self._pages.get(page)
        if rows is None:
            if len(self._pages) >= MAX_PAGES:
                self._pages.pop(next(iter(self._pages)))
            rows = queue.list_requests(
                self.store, self.actor, self.query, page * PAGE, PAGE, matches=self._count
            )
            self._pages[page] = rows
        i = row - page * PAGE
        return rows[i] if i < len(rows) else None

    def row_of_request(self, request_id: int) -> int | None:
        """Search the loaded pages for a request (used to reselect after a refresh)."""
        for page, rows in self._pages.items():
            for i, r in enumerate(rows):
                if r.id == request_id:
                    return page * PAGE + i
        return None

    # -- Qt model interface -------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in _ROLES:
            return None  # Qt asks for many roles per cell; answer the unused ones cheaply
        r = self.row_at(index.row())
        if r is None:
            return None
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(r, col)
        if role == Qt.ItemDataRole.BackgroundRole:
            if r.urgency is Urgency.OVERDUE:
                return QBrush(OVERDUE_BG)
            if r.urgency is Urgency.DUE_SOON:
                return QBrush(SOON_BG)
            return None
        if role == Qt.ItemDataRole.ForegroundRole and r.urgency in (
            Urgency.OVERDUE,
            Urgency.DUE_SOON,
        ):
            return QBrush(QColor("#000000"))
        if role == REQUEST_ID_ROLE:
            return r.id
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (0, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _text(r: RequestRow, col: int) -> str:
        match col:
            case 0:
                return str(r.id)
            case 1:
                return r.patient_name
            case 2:
                return "Patient (self)" if r.requester == r.patient_name else r.requester
            case 3:
                return r.received.isoformat()
            case 4:
                return r.due.isoformat()
            case 5:
                return days_left_text(r)
            case 6:
                return LABELS[r.status]
            case _:
                return r.assignee

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][1]
        descending = order == Qt.SortOrder.DescendingOrder
        # The same rows in another order: drop the cached pages, keep the count.
        self.beginResetModel()
        self.query = replace(self.query, sort=key, descending=descending)
        self._pages.clear()
        self.endResetModel()
