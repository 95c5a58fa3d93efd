"""One request: its facts, its timeline, and exactly the actions its state allows."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from accessdesk_gui.domain import deadlines
from accessdesk_gui.domain.deadlines import Urgency
from accessdesk_gui.domain.intake import REQUESTER_LABELS, RequesterKind
from accessdesk_gui.domain.lifecycle import ACTION_LABELS, LABELS, Action
from accessdesk_gui.services import drs, requests, state_rules
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.services.requests import RequestDetail
from accessdesk_gui.services.workspace import Store
from accessdesk_gui.ui.checklist_panel import ChecklistPanel
from accessdesk_gui.ui.denial_dialogs import DenialPanel
from accessdesk_gui.ui.dialogs import ActionDialog
from accessdesk_gui.ui.forms import ErrorForm, area, date_line
from accessdesk_gui.ui.intake_facts import intake_rows
from accessdesk_gui.ui.letters_panel import LettersSection
from accessdesk_gui.ui.operations import Op
from accessdesk_gui.ui.qtcompat import emit

URGENCY_TEXT = {
    Urgency.OVERDUE: "OVERDUE",
    Urgency.DUE_SOON: "Due within 7 days",
    Urgency.ON_TRACK: "On track",
    Urgency.CLOSED: "Closed",
}


Work = Callable[[], object]  # the service call an ActionDialog runs as an op


class RequestDetailPanel(QWidget):
    """The request is read on the worker (ui/operations.py); ``shown`` says when it is on
    screen, with its detail.
    """

    changed = Signal(int)
    shown = Signal(object)  # RequestDetail

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.actor = actor
        self.detail: RequestDetail | None = None
        self._wanted: int | None = None
        self.today = dt.date.today()
        lay = QVBoxLayout(self)
        self.title = QLabel("Select a request")
        self.title.setObjectName("detail_title")
        self.title.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.title.setWordWrap(True)
        lay.addWidget(self.title)
        self.deadline = QLabel()
        self.deadline.setWordWrap(True)
        lay.addWidget(self.deadline)
        facts_box = QGroupBox("Request")
        self.facts = QFormLayout(facts_box)
        lay.addWidget(facts_box)
        self.actions_row = QHBoxLayout()
        lay.addLayout(self.actions_row)
        self.buttons: dict[Action, QPushButton] = {}
        for action in (Action.START, Action.EXTEND, Action.FULFIL, Action.WITHDRAW):
            b = QPushButton(ACTION_LABELS[action])
            b.setObjectName(f"action_{action.value}")
            b.clicked.connect(lambda _=False, a=action: self.run_action(a))
            b.hide()
            self.buttons[action] = b
            self.actions_row.addWidget(b)
        self.actions_row.addStretch(1)
        # Timeline, collection checklist and letters share one tabbed area so each gets the
        # panel's full height.
        self.tabs = QTabWidget()
        self.tabs.setObjectName("detail_tabs")
        # A read-only rich-text table: entries wrap instead of being cut off.
        self.timeline = QTextBrowser()
        self.timeline.setObjectName("timeline")
        self.timeline.setAccessibleName("Timeline")
        self.tabs.addTab(self.timeline, "Timeline")
        self.checklist = ChecklistPanel(store, actor)
        self.tabs.addTab(self.checklist, "Checklist")
        self.letters = LettersSection(store, actor, self)
        self.letters.changed.connect(self.show_request)
        self.tabs.addTab(self.letters, "Letters")
        self.denials = DenialPanel(store, actor, self)
        self.denials.changed.connect(self._denial_changed)
        # The panel shows and hides itself; as a tab page that show() would paint it over
        # whichever tab is current, so it lives inside a page of its own.
        denials_page = QWidget()
        page_lay = QVBoxLayout(denials_page)
        page_lay.setContentsMargins(0, 0, 0, 0)
        page_lay.addWidget(self.denials)
        page_lay.addStretch(1)
        self.tabs.addTab(denials_page, "Denials")
        lay.addWidget(self.tabs, 1)

    def show_request(self, request_id: int | None) -> None:
        self.checklist.today = self.today
        self.checklist.show_request(request_id)
        if request_id is None:
            self._wanted = None
            self.detail = None
            self.title.setText("Select a request")
            self.deadline.clear()
            self._fill_facts([])
            self.timeline.clear()
            for b in self.buttons.values():
                b.hide()
            self.letters.show_request(None)
            self.denials.show_request(None)
            return
        store, actor, today = self.store, self.actor, self.today
        self._wanted = request_id
        Op(self, lambda: requests.get_request(store, actor, request_id, today=today)).success(
            self._show
        ).run()

    def _show(self, d: RequestDetail) -> None:
        if d.id != self._wanted:  # another request was chosen meanwhile
            return
        self.detail = d
        self.title.setText(f"Request {d.id} — {d.patient_name}")
        urgency = URGENCY_TEXT[d.urgency]
        if d.urgency is Urgency.CLOSED:
            self.deadline.setText(f"{LABELS[d.status]} on {d.closed_on}. {d.close_note}")
        else:
            left = d.days_left
            when = f"{-left} days overdue" if left < 0 else f"{left} days left"
            self.deadline.setText(
                f"<b>{urgency}</b> — due {d.effective_due} ({when}). "
                f"Rule: {html.escape(d.due_source)}.{self._rule_caution(d.due_source)}"
            )
        self.deadline.setStyleSheet(
            "color: #8a0012;" if d.urgency is Urgency.OVERDUE else "color: #000;"
        )
        requester = REQUESTER_LABELS[RequesterKind(d.requester_kind)]
        if d.requester_kind == RequesterKind.PERSONAL_REPRESENTATIVE:
            requester += f": {d.requester_name} ({d.requester_relationship})"
        rows = [
            ("Status", LABELS[d.status]),
            ("Patient", f"{d.patient_name}, born {d.patient_dob}"),
            ("MRN", d.mrn or "—"),
            ("Requester", requester),
            ("Received", d.received.isoformat()),
            ("Due (30 days)", d.original_due.isoformat()),
            ("Asked for", d.scope),
            ("Access / format", f"{d.access}, {d.format}, by {d.delivery}"),
            ("Assigned to", d.assignee or "nobody"),
            *intake_rows(d),
        ]
        if d.extended_due:
            rows.append(
                (
                    "Extension",
                    f"to {d.extended_due} (notice {d.extension_notice_date}): "
                    f"{d.extension_reasons}",
                )
            )
        self._fill_facts(rows)
        rows = "".join(
            f"<tr><td style='padding:3px 8px 3px 0; white-space:nowrap'>{e.event_date}</td>"
            f"<td style='padding:3px 8px 3px 0'>{html.escape(e.summary)}</td>"
            f"<td style='padding:3px 0; color:#444'>{html.escape(e.by)}</td></tr>"
            for e in d.timeline
        )
        self.timeline.setHtml(f"<table width='100%'>{rows}</table>")
        for action, b in self.buttons.items():
            b.setVisible(action in d.actions)
        self.letters.show_request(d, self.today)
        self.denials.today = self.today
        self.denials.show_request(d)
        emit(self.shown, d)

    def _denial_changed(self, request_id: int) -> None:
        emit(self.changed, request_id)
        self.show_request(request_id)

    def _rule_caution(self, due_source: str) -> str:
        """A state rule's mark and, for one marked S not yet checked, "verify before relying"."""
        rule = state_rules.rule_for_source(self.store, self.actor, due_source)
        if rule is None:
            return ""
        text = f" Mark {rule.mark.value}."
        if rule.verify_before_relying:
            text += f"<br><b>{html.escape(rule.caution())}</b>"
        elif rule.verification is not None:
            text += f" {html.escape(rule.caution())}"
        return text

    def _fill_facts(self, rows: list[tuple[str, str]]) -> None:
        while self.facts.rowCount():
            self.facts.removeRow(0)
        for label, value in rows:
            v = QLabel(value)
            v.setWordWrap(True)
            v.setAccessibleName(label)
            self.facts.addRow(f"{label}:", v)

    # -- actions ------------------------------------------------------------------------

    def run_action(self, action: Action) -> None:
        d = self.detail
        if d is None:
            return
        dialog = self.action_dialog(action, d)
        if dialog is None:
            return
        if dialog.exec():
            emit(self.changed, d.id)
            self.show_request(d.id)

    def action_dialog(self, action: Action, d: RequestDetail) -> ActionDialog | None:
        store, actor, rid, today = self.store, self.actor, d.id, self.today
        if action is Action.START:

            def run_start(f: ErrorForm) -> Work:
                on = f.date("date")
                return lambda: requests.start(store, actor, rid, on)

            dlg = ActionDialog(
                "Start work", "Mark this request as in progress.", "Start", run_start, self
            )
            dlg.form.add("date", "Date:", date_line(today))
            return dlg
        if action is Action.EXTEND:
            original = deadlines.federal_due(d.received)
            latest = deadlines.latest_extended_due(d.received)

            def run_extend(f: ErrorForm) -> Work:
                notice, reasons = f.date("notice_date"), f.text("reasons")
                by = f.date("complete_by")
                return lambda: requests.extend(store, actor, rid, notice, reasons, by)

            dlg = ActionDialog(
                "Extend once",
                f"One extension of up to 30 days is allowed, by a written notice sent by "
                f"{original} that gives the reasons and the date you will act "
                f"(45 CFR 164.524(b)(2)(ii)). Latest possible date: {latest}.",
                "Extend",
                run_extend,
                self,
            )
            dlg.form.add("notice_date", "Notice sent on:", date_line(today))
            dlg.form.add("complete_by", "Will act by:", date_line(latest))
            dlg.form.add("reasons", "Reasons for the delay:", area())
            return dlg
        if action is Action.FULFIL:
            still_open = drs.open_items(store, actor, rid)
            confirm = QCheckBox(f"Access is complete although {len(still_open)} item(s) are open")

            def run_fulfil(f: ErrorForm) -> Work:
                on, note, confirmed = f.date("date"), f.text("note"), confirm.isChecked()
                return lambda: requests.fulfil(
                    store, actor, rid, on, note, open_items_confirmed=confirmed
                )

            intro = "Record that access was provided."
            if still_open:
                listed = "".join(f"<li>{html.escape(i.label())}</li>" for i in still_open[:10])
                intro += (
                    f"<br><b>{len(still_open)} collection checklist item(s) are still open:</b>"
                    f"<ul>{listed}</ul>"
                )
            dlg = ActionDialog("Mark fulfilled", intro, "Mark fulfilled", run_fulfil, self)
            dlg.form.add("date", "Provided on:", date_line(today))
            dlg.form.add("note", "Note:", area(placeholder="e.g. uploaded to the portal"))
            if still_open:
                dlg.form.add("confirm_open_items", "Open items:", confirm)
            return dlg

        def run_withdraw(f: ErrorForm) -> Work:
            on, reason = f.date("date"), f.text("reason")
            return lambda: requests.withdraw(store, actor, rid, on, reason)

        dlg = ActionDialog(
            "Withdraw",
            "Record that the requester withdrew the request. It stays on file.",
            "Withdraw",
            run_withdraw,
            self,
        )
        dlg.form.add("date", "Withdrawn on:", date_line(today))
        dlg.form.add("reason", "Reason:", area())
        return dlg
