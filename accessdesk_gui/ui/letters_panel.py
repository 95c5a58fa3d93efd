"""The Letters section of a request: issue, preview, save, print, record mailing.

Thin: every step is one call to services.letters; no SQL here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, Signal
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from accessdesk_gui.letters import LetterKind
from accessdesk_gui.services import letters
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.services.letters import (
    COMPOSED_KINDS,
    KIND_LABELS,
    LANGUAGES,
    METHOD_LABELS,
    IssuedLetter,
    MailMethod,
)
from accessdesk_gui.services.requests import RequestDetail
from accessdesk_gui.services.workspace import Store
from accessdesk_gui.ui.dialogs import ActionDialog
from accessdesk_gui.ui.forms import ERROR_STYLE, ErrorForm, area, combo, date_line, line
from accessdesk_gui.ui.operations import Op, user_message
from accessdesk_gui.ui.printing import PrintUnavailable, Spooler, choose_printer
from accessdesk_gui.ui.qtcompat import emit
from accessdesk_gui.ui.window_size import fit_to_screen

_INTRO = {
    LetterKind.ACKNOWLEDGEMENT: "Tells the requester we have the request, and the due date.",
    LetterKind.CLARIFICATION: (
        "Asks what is unclear. The clock keeps running while you wait for the answer."
    ),
    LetterKind.EXTENSION: (
        "The written notice of the extension, with the reasons and the date recorded when "
        "the request was extended. It must go out within 30 days of receipt."
    ),
    LetterKind.RECORDS_READY: "The cover letter listing what is released.",
    LetterKind.EMAIL_RISK: (
        "Warns that ordinary e-mail is not encrypted, with a form to accept the risk."
    ),
}


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")


class PdfPreviewDialog(QDialog):
    """A PDF shown with QtPdf, from bytes (nothing written to disk)."""

    def __init__(self, pdf: bytes, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        fit_to_screen(self, 720, 860)
        self._data = QByteArray(pdf)
        self._buffer = QBuffer(self._data, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)
        self.view = QPdfView(self)
        self.view.setObjectName("pdf_view")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)
        lay = QVBoxLayout(self)
        lay.addWidget(self.view, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        lay.addWidget(close)


class LettersSection(QGroupBox):
    """Letters of the request shown in the detail panel."""

    changed = Signal(int)

    def __init__(
        self,
        store: Store,
        actor: Actor,
        parent: QWidget | None = None,
        spooler: Spooler | None = None,
    ) -> None:
        super().__init__("Letters", parent)
        self.store = store
        self.actor = actor
        self.spooler = spooler or Spooler()
        self.detail: RequestDetail | None = None
        self.today = dt.date.today()
        self.items: list[IssuedLetter] = []
        self.last_issued: IssuedLetter | None = None
        lay = QVBoxLayout(self)

        top = QHBoxLayout()
        self.kind = QComboBox()
        self.kind.setObjectName("letter_kind")
        self.kind.setAccessibleName("Letter kind")
        for kind in COMPOSED_KINDS:
            self.kind.addItem(KIND_LABELS[kind], kind.value)
        self.language = QComboBox()
        self.language.setObjectName("letter_language")
        self.language.setAccessibleName("Letter language")
        for code, label in LANGUAGES.items():
            self.language.addItem(label, code)
        self.issue_button = QPushButton("Issue letter…")
        self.issue_button.setObjectName("issue_letter")
        self.issue_button.clicked.connect(self.issue)
        top.addWidget(self.kind, 1)
        top.addWidget(self.language)
        top.addWidget(self.issue_button)
        lay.addLayout(top)

        self.table = QTableWidget(0, 4)
        self.table.setObjectName("letters_table")
        self.table.setAccessibleName("Issued letters")
        self.table.setHorizontalHeaderLabels(["#", "Letter", "Dated", "Mailing"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(96)
        self.table.setMaximumHeight(150)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _i: self.preview())
        lay.addWidget(self.table)

        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for name, text, slot in (
            ("preview", "Preview", self.preview),
            ("save", "Save as PDF…", self.save_pdf),
            ("print", "Print…", self.print_letter),
            ("mail", "Record mailing…", self.record_mailing),
        ):
            b = QPushButton(text)
            b.setObjectName(f"letter_{name}")
            b.clicked.connect(slot)
            row.addWidget(b)
            self.buttons[name] = b
        row.addStretch(1)
        lay.addLayout(row)
        self.preview_dialog: PdfPreviewDialog | None = None  # the last one opened
        self.status = QLabel()
        self.status.setObjectName("letters_status")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self._update_buttons()

    # -- showing ------------------------------------------------------------------------

    def show_request(self, detail: RequestDetail | None, today: dt.date | None = None) -> None:
        if detail is None or self.detail is None or detail.id != self.detail.id:
            self.say("")  # a message about the previous request's letters
        if detail is not None and (self.detail is None or detail.id != self.detail.id):
            # Offer the requester's preferred language (recorded at intake) first.
            self.language.setCurrentIndex(max(0, self.language.findData(detail.preferred_language)))
        self.detail = detail
        if today is not None:
            self.today = today
        self.setEnabled(detail is not None)
        self.reload()

    def reload(self, select_id: int | None = None) -> None:
        """List the request's letters (read on the worker)."""
        detail, store, actor = self.detail, self.store, self.actor
        if detail is None:
            self._fill([], select_id)
            return

        def listed(items: list[IssuedLetter]) -> None:
            if self.detail is detail:  # not another request's, chosen meanwhile
                self._fill(items, select_id)

        def failed(exc: BaseException) -> None:
            self._fill([], select_id)
            self.say(user_message(exc), error=True)

        Op(self, lambda: letters.list_letters(store, actor, detail.id)).success(listed).failure(
            failed
        ).run()

    def _fill(self, items: list[IssuedLetter], select_id: int | None) -> None:
        self.items = items
        self.table.setRowCount(len(self.items))
        for r, x in enumerate(self.items):
            state = x.state_text(self.today)
            if x.copies:
                state += f" · {x.copies} cop{'ies' if x.copies != 1 else 'y'} made"
            cells = [
                str(x.id),
                f"{KIND_LABELS[x.kind]} ({x.language})",
                x.letter_date.isoformat(),
                state,
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(f"SHA-256 {x.sha256}" if c < 3 else text)
                if c == 3 and "LATE" in text:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(r, c, item)
        self.table.resizeRowsToContents()
        if self.items:
            ids = [x.id for x in self.items]
            self.table.selectRow(ids.index(select_id) if select_id in ids else len(ids) - 1)
        self._update_buttons()

    def selected(self) -> IssuedLetter | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.items):
            return None
        return self.items[rows[0].row()]

    def _update_buttons(self) -> None:
        letter = self.selected()
        for name, b in self.buttons.items():
            b.setEnabled(letter is not None and not (name == "mail" and letter.sent))

    def say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(ERROR_STYLE if error else "color: #1b5e20;")
        self.status.setVisible(bool(text))

    # -- issuing ------------------------------------------------------------------------

    def issue(self) -> None:
        if self.detail is None:
            return
        kind = LetterKind(self.kind.currentData())
        dlg = self.issue_dialog(kind, str(self.language.currentData()))
        if dlg.exec():
            emit(self.changed, self.detail.id)

    def issue_dialog(self, kind: LetterKind, language: str) -> ActionDialog:
        d = self.detail
        assert d is not None
        store, actor = self.store, self.actor
        section = self

        def run(f: ErrorForm) -> Callable[[], IssuedLetter]:
            extra: dict[str, object] = {}
            for name in ("fee_estimate", "unclear_points", "release_items", "amount_due"):
                if name in f.fields:
                    extra[name] = f.text(name)
            if "email_address" in f.fields:
                extra["email_address"] = f.text("email_address")
            on = f.date("letter_date")
            # Rendering and storing the PDF takes a few hundred ms: on the worker.
            return lambda: letters.issue_letter(store, actor, d.id, kind, language, extra, on)

        def issued(letter: IssuedLetter) -> None:
            section.last_issued = letter
            section.reload(letter.id)
            section.say(f"{letter.title} issued. It counts as sent once you record the mailing.")

        dlg = ActionDialog(
            f"Issue: {KIND_LABELS[kind]} ({LANGUAGES[language].split()[0]})",
            _INTRO.get(kind, "") + " Once issued, a letter is kept exactly as it is.",
            "Issue",
            run,
            self,
            issued,
        )
        f = dlg.form
        date = self.today
        if kind is LetterKind.EXTENSION and d.extension_notice_date:
            date = d.extension_notice_date
        f.add("letter_date", "Letter date:", date_line(date))
        if kind is LetterKind.ACKNOWLEDGEMENT:
            f.add("fee_estimate", "Fee estimate ($):", line(placeholder="optional, e.g. 6.50"))
        elif kind is LetterKind.CLARIFICATION:
            f.add(
                "unclear_points",
                "What is unclear:",
                area(placeholder="One point per line, in plain words"),
            )
        elif kind is LetterKind.RECORDS_READY:
            f.add(
                "release_items",
                "Released:",
                area(placeholder="Visit notes | 2024-01-01 | 2025-12-31 | 12 pages"),
                "One line each: category | from | to | count pages (or files).",
            )
            f.add("amount_due", "Amount due ($):", line(placeholder="optional"))
        elif kind is LetterKind.EMAIL_RISK:
            f.add("email_address", "E-mail address:", line(d.email, max_length=254))
        return dlg

    # -- outputs ------------------------------------------------------------------------

    def preview(self) -> None:
        letter = self.selected()
        if letter is None:
            return
        store, actor = self.store, self.actor

        def opened(pdf: bytes) -> None:
            dlg = PdfPreviewDialog(pdf, f"{letter.title} — preview", self)
            self.preview_dialog = dlg
            self.open_dialog(dlg)

        Op(self, lambda: letters.original_pdf(store, actor, letter.id)).success(opened).run()

    def say_error(self, text: str) -> None:
        """Where an op started here shows a user error (ui/operations.show_user_error)."""
        self.say(text, error=True)

    def open_dialog(self, dlg: QDialog) -> None:
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.show()

    def ask_save_path(self, suggested: str) -> str:
        path, _filter = QFileDialog.getSaveFileName(
            self, "Save letter as PDF", suggested, "PDF files (*.pdf)"
        )
        return str(path)

    def save_pdf(self) -> None:
        letter = self.selected()
        if letter is None or self.detail is None:
            return
        path = self.ask_save_path(
            f"request-{self.detail.id}-letter-{letter.id}-{_safe_name(letter.kind.value)}.pdf"
        )
        if not path:
            return
        store, actor, rid = self.store, self.actor, self.detail.id

        def save() -> bool:
            out = letters.letter_for_output(store, actor, letter.id, "save")
            with open(path, "wb") as fh:
                fh.write(out.pdf)
            return out.is_copy

        def saved(is_copy: bool) -> None:
            what = "A copy marked COPY" if is_copy else "The letter"
            self.say(f"{what} was saved to {path}.")
            self.reload(letter.id)
            if is_copy:
                emit(self.changed, rid)

        def not_saved(exc: BaseException) -> None:  # a full or missing drive included
            text = exc.strerror if isinstance(exc, OSError) else None
            self.say(f"Not saved: {text or user_message(exc)}", error=True)

        Op(self, save).success(saved).failure(not_saved, expected=(OSError,)).run()

    def print_letter(self) -> None:
        letter = self.selected()
        if letter is None or self.detail is None:
            return
        try:
            printer = choose_printer(self, self.spooler)
        except PrintUnavailable as exc:
            self.say(str(exc), error=True)
            return
        if printer is None:
            return
        store, actor, spooler, rid = self.store, self.actor, self.spooler, self.detail.id

        def send() -> bool:
            out = letters.letter_for_output(store, actor, letter.id, "print")
            spooler.submit(out.pdf, printer)
            return out.is_copy

        def sent(is_copy: bool) -> None:
            what = "A copy marked COPY" if is_copy else "The letter"
            self.say(f"{what} was sent to {printer}.")
            self.reload(letter.id)
            if is_copy:
                emit(self.changed, rid)

        Op(self, send).success(sent).failure(
            lambda exc: self.say(user_message(exc), error=True), expected=(PrintUnavailable,)
        ).run()

    # -- mailing ------------------------------------------------------------------------

    def record_mailing(self) -> None:
        letter = self.selected()
        if letter is None or self.detail is None:
            return
        dlg = self.mailing_dialog(letter)
        if dlg.exec():
            emit(self.changed, self.detail.id)

    def mailing_dialog(self, letter: IssuedLetter) -> ActionDialog:
        store, actor, today, section = self.store, self.actor, self.today, self

        def run(f: ErrorForm) -> Callable[[], IssuedLetter]:
            method, on, tracking, note = (
                f.text("method"),
                f.date("date"),
                f.text("tracking"),
                f.text("note"),
            )
            latest = max(today, dt.date.today())
            return lambda: letters.record_mailing(
                store, actor, letter.id, method, on, tracking, note, today=latest
            )

        def recorded(sent: IssuedLetter) -> None:
            section.reload(sent.id)
            section.say(f"{sent.title}: {sent.state_text()}")

        intro = f"{letter.title} to {letter.recipient_name}. A letter counts as sent only "
        intro += "once this is recorded."
        if letter.deadline is not None:
            intro += f" The rule requires it by {letter.deadline.due} ({letter.deadline.rule})."
        dlg = ActionDialog("Record mailing", intro, "Record", run, self, recorded)
        methods = [(m.value, METHOD_LABELS[m].capitalize()) for m in MailMethod]
        dlg.form.add("method", "Sent by:", combo(methods, MailMethod.FIRST_CLASS.value))
        dlg.form.add("date", "Sent on:", date_line(self.today))
        dlg.form.add("tracking", "Tracking number:", line(max_length=60), "For certified mail.")
        dlg.form.add("note", "Note:", line(max_length=1000))
        return dlg
