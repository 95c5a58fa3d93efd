"""The GUI driven as a user would, offscreen (pytest-qt)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from accessdesk_gui.domain.lifecycle import Action, Status
from accessdesk_gui.services import practice, requests
from accessdesk_gui.services.requests import Query, View
from accessdesk_gui.ui.dialogs import LoginDialog, SetupDialog
from accessdesk_gui.ui.main_window import MainWindow
from accessdesk_gui.ui.queue_model import REQUEST_ID_ROLE
from accessdesk_gui.ui.request_form import NewRequestDialog
from tests.conftest import PASSWORD, make_intake

TODAY = dt.date(2026, 3, 1)


def _ok(dialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def _fill(dialog, **values: str) -> None:
    # setText, not keyClicks: typing non-ASCII through QTest aborts (stack-notes pitfalls).
    for name, value in values.items():
        w = dialog.form.fields[name]
        if hasattr(w, "setPlainText"):
            w.setPlainText(value)
        elif hasattr(w, "setCurrentIndex"):
            w.setCurrentIndex(w.findData(value))
        else:
            w.setText(value)


def test_log_a_request_through_the_form_and_find_it_in_the_queue(
    qtbot, store, desk, monkeypatch
) -> None:
    win = MainWindow(store, desk, today=TODAY)
    qtbot.addWidget(win)
    assert win.model.rowCount() == 0

    def fill_and_submit(dialog: NewRequestDialog) -> int:
        _fill(
            dialog,
            patient_name="Nguyễn Thị Zoë O'Brien",
            patient_dob="1979-12-31",
            received="2026-02-27",
            scope="Everything, including billing records",
        )
        _ok(dialog)
        return dialog.result()

    monkeypatch.setattr(NewRequestDialog, "exec", fill_and_submit)
    rid = win.new_request()
    assert rid is not None
    assert win.model.rowCount() == 1
    idx = win.model.index(0, 1)
    assert win.model.data(idx) == "Nguyễn Thị Zoë O'Brien"
    assert win.model.data(win.model.index(0, 4)) == "2026-03-29"
    assert win.model.data(win.model.index(0, 5)) == "28 days"
    qtbot.waitUntil(lambda: win.view_combo.itemText(0) == "Open (1)", timeout=3000)
    assert "Request received" in win.detail.timeline.toPlainText()

    # Search as you type, accents ignored.
    win.search.setText("nguyen thi zoe")
    qtbot.waitUntil(lambda: win.model.query.search == "nguyen thi zoe", timeout=2000)
    assert win.model.rowCount() == 1
    win.search.setText("nobody like this")
    qtbot.waitUntil(lambda: win.model.rowCount() == 0, timeout=2000)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"patient_name": ""}, "patient_name", "required"),
        ({"patient_dob": "31/12/1979"}, "patient_dob", "YYYY-MM-DD"),
        ({"patient_dob": "2026-02-28", "received": "2026-02-27"}, "patient_dob", "after"),
        ({"received": "2026-03-05"}, "received", "future"),
        ({"scope": ""}, "scope", "required"),
    ],
)
def test_bad_input_shows_at_the_field_and_saves_nothing(
    qtbot, store, desk, values, field, message
) -> None:
    dialog = NewRequestDialog(store, desk, today=TODAY)
    qtbot.addWidget(dialog)
    good = {
        "patient_name": "李 小明",
        "patient_dob": "1980-01-01",
        "received": "2026-02-27",
        "scope": "All",
    }
    _fill(dialog, **{**good, **values})
    _ok(dialog)
    assert message in dialog.form.error_text(field)
    assert dialog.result() == 0
    assert dialog.form.text("patient_name") == {**good, **values}["patient_name"]
    assert requests.count_requests(store, desk, Query(view=View.ALL)) == 0


def test_representative_fields_appear_only_when_needed(qtbot, store, desk) -> None:
    dialog = NewRequestDialog(store, desk, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.form.fields["requester_name"].isVisible()
    _fill(dialog, requester_kind="personal_representative")
    assert dialog.form.fields["requester_name"].isVisible()
    _fill(
        dialog,
        patient_name="Ann Child",
        patient_dob="2015-01-01",
        received="2026-02-27",
        scope="Immunizations",
    )
    _ok(dialog)
    assert "required" in dialog.form.error_text("requester_name")


def test_detail_offers_exactly_the_allowed_actions_and_extends_once(
    qtbot, store, desk, monkeypatch
) -> None:
    rid = requests.log_request(store, desk, make_intake(received=dt.date(2026, 2, 20)), today=TODAY)
    win = MainWindow(store, desk, today=TODAY)
    qtbot.addWidget(win)
    win.show()
    panel = win.detail
    panel.show_request(rid)
    visible = {a for a, b in panel.buttons.items() if b.isVisible()}
    assert visible == {Action.START, Action.EXTEND, Action.FULFIL, Action.WITHDRAW}

    def submit_extension(dialog) -> int:
        _fill(dialog, notice_date="2026-03-01", reasons="Paper chart is in storage")
        _ok(dialog)
        return dialog.result()

    from accessdesk_gui.ui.dialogs import ActionDialog

    monkeypatch.setattr(ActionDialog, "exec", submit_extension)
    panel.run_action(Action.EXTEND)
    d = requests.get_request(store, desk, rid)
    assert d.status is Status.EXTENDED
    assert d.effective_due == dt.date(2026, 4, 21)
    visible = {a for a, b in panel.buttons.items() if b.isVisible()}
    assert visible == {Action.FULFIL, Action.WITHDRAW}
    assert "Extended to 2026-04-21" in panel.timeline.toPlainText()


def test_refused_action_keeps_the_dialog_open_with_the_reason(qtbot, store, desk) -> None:
    rid = requests.log_request(store, desk, make_intake(received=dt.date(2026, 1, 2)), today=TODAY)
    win = MainWindow(store, desk, today=TODAY)
    qtbot.addWidget(win)
    win.detail.show_request(rid)
    dialog = win.detail.action_dialog(Action.EXTEND, win.detail.detail)
    qtbot.addWidget(dialog)
    _fill(dialog, notice_date="2026-02-05", reasons="late")
    _ok(dialog)
    assert dialog.result() == 0
    assert "Too late" in dialog.form.error_text("")
    assert requests.get_request(store, desk, rid).status is Status.RECEIVED


def test_overdue_rows_say_so_in_words(qtbot, store, desk) -> None:
    requests.log_request(store, desk, make_intake(received=dt.date(2026, 1, 2)), today=TODAY)
    win = MainWindow(store, desk, today=TODAY)
    qtbot.addWidget(win)
    assert win.model.data(win.model.index(0, 5)) == "OVERDUE 28 days"
    assert win.model.data(win.model.index(0, 5), Qt.ItemDataRole.BackgroundRole) is not None


def test_clicking_a_header_sorts_in_sql(qtbot, store, desk) -> None:
    for name in ["Bravo", "Álvaro", "Charlie"]:
        requests.log_request(store, desk, make_intake(patient_name=name), today=TODAY)
    win = MainWindow(store, desk, today=TODAY)
    qtbot.addWidget(win)
    win.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    names = [win.model.data(win.model.index(r, 1)) for r in range(3)]
    assert names == ["Álvaro", "Bravo", "Charlie"]
    win.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert win.model.data(win.model.index(0, 1)) == "Charlie"
    assert isinstance(win.model.data(win.model.index(0, 0), REQUEST_ID_ROLE), int)


def test_keyboard_shortcuts(qtbot, store, desk, monkeypatch) -> None:
    win = MainWindow(store, desk, today=TODAY)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitActive(win):
        win.activateWindow()
    opened = []
    monkeypatch.setattr(NewRequestDialog, "exec", lambda self: opened.append(1) or 0)
    qtbot.keyClick(win.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert opened == [1]
    qtbot.keyClick(win.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert win.search.hasFocus()


def test_window_title_carries_no_patient_data(qtbot, store, desk) -> None:
    requests.log_request(store, desk, make_intake(patient_name="Secretname Person"), today=TODAY)
    win = MainWindow(store, desk, today=TODAY)
    qtbot.addWidget(win)
    win.table.selectRow(0)
    assert "Secretname" not in win.windowTitle()


def test_first_start_setup_dialog(qtbot, store) -> None:
    dialog = SetupDialog(store)
    qtbot.addWidget(dialog)
    _fill(
        dialog,
        practice_name="Clínica Zoë",
        address="1 Main St\nTown, CA 90000",
        phone="(555) 010-0000",
        state="CA",
        username="manager",
        full_name="Mía Nguyễn",
        password=PASSWORD,
        password2="something else",
    )
    _ok(dialog)
    assert "does not match" in dialog.form.error_text("password2")
    assert not practice.is_set_up(store)
    _fill(dialog, password2=PASSWORD)
    _ok(dialog)
    assert dialog.result() == 1
    assert dialog.actor is not None and dialog.actor.username == "manager"
    assert practice.get_practice(store).name == "Clínica Zoë"


def test_login_dialog(qtbot, store, admin) -> None:
    dialog = LoginDialog(store)
    qtbot.addWidget(dialog)
    _fill(dialog, username="admin", password="wrong wrong wrong")
    _ok(dialog)
    assert "Wrong user name or password" in dialog.form.error_text("password")
    _fill(dialog, password=PASSWORD)
    _ok(dialog)
    assert dialog.actor is not None and dialog.actor.username == "admin"


def test_opening_the_queue_opens_no_request_and_records_no_view(qtbot, store, desk) -> None:
    from sqlalchemy import select

    from accessdesk_gui.store.models import AuditEntry

    requests.log_request(store, desk, make_intake(), today=TODAY)
    win = MainWindow(store, desk, today=TODAY)
    qtbot.addWidget(win)
    win.show()
    qtbot.wait(50)
    assert win.detail.detail is None
    with store.read() as s:
        actions = list(s.scalars(select(AuditEntry.action)))
    assert "request_viewed" not in actions
    qtbot.keyClick(win.table, Qt.Key.Key_Down)  # keyboard: the first row, and now a view
    qtbot.waitUntil(lambda: win.detail.detail is not None, timeout=2000)
