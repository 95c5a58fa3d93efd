"""The inactivity lock, driven with an injected clock (no waiting)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit

from accessdesk_gui.services import backups, requests
from accessdesk_gui.ui.main_window import MainWindow
from accessdesk_gui.ui.session_lock import COVER_COLOUR, Cover, SessionGuard
from tests.conftest import PASSWORD, make_intake

TODAY = dt.date(2026, 3, 1)


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 1, 9, 0)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += dt.timedelta(minutes=minutes)


def _setup(qtbot, store, actor, minutes: int | None = None):
    rid = requests.log_request(store, actor, make_intake(patient_name="Zoë Lockscreen"), TODAY)
    win = MainWindow(store, actor, today=TODAY)
    qtbot.addWidget(win)
    win.show()
    clock = Clock()
    guard = SessionGuard(win, store, actor, minutes=minutes, clock=clock)
    return win, guard, clock, rid


def _covered(w) -> bool:
    """What the window paints is the cover's colour everywhere we look (no data shows)."""
    covers = [c for c in w.findChildren(Cover) if c.isVisible()]
    if not covers or not covers[0].geometry().contains(w.rect()):
        return False
    img = w.grab().toImage()
    points = [(img.width() * x // 10, img.height() * y // 10) for x in (3, 5, 9) for y in (3, 5, 9)]
    return all(img.pixelColor(x, y) == COVER_COLOUR for x, y in points)


def test_locks_after_the_limit_over_a_modal_dialog_a_typed_search_and_an_open_record(
    qtbot, store, desk
) -> None:
    win, guard, clock, rid = _setup(qtbot, store, desk)
    win.detail.show_request(rid)  # a record open
    win.search.setText("Zoë")
    dlg = QDialog(win)
    dlg.setWindowModality(Qt.WindowModality.ApplicationModal)
    unsaved = QLineEdit(dlg)
    unsaved.setText("half-typed reasons")
    dlg.open()
    qtbot.waitExposed(dlg)

    clock.advance(9)
    guard.check()
    assert not guard.locked  # 10 minutes by default
    clock.advance(1.5)
    guard.check()
    assert guard.locked and guard.lock_screen is not None and guard.lock_screen.isVisible()
    assert _covered(win) and _covered(dlg)

    # A wrong password keeps it locked.
    guard.lock_screen.password.setText("not the password")
    guard.lock_screen.button.click()
    assert guard.locked and "Wrong user name or password" in guard.lock_screen.error.text()

    # The same user: everything as it was.
    guard.lock_screen.password.setText(PASSWORD)
    guard.lock_screen.button.click()
    assert not guard.locked
    assert not _covered(win) and not _covered(dlg)
    assert dlg.isVisible() and unsaved.text() == "half-typed reasons"
    assert win.search.text() == "Zoë"
    guard.stop()
    dlg.close()


def test_activity_postpones_the_lock_and_the_limit_is_a_setting(qtbot, store, admin) -> None:
    backups.set_setting(store, admin, "lock_minutes", "3")
    win, guard, clock, _ = _setup(qtbot, store, admin)
    clock.advance(2)
    qtbot.keyClick(win.search, "a")
    clock.advance(2)
    guard.check()
    assert not guard.locked  # 2 minutes since the key press
    clock.advance(1)
    guard.check()
    assert guard.locked
    guard.stop()


def test_another_user_unlocking_starts_their_own_session(qtbot, store, admin, desk) -> None:
    win, guard, clock, _ = _setup(qtbot, store, admin)
    dlg = QDialog(win)
    keep = QLineEdit(dlg)
    keep.setText("admin's unsaved text")
    dlg.open()
    switched = []
    guard.switched.connect(switched.append)
    clock.advance(11)
    guard.check()
    assert guard.locked
    guard.lock_screen.username.setText("desk")
    guard.lock_screen.password.setText(PASSWORD)
    guard.lock_screen.button.click()
    assert [a.username for a in switched] == ["desk"]
    assert not dlg.isVisible()  # the previous user's dialog is gone, not shown to desk
    assert guard.actor.username == "desk"
    guard.stop()
