"""The queue's filter row and the daily reminder banner."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from accessdesk_gui.domain.lifecycle import LABELS, Status
from accessdesk_gui.domain.requesters import REQUESTER_LABELS, RequesterKind
from accessdesk_gui.services.actor import UserSummary
from accessdesk_gui.services.queue import DueWindow
from accessdesk_gui.ui.qtcompat import emit

if TYPE_CHECKING:
    from accessdesk_gui.services.queue import Reminder


COMBO_CHARS = 12


def _combo(name: str, accessible: str, items: list[tuple[str, object]]) -> QComboBox:
    w = QComboBox()
    w.setObjectName(name)
    w.setAccessibleName(accessible)
    for label, value in items:
        w.addItem(label, value)
    # Sized to a short text, not the longest item (a long name or "The patient's directive
    # ..." made the queue alone wider than a 1366 px screen); the list still shows all.
    w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    w.setMinimumContentsLength(COMBO_CHARS)
    widest = max(w.fontMetrics().horizontalAdvance(label) for label, _v in items)
    w.view().setMinimumWidth(widest + 32)
    return w


class QueueFilterBar(QWidget):
    """Status, due window, assignee and requester kind; each 'Any' by default."""

    changed = Signal()

    def __init__(self, users: list[UserSummary], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.status = _combo(
            "filter_status",
            "Filter by status",
            [("Any status", None)] + [(LABELS[s], s) for s in Status],
        )
        self.due = _combo(
            "filter_due",
            "Filter by due date",
            [
                ("Any due date", None),
                ("Overdue", DueWindow.OVERDUE),
                ("Due within 3 days", DueWindow.DAYS_3),
                ("Due within 7 days", DueWindow.DAYS_7),
            ],
        )
        self.assignee = _combo(
            "filter_assignee",
            "Filter by assignee",
            [("Anyone", None)] + [(u.full_name, u.id) for u in users],
        )
        self.kind = _combo(
            "filter_kind",
            "Filter by who is asking",
            [("Any requester", None)] + [(REQUESTER_LABELS[k], k.value) for k in RequesterKind],
        )
        lay.addWidget(QLabel("Filter:"))
        for w in (self.status, self.due, self.assignee, self.kind):
            lay.addWidget(w)
            w.currentIndexChanged.connect(lambda _i: emit(self.changed))
        lay.addStretch(1)

    def values(self) -> dict[str, object]:
        # Qt hands enum members back as plain strings: rebuild them.
        status = self.status.currentData()
        due = self.due.currentData()
        return {
            "status": Status(status) if status else None,
            "due_within": DueWindow(due) if due else None,
            "assignee_id": self.assignee.currentData(),
            "requester_kind": self.kind.currentData() or None,
        }


class ReminderBanner(QLabel):
    """What needs action today, said in words when the app opens and as due dates near."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reminder")
        self.setAccessibleName("Today's reminder")
        self.setWordWrap(True)
        self.reminder: Reminder | None = None

    def show_reminder(self, reminder: Reminder) -> None:
        self.reminder = reminder
        self.setText(reminder.text())
        urgent = reminder.overdue or reminder.due_today or reminder.crossing_1
        colour = "#f8d7da" if urgent else ("#fff3cd" if reminder.needs_action else "#e2f0d9")
        self.setStyleSheet(f"background: {colour}; color: #000; padding: 6px; border-radius: 3px;")
        self.setAccessibleDescription(reminder.text())
