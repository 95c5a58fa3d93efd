"""What a user saw go wrong on screen (screenshots under Xvfb), kept from coming back."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QApplication, QDialogButtonBox

from accessdesk_gui.ui.main_window import MainWindow
from accessdesk_gui.ui.request_form import NewRequestDialog

TODAY = dt.date(2026, 3, 1)


def _log_one(dialog: NewRequestDialog) -> int:
    fields = dialog.form.fields
    fields["patient_name"].setText("Zoë Screenshot")
    fields["patient_dob"].setText("1980-01-01")
    fields["received"].setText("2026-02-27")
    fields["scope"].setPlainText("All records")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    return dialog.result()


def test_the_count_above_the_queue_follows_a_newly_logged_request(
    qtbot, store, desk, monkeypatch
) -> None:
    win = MainWindow(store, desk, today=TODAY)
    qtbot.addWidget(win)
    assert win.summary.text() == "0 requests shown"
    monkeypatch.setattr(NewRequestDialog, "exec", _log_one)
    assert win.new_request() is not None
    assert win.model.rowCount() == 1
    assert win.summary.text() == "1 request shown"


def test_demo_with_state_tx_opens_a_texas_practice(qtbot, monkeypatch, tmp_path) -> None:
    # `accessdesk demo --state TX` opened the Oregon practice: the GUI path dropped --state.
    from accessdesk_gui.cli.main import main
    from accessdesk_gui.services import practice
    from accessdesk_gui.ui import app

    seen: list[str] = []

    def exec_once(self) -> int:
        for w in self.topLevelWidgets():
            if isinstance(w, MainWindow) and w.isVisible():
                seen.append(practice.get_practice(w.store).state)
                w.close()
        return 0

    monkeypatch.setattr(type(app._app()), "exec", exec_once)
    db = tmp_path / "demo.sqlite"
    assert main(["demo", "--state", "TX", "--today", "2026-03-01", "--db", str(db)]) == 0
    assert seen == ["TX"]


def test_the_denials_panel_stays_on_its_own_tab(qtbot, store, admin, desk) -> None:
    # It was painted over the Letters tab ("Letters" and "Denials" titles on top of each
    # other) whenever the request offered a denial.
    from tests.denialflow_support import log, set_up_office

    set_up_office(store, admin, desk)
    rid = log(store, desk)
    win = MainWindow(store, desk, today=dt.date(2026, 2, 10))
    qtbot.addWidget(win)
    win.show()
    detail = win.detail
    detail.tabs.setCurrentWidget(detail.letters)
    detail.show_request(rid)
    assert "compose" in detail.denials.buttons  # the panel has something to show
    assert detail.letters.isVisible()
    assert not detail.denials.isVisible()
    detail.tabs.setCurrentIndex(detail.tabs.count() - 1)
    assert detail.tabs.tabText(detail.tabs.currentIndex()) == "Denials"
    assert detail.denials.isVisible()
    assert not detail.letters.isVisible()


def test_new_request_opens_with_the_cursor_in_the_patient_name(qtbot, store, desk) -> None:
    # It opened with "Log request" focused: typing "Test Patient" submitted the empty form.
    dialog = NewRequestDialog(store, desk, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.focusWidget() is dialog.form.fields["patient_name"]


def test_a_refused_scan_puts_the_cursor_in_the_file_path(qtbot, store, desk, tmp_path) -> None:
    # The error focused the row's container: the path could not be corrected by typing.
    not_pdf = tmp_path / "scan.pdf"
    not_pdf.write_bytes(b"plain text, not a PDF\n" * 50)
    dialog = NewRequestDialog(store, desk, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.scan_path.setText(str(not_pdf))
    assert _log_one(dialog) == 0
    assert "not a PDF" in dialog.form.error_text("file")
    assert dialog.focusWidget() is dialog.scan_path


def test_the_long_dialogs_fit_the_screen(qtbot, store, desk) -> None:
    # New request (780 px tall) and the letter preview (860) put their buttons below the
    # bottom of a 1366x768 screen. The offscreen screen is smaller still: both must fit.
    from PySide6.QtGui import QGuiApplication

    from accessdesk_gui.ui.letters_panel import PdfPreviewDialog
    from accessdesk_gui.ui.window_size import FRAME_ALLOWANCE

    room = QGuiApplication.primaryScreen().availableGeometry()
    assert room.height() < 860  # else this test shows nothing
    win = MainWindow(store, desk, today=TODAY)
    qtbot.addWidget(win)
    for dialog in (
        NewRequestDialog(store, desk, today=TODAY, parent=win),
        PdfPreviewDialog(b"", "t", win),
    ):
        qtbot.addWidget(dialog)
        assert dialog.height() + FRAME_ALLOWANCE <= room.height()
        assert dialog.width() <= room.width()
    assert win.height() + FRAME_ALLOWANCE <= room.height()


def _window_with_a_request(qtbot, store, desk) -> MainWindow:
    from accessdesk_gui.services import requests
    from tests.conftest import make_intake

    rid = requests.log_request(store, desk, make_intake(received=dt.date(2026, 2, 20)), today=TODAY)
    win = MainWindow(store, desk, today=TODAY)
    qtbot.addWidget(win)
    win.show()
    win.detail.show_request(rid)
    win.detail.tabs.setCurrentWidget(win.detail.letters)
    return win


def test_the_main_window_fits_a_1280_px_wide_screen(qtbot, store, desk) -> None:
    # Its minimum width was 1343 px: the filter lists were as wide as their longest item
    # ("The patient's directive to send a copy to someone else").
    win = _window_with_a_request(qtbot, store, desk)
    assert win.minimumSizeHint().width() <= 1260
    assert win.filters.kind.view().minimumWidth() > win.filters.kind.width()  # list: in full


def test_the_main_window_fits_a_720_px_high_screen(qtbot, tmp_path) -> None:
    # With a demo request open its minimum height was 770 px: on a 768 px screen the
    # desk's bottom row was off screen. The request side scrolls instead.
    from accessdesk_gui.services import auth, demo

    store = demo.build_demo_store(tmp_path / "demo.sqlite", today=TODAY, state="TX")
    try:
        actor = auth.login(store, demo.DEMO_USER, demo.DEMO_PASSWORD)
        win = MainWindow(store, actor, today=TODAY)
        qtbot.addWidget(win)
        win.show()
        for rid in (2, 21):  # an extended request, and one with a state rule
            win.detail.show_request(rid)
            for tab in range(win.detail.tabs.count()):
                win.detail.tabs.setCurrentIndex(tab)
                QApplication.processEvents()  # the layouts take in what was shown
                assert win.minimumSizeHint().height() <= 680
        win.close()
    finally:
        store.close()
