"""The Letters section and Print today's mail, driven as a user would (offscreen)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from pypdf import PdfReader
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QDialogButtonBox

from accessdesk_gui.domain.intake import Delivery, Format
from accessdesk_gui.letters import LetterKind
from accessdesk_gui.services import letters, requests
from accessdesk_gui.ui import mail_batch
from accessdesk_gui.ui.dialogs import ActionDialog
from accessdesk_gui.ui.mail_batch import MailBatch
from accessdesk_gui.ui.request_detail import RequestDetailPanel
from tests.conftest import make_intake

TODAY = dt.date(2026, 2, 10)
MAIL = dict(delivery=Delivery.MAIL, format=Format.PAPER, mail_address="3 Invented Way\nSalem, OR")


class FakeSpooler:
    def __init__(self, printers: list[str] | None = None) -> None:
        self.names = ["Front office"] if printers is None else printers
        self.jobs: list[tuple[bytes, str]] = []

    def printers(self) -> list[str]:
        return self.names

    def default_printer(self) -> str:
        return self.names[0] if self.names else ""

    def submit(self, pdf: bytes, printer: str, title: str = "") -> None:
        self.jobs.append((pdf, printer))


def _fill_and_ok(dialog: ActionDialog, values: dict[str, str]) -> int:
    for name, value in values.items():
        w = dialog.form.fields[name]
        if hasattr(w, "setPlainText"):
            w.setPlainText(value)
        elif hasattr(w, "setCurrentIndex"):
            w.setCurrentIndex(w.findData(value))
        else:
            w.setText(value)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    return dialog.result()


@pytest.fixture
def panel(qtbot, store, admin):
    rid = requests.log_request(store, admin, make_intake(**MAIL), today=TODAY)
    p = RequestDetailPanel(store, admin)
    p.today = TODAY
    p.letters.spooler = FakeSpooler()
    qtbot.addWidget(p)
    p.show_request(rid)
    return p


def test_issue_a_letter_from_the_request_and_see_it_listed(panel, monkeypatch) -> None:
    section = panel.letters
    section.kind.setCurrentIndex(section.kind.findData(LetterKind.CLARIFICATION.value))
    seen: list[str] = []

    def exec_(dialog: ActionDialog) -> int:
        # First without saying what is unclear: refused in the dialog, naming it.
        _fill_and_ok(dialog, {"letter_date": "2026-02-10"})
        seen.append(dialog.form.error_text(""))
        return _fill_and_ok(dialog, {"unclear_points": "Which years you want"})

    monkeypatch.setattr(ActionDialog, "exec", exec_)
    section.issue()
    assert "Missing: what is unclear about the request" in seen[0]
    assert section.table.rowCount() == 1
    assert section.table.item(0, 1).text() == "Request for clarification (en)"
    assert section.table.item(0, 3).text() == "Not sent yet"
    assert "Request for clarification #1 issued" in panel.timeline.toPlainText()
    assert "counts as sent once you record the mailing" in section.status.text()


def test_preview_save_print_and_record_mailing(panel, store, admin, monkeypatch, tmp_path) -> None:
    section = panel.letters
    letter = letters.issue_letter(
        store, admin, panel.detail.id, LetterKind.ACKNOWLEDGEMENT, on=TODAY
    )
    panel.show_request(panel.detail.id)
    assert section.selected().id == letter.id

    section.preview()
    dlg = section.preview_dialog
    assert dlg.document.status() == QPdfDocument.Status.Ready
    assert dlg.document.pageCount() == 1

    # Before it is sent, save and print give the original, byte for byte.
    target = tmp_path / "ack.pdf"
    monkeypatch.setattr(section, "ask_save_path", lambda _s: str(target))
    section.save_pdf()
    assert hashlib.sha256(target.read_bytes()).hexdigest() == letter.sha256
    section.print_letter()
    pdf, printer = section.spooler.jobs[-1]
    assert printer == "Front office" and pdf == target.read_bytes()

    def exec_(dialog: ActionDialog) -> int:
        _fill_and_ok(dialog, {"method": "certified", "date": "2026-02-10"})
        assert "required for certified mail" in dialog.form.error_text("tracking")
        return _fill_and_ok(dialog, {"tracking": "9400 TEST"})

    monkeypatch.setattr(ActionDialog, "exec", exec_)
    section.record_mailing()
    assert section.table.item(0, 3).text().startswith("Sent 2026-02-10 by certified mail")
    assert not section.buttons["mail"].isEnabled()
    assert "sent 2026-02-10 by certified mail" in panel.timeline.toPlainText()

    # After it is sent, printing gives a copy marked COPY, and the copy is logged.
    section.print_letter()
    pdf, _ = section.spooler.jobs[-1]
    assert "COPY" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "1 copy made" in section.table.item(0, 3).text()


def test_printing_without_a_printer_says_so(panel, store, admin) -> None:
    letters.issue_letter(store, admin, panel.detail.id, LetterKind.ACKNOWLEDGEMENT, on=TODAY)
    panel.show_request(panel.detail.id)
    panel.letters.spooler = FakeSpooler(printers=[])
    panel.letters.print_letter()
    assert "No printer is set up on this computer" in panel.letters.status.text()
    assert letters.get_letter(store, admin, 1).copies == 0


# -- Print today's mail -------------------------------------------------------------------


@pytest.fixture
def mail(store, admin) -> list[letters.IssuedLetter]:
    out = []
    for n in range(3):
        rid = requests.log_request(
            store, admin, make_intake(patient_name=f"Zoë Invented {n}", **MAIL), today=TODAY
        )
        out.append(letters.issue_letter(store, admin, rid, LetterKind.ACKNOWLEDGEMENT, on=TODAY))
    letters.record_mailing(store, admin, out[0].id, "first_class", TODAY, today=TODAY)
    return out


@pytest.fixture
def messages(monkeypatch) -> list[str]:
    said: list[str] = []
    monkeypatch.setattr(mail_batch, "notify", lambda _show, _parent, text: said.append(text))
    return said


def test_print_todays_mail_joins_unsent_letters_off_the_ui_thread(
    qtbot, store, admin, mail, messages, held_ops
) -> None:
    panel = RequestDetailPanel(store, admin)
    qtbot.addWidget(panel)
    spooler = FakeSpooler()
    batch = MailBatch(panel, store, admin, spooler)
    ends: list[str] = []
    batch.done.connect(ends.append)
    batch.start()
    held_ops.run_next()  # the letters are gathered; joining them waits on the worker
    assert batch.progress is not None and batch.progress.maximum() == 2
    held_ops.run_next()  # joined; the print is logged next
    held_ops.run_next()
    assert len(ends) == 1 and batch.progress is None
    assert len(spooler.jobs) == 1
    pdf, printer = spooler.jobs[0]
    assert printer == "Front office"
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == 2
    assert "Zoë Invented 1" in pages[0].extract_text()
    assert "Zoë Invented 2" in pages[1].extract_text()
    assert "Sent 2 letters (2 pages) to Front office as one job" in messages[-1]
    # Printing is not mailing: both are still waiting for their mailing record.
    assert [x.id for x in letters.mail_queue(store, admin)] == [mail[1].id, mail[2].id]


def test_cancelling_prints_nothing(qtbot, store, admin, mail, messages, held_ops) -> None:
    panel = RequestDetailPanel(store, admin)
    qtbot.addWidget(panel)
    spooler = FakeSpooler()
    batch = MailBatch(panel, store, admin, spooler)
    batch.start()
    held_ops.run_next()
    assert batch.progress.isVisible() and batch.progress.labelText().startswith("Putting 2")
    batch.progress.findChild(type(panel.letters.issue_button)).click()  # the Cancel button
    held_ops.run_next()
    assert messages == ["Cancelled; nothing was printed."]
    assert spooler.jobs == []


def test_a_failure_in_the_worker_reaches_the_user(
    qtbot, store, admin, mail, messages, held_ops
) -> None:
    panel = RequestDetailPanel(store, admin)
    qtbot.addWidget(panel)
    spooler = FakeSpooler()
    batch = MailBatch(panel, store, admin, spooler)
    batch.start()
    held_ops.run_next()
    batch.letter_ids = [9999]
    held_ops.run_next()
    assert messages == ["There is no letter number 9999."]
    assert spooler.jobs == []


def test_nothing_to_print(qtbot, store, admin, messages) -> None:
    panel = RequestDetailPanel(store, admin)
    qtbot.addWidget(panel)
    MailBatch(panel, store, admin, FakeSpooler()).start()
    assert messages == ["No letters are waiting to be sent."]
