"""Desk work on the selected request: assign, verify, clarify, note, attach, view files.

Every button opens a small dialog whose OK runs one service call; refusals stay in the
dialog at their field. Each button has a keyboard mnemonic (Alt+letter).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QPushButton,
    QWidget,
)

from accessdesk_gui.domain.intake import VERIFICATION_LABELS, VerificationMethod
from accessdesk_gui.services import auth, desk, requests
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.services.requests import RequestDetail
from accessdesk_gui.services.workspace import Store
from accessdesk_gui.ui.attachment_viewer import AttachmentViewer
from accessdesk_gui.ui.dialogs import ActionDialog
from accessdesk_gui.ui.forms import ErrorForm, area, combo, date_line, line
from accessdesk_gui.ui.operations import Op, user_message, warn
from accessdesk_gui.ui.qtcompat import emit

Work = Callable[[], object]  # the service call an ActionDialog runs as an op


class DeskPanel(QGroupBox):
    changed = Signal(int)

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__("Desk", parent)
        self.store = store
        self.actor = actor
        self.today = dt.date.today()
        self.detail: RequestDetail | None = None
        grid = QGridLayout(self)
        self.buttons: dict[str, QPushButton] = {}
        specs = [
            ("assign", "&Assign…", self.assign_dialog),
            ("verify", "&Verify identity…", self.verify_dialog),
            ("clarify", "C&larified…", self.clarify_dialog),
            ("note", "Add n&ote…", self.note_dialog),
            ("attach", "Attac&h file…", self.attach_file),
        ]
        for i, (key, text, make) in enumerate(specs):
            b = QPushButton(text)
            b.setObjectName(f"desk_{key}")
            b.setAccessibleName(text.replace("&", "").rstrip("…"))
            if key == "attach":
                b.clicked.connect(lambda _=False: self.attach_file())
            else:
                b.clicked.connect(lambda _=False, m=make: self._run(m))
            grid.addWidget(b, i // 3, i % 3)
            self.buttons[key] = b
        self.attachments = QComboBox()
        self.attachments.setObjectName("attachments")
        self.attachments.setAccessibleName("Attachments")
        self.view_button = QPushButton("Vie&w")
        self.view_button.setObjectName("desk_view")
        self.view_button.setAccessibleName("View the chosen attachment")
        self.view_button.clicked.connect(self.view_attachment)
        grid.addWidget(self.attachments, 2, 0, 1, 2)
        grid.addWidget(self.view_button, 2, 2)
        self.show_detail(None)

    def show_detail(self, d: RequestDetail | None) -> None:
        self.detail = d
        self.setEnabled(d is not None)
        self.attachments.clear()
        if d is None:
            return
        for a in d.attachments:
            self.attachments.addItem(f"{a.filename} ({a.kind.replace('_', ' ')})", a.id)
        if not d.attachments:
            self.attachments.addItem("No attachments", None)
        self.view_button.setEnabled(bool(d.attachments))
        self.buttons["verify"].setText("Re&verify…" if d.verified_method else "&Verify identity…")
        self.buttons["clarify"].setEnabled(d.incomplete)

    def _run(self, make: object) -> None:
        if self.detail is None:
            return
        dialog = make()  # type: ignore[operator]
        if dialog is not None and dialog.exec():
            emit(self.changed, self.detail.id)

    # -- dialogs (returned unexecuted, so tests can drive them) -------------------------------

    def assign_dialog(self) -> ActionDialog:
        assert self.detail is not None
        store, actor, rid = self.store, self.actor, self.detail.id
        users = auth.list_users(store, actor)

        def run(f: ErrorForm) -> Work:
            value = f.text("user")
            uid = int(value) if value != "None" else None
            return lambda: requests.assign(store, actor, rid, uid)

        dlg = ActionDialog("Assign", "Who works on this request?", "Assign", run, self)
        dlg.form.add(
            "user",
            "Assign to:",
            combo([("None", "Nobody")] + [(str(u.id), u.full_name) for u in users]),
        )
        return dlg

    def verify_dialog(self) -> ActionDialog:
        assert self.detail is not None
        store, actor, rid, today = self.store, self.actor, self.detail.id, self.today

        def run(f: ErrorForm) -> Work:
            method = VerificationMethod(f.text("method"))
            on, note = f.date("verified_on"), f.text("note")
            return lambda: desk.verify(store, actor, rid, method, on, note, today=today)

        dlg = ActionDialog(
            "Verify identity and authority",
            "How did you verify who is asking and their authority? No method is mandated; "
            "verification must not cause unreasonable delay (45 CFR 164.514(h)).",
            "Record",
            run,
            self,
        )
        dlg.form.add(
            "method",
            "Method:",
            combo([(m.value, VERIFICATION_LABELS[m]) for m in VerificationMethod]),
        )
        dlg.form.add("verified_on", "Verified on:", date_line(today))
        dlg.form.add("note", "Note:", line(max_length=500))
        return dlg

    def clarify_dialog(self) -> ActionDialog:
        d = self.detail
        assert d is not None
        store, actor, rid = self.store, self.actor, d.id

        def box(text: str, checked: bool) -> QCheckBox:
            w = QCheckBox(text)
            w.setChecked(checked)
            return w

        def ticked(f: ErrorForm, name: str) -> bool | None:
            w = f.fields.get(name)
            return w.isChecked() if isinstance(w, QCheckBox) else None

        def text(f: ErrorForm, name: str) -> str | None:
            return f.text(name) if name in f.fields else None

        def run(f: ErrorForm) -> Work:
            facts = {
                "directive_signed": ticked(f, "directive_signed"),
                "directive_recipient": text(f, "directive_recipient"),
                "directive_destination": text(f, "directive_destination"),
                "authority_document": text(f, "authority_document"),
                "email_risk_accepted": ticked(f, "email_risk_accepted"),
                "summary_agreed": ticked(f, "summary_agreed"),
                "summary_fee_agreed": ticked(f, "summary_fee_agreed"),
            }
            return lambda: desk.clarify(store, actor, rid, **facts)  # type: ignore[arg-type]

        dlg = ActionDialog(
            "Clarified with the requester",
            "Still needed:\n• " + "\n• ".join(d.clarifications) + "\nThe clock keeps running.",
            "Save",
            run,
            self,
        )
        f = dlg.form
        if d.requester_kind == "third_party_directive":
            f.add("directive_recipient", "Recipient:", line(d.directive_recipient, max_length=200))
            f.add("directive_destination", "Where to send:", line(d.directive_destination))
            f.add("directive_signed", "", box("The directive is signed", d.directive_signed))
        if d.requester_kind == "personal_representative":
            f.add("authority_document", "Document seen:", line(d.authority_document))
        if d.delivery == "email":
            f.add(
                "email_risk_accepted",
                "",
                box("Warned, still wants unencrypted e-mail", d.email_risk_accepted),
            )
        if d.summary:
            f.add("summary_agreed", "", box("Agreed to a summary", d.summary_agreed))
            f.add("summary_fee_agreed", "", box("Agreed to its fee", d.summary_fee_agreed))
        return dlg

    def note_dialog(self) -> ActionDialog:
        assert self.detail is not None
        store, actor, rid = self.store, self.actor, self.detail.id

        def run(f: ErrorForm) -> Work:
            note = f.text("note")
            return lambda: desk.add_note(store, actor, rid, note)

        dlg = ActionDialog("Add a note", "Notes go on the request's timeline.", "Add", run, self)
        dlg.form.add("note", "Note:", area())
        return dlg

    def attach_file(self, path: str | None = None) -> None:
        if self.detail is None:
            return
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, "Attach", "", "PDF or image (*.pdf *.png *.jpg *.jpeg *.tif *.tiff)"
            )
            if not path:
                return
        store, actor, rid, chosen = self.store, self.actor, self.detail.id, path

        def attach() -> int:  # reading and encrypting a large scan: on the worker
            data = Path(chosen).read_bytes()
            return desk.attach(store, actor, rid, chosen, data, "other")

        def refused(exc: BaseException) -> None:
            text = "That file cannot be read." if isinstance(exc, OSError) else user_message(exc)
            warn(self, text)

        Op(self, attach).success(lambda _aid: emit(self.changed, rid)).failure(
            refused, expected=(OSError,)
        ).run()

    def viewer(self) -> AttachmentViewer | None:
        aid = self.attachments.currentData()
        if aid is None:
            return None
        name, media, data = desk.attachment_data(self.store, self.actor, int(aid))
        return AttachmentViewer(name, media, data, self)

    def view_attachment(self) -> None:
        v = self.viewer()
        if v is not None:
            v.exec()
