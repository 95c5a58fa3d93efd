"""The inactivity lock: after N minutes without input, cover every window and ask to log in.

Windows are covered, not hidden or closed, so a dialog in the middle of its work keeps
running and keeps what was typed; the same user unlocking finds everything as it was.
Another user unlocking starts their own session (the old windows are closed unsaved).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from accessdesk_gui.services import session
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.services.workspace import Store
from accessdesk_gui.ui.operations import Op, user_message
from accessdesk_gui.ui.qtcompat import emit

ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
}
POLL_MS = 15_000
COVER_COLOUR = QColor("#2b3440")


class Cover(QWidget):
    """An opaque panel over a whole window: nothing underneath shows."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("lockCover")
        pal = self.palette()
        pal.setColor(QPalette.ColorRole.Window, COVER_COLOUR)
        pal.setColor(QPalette.ColorRole.WindowText, QColor("white"))
        self.setPalette(pal)
        self.setAutoFillBackground(True)
        label = QLabel("Locked", self)
        label.setPalette(pal)
        font = label.font()
        font.setPointSize(18)
        label.setFont(font)
        label.move(24, 24)
        self.setGeometry(0, 0, 10_000, 10_000)
        self.raise_()
        self.show()


class LockScreen(QDialog):
    unlocked = Signal(object, bool)  # the actor, and whether it is the same user

    def __init__(self, store: Store, actor: Actor) -> None:
        super().__init__(None)
        self.store = store
        self.actor = actor
        self.setWindowTitle("AccessDesk — locked")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        lay = QVBoxLayout(self)
        lay.addWidget(
            QLabel(
                "AccessDesk locked itself after a while without use, to keep patient "
                "information private.\nLog in to go on. Another user logging in starts "
                "their own session."
            )
        )
        self.username = QLineEdit(actor.username)
        self.username.setAccessibleName("User name")
        self.password = QLineEdit()
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.button = QPushButton("Unlock")
        self.button.setDefault(True)
        self.button.clicked.connect(self.submit)
        for w in (QLabel("User name:"), self.username, QLabel("Password:"), self.password):
            lay.addWidget(w)
        lay.addWidget(self.error)
        lay.addWidget(self.button)
        self.password.setFocus()

    def submit(self) -> None:
        store, actor = self.store, self.actor
        username, password = self.username.text(), self.password.text()
        self.password.clear()
        self.button.setEnabled(False)
        # The password check (argon2) runs on the worker.
        Op(self, lambda: session.unlock(store, actor, username, password)).success(
            self._unlocked
        ).failure(lambda exc: self.error.setText(user_message(exc))).finally_(
            lambda: self.button.setEnabled(True)
        ).run()

    def _unlocked(self, result: tuple[Actor, bool]) -> None:
        actor, same = result
        emit(self.unlocked, actor, same)
        self.done(QDialog.DialogCode.Accepted)

    def reject(self) -> None:  # Esc does not leave the lock screen
        pass


class SessionGuard(QObject):
    """Watches for input anywhere in the app and locks after the idle limit."""

    switched = Signal(object)  # a new Actor: the app opens a fresh main window for them

    def __init__(
        self,
        window: QWidget,
        store: Store,
        actor: Actor,
        minutes: int | None = None,
        clock: session.Clock = session.system_clock,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.store = store
        self.actor = actor
        limit = dt.timedelta(minutes=minutes or session.lock_minutes(store))
        self.inactivity = session.Inactivity(limit, clock)
        self.inactivity.touch()
        self.locked = False
        self.covers: list[Cover] = []
        self.covered: list[QWidget] = []
        self.lock_screen: LockScreen | None = None
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if not self.locked and event.type() in ACTIVITY:
            self.inactivity.touch()
        return False

    def check(self) -> None:
        if not self.locked and self.inactivity.due():
            self.lock()

    def lock(self) -> None:
        self.locked = True
        self.covered = [
            w
            for w in QApplication.topLevelWidgets()
            if w.isVisible() and not isinstance(w, LockScreen)
        ]
        self.covers = [Cover(w) for w in self.covered]
        store, actor = self.store, self.actor
        # Recorded on the worker; a busy store does not stop the lock, which matters more.
        Op(None, lambda: session.record_lock(store, actor)).failure(lambda _exc: None).run()
        self.lock_screen = LockScreen(self.store, self.actor)
        self.lock_screen.unlocked.connect(self._unlocked)
        self.lock_screen.show()
        self.lock_screen.raise_()
        self.lock_screen.activateWindow()

    def _unlocked(self, actor: Actor, same: bool) -> None:
        for c in self.covers:
            c.hide()
            c.deleteLater()
        self.covers = []
        if not same:
            # Another person: nothing of the previous session is shown to them.
            for w in self.covered:
                if w is not self.window:
                    w.close()
            self.actor = actor
            emit(self.switched, actor)
        self.covered = []
        self.lock_screen = None
        self.locked = False
        self.inactivity.touch()

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
