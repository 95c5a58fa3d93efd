"""A request's collection checklist, grouped by system, each item checked off by name and date."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from accessdesk_gui.domain.drs import ItemAction
from accessdesk_gui.services import drs
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.services.workspace import Store
from accessdesk_gui.ui.operations import Op, user_message, warn
from accessdesk_gui.ui.qtcompat import emit

ITEM_ID_ROLE = Qt.ItemDataRole.UserRole + 1
ACTION_TEXT = {
    ItemAction.PRODUCE: "Collect",
    ItemAction.SAME_AS_SOURCE: "Check only (same as another copy)",
    ItemAction.REVIEW_FOR_DENIAL: "Collect separately; review (excepted)",
}


class ChecklistPanel(QWidget):
    changed = Signal(int)

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.actor = actor
        self.today = dt.date.today()
        self.request_id: int | None = None
        self.checklist: drs.RequestChecklist | None = None
        self._loading = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel("Collection checklist")
        self.heading.setObjectName("checklist_heading")
        self.heading.setWordWrap(True)
        lay.addWidget(self.heading)
        self.tree = QTreeWidget()
        self.tree.setObjectName("checklist")
        self.tree.setAccessibleName("Collection checklist")
        self.tree.setHeaderLabels(["Collect", "What to do", "Done"])
        self.tree.setWordWrap(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.setColumnWidth(0, 180)
        self.tree.setColumnWidth(1, 150)
        self.tree.itemChanged.connect(self._changed)
        lay.addWidget(self.tree, 1)

    def show_request(self, request_id: int | None) -> None:
        self.request_id = request_id
        self._loading = True
        self.tree.clear()
        self._loading = False
        if request_id is None:
            self.heading.setText("Collection checklist")
            return
        store, actor = self.store, self.actor

        def failed(exc: BaseException) -> None:
            if self.request_id == request_id:
                self.heading.setText(user_message(exc))

        Op(self, lambda: drs.request_checklist(store, actor, request_id)).success(
            lambda cl: self._build(request_id, cl)
        ).failure(failed).run()

    def _build(self, request_id: int, cl: drs.RequestChecklist) -> None:
        if self.request_id != request_id:  # another request was chosen meanwhile
            return
        self.checklist = cl
        if cl.map_version is None:
            self.heading.setText(
                "<b>Collection checklist</b>: none, because the practice had no record set "
                "map when this request was logged."
            )
            return
        self._set_heading(cl)
        self._loading = True
        groups: dict[str, QTreeWidgetItem] = {}
        for it in cl.items:
            top = groups.get(it.system)
            if top is None:
                text = it.system_name
                ask = ""
                if it.business_associate:
                    ask = f"Ask {it.business_associate}"
                    if it.turnaround_days is not None:
                        ask += f" ({it.turnaround_days} days"
                        ask += f", by {it.due_by})" if it.due_by else ")"
                top = QTreeWidgetItem([text, ask, ""])
                top.setToolTip(0, text)
                top.setToolTip(1, f"{it.ba_contact}\n{it.ba_how}".strip())
                font = top.font(0)
                font.setBold(True)
                top.setFont(0, font)
                if it.after_request_due:
                    top.setForeground(1, QBrush(QColor("#8a0012")))
                    top.setToolTip(1, "The vendor's turnaround ends after the request is due.")
                top.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.tree.addTopLevelItem(top)
                groups[it.system] = top
            done = f"{it.done_by}, {it.done_on}" if it.done else ""
            child = QTreeWidgetItem([it.category_title, ACTION_TEXT[it.action], done])
            child.setData(0, ITEM_ID_ROLE, it.id)
            child.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsUserCheckable
                | Qt.ItemFlag.ItemIsSelectable
            )
            child.setCheckState(0, Qt.CheckState.Checked if it.done else Qt.CheckState.Unchecked)
            tip = "\n".join(x for x in (f"{it.who}: {it.how}", it.note) if x.strip(": "))
            child.setToolTip(0, tip)
            child.setToolTip(1, tip)
            top.addChild(child)
        self.tree.expandAll()
        self._loading = False

    def _set_heading(self, cl: drs.RequestChecklist) -> None:
        n = len(cl.scope.categories or ())
        scope = (
            "the whole record set"
            if cl.scope.categories is None
            else f"{n} categor{'y' if n == 1 else 'ies'}"
        )
        if cl.scope.start or cl.scope.end:
            scope += f", {cl.scope.start or '…'} to {cl.scope.end or '…'}"
        self.heading.setText(
            f"<b>Collection checklist</b> (record set map v{cl.map_version}, {scope}): "
            f"{len(cl.open_items)} of {len(cl.items)} open"
        )

    def items(self) -> list[QTreeWidgetItem]:
        out = []
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            out += [top.child(j) for j in range(top.childCount())]
        return out

    def _changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._loading or column != 0 or self.request_id is None:
            return
        item_id = item.data(0, ITEM_ID_ROLE)
        if item_id is None:
            return
        store, actor, today, rid = self.store, self.actor, self.today, self.request_id
        checked = item.checkState(0) == Qt.CheckState.Checked

        def tick() -> None:
            if checked:
                drs.check_off(store, actor, int(item_id), today, request_id=rid)
            else:
                drs.reopen(store, actor, int(item_id), request_id=rid)

        def ticked(_: object) -> None:
            self._refresh_in_place()
            emit(self.changed, rid)

        def refused(exc: BaseException) -> None:
            warn(self, user_message(exc))
            self._refresh_in_place()  # the box shows what is recorded, not the click

        Op(self, tick).success(ticked).failure(refused).run()

    def _refresh_in_place(self) -> None:
        """Re-read the checklist and update the items in place: clearing the tree would
        delete the item whose signal started this.
        """
        rid, store, actor = self.request_id, self.store, self.actor
        if rid is None:
            return
        Op(self, lambda: drs.request_checklist(store, actor, rid)).success(
            lambda cl: self._update_items(rid, cl)
        ).run()

    def _update_items(self, request_id: int, cl: drs.RequestChecklist) -> None:
        if self.request_id != request_id:
            return
        self.checklist = cl
        by_id = {i.id: i for i in cl.items}
        self._loading = True
        for child in self.items():
            it = by_id.get(child.data(0, ITEM_ID_ROLE))
            if it is None:
                continue
            child.setCheckState(0, Qt.CheckState.Checked if it.done else Qt.CheckState.Unchecked)
            child.setText(2, f"{it.done_by}, {it.done_on}" if it.done else "")
        self._loading = False
        self._set_heading(cl)
