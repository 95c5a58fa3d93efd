"""Starting the GUI: open (or create) the store, first-start set-up, login, main window."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from accessdesk_gui.resources_path import resource_dir
from accessdesk_gui.services import practice
from accessdesk_gui.services.actor import Actor
from accessdesk_gui.services.errors import USER_ERRORS
from accessdesk_gui.services.workspace import (
    StartDeclined,
    Store,
    StoreError,
    Workspace,
    open_workspace,
    passphrase_from_environment,
)
from accessdesk_gui.ui import errors, operations
from accessdesk_gui.ui.forms import FormDialog
from accessdesk_gui.ui.login import LoginDialog, preload
from accessdesk_gui.ui.main_window import MainWindow
from accessdesk_gui.ui.operations import Op, user_message

if TYPE_CHECKING:
    import datetime as dt

    from accessdesk_gui.ui.dialogs import SetupDialog
    from accessdesk_gui.ui.session_lock import SessionGuard


def _app() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(sys.argv)
    # From here on nothing unexpected is silent, even in a windowed build (ui/errors.py).
    errors.install()
    app.setApplicationName("AccessDesk")
    app.setOrganizationName("AccessDesk")
    icon = resource_dir() / "icons" / "accessdesk-256.png"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    return app


SMOKE_QUIT_ENV = "ACCESSDESK_SMOKE_QUIT_MS"


def _smoke_hooks(app: QApplication) -> None:
    """For the installer's smoke test: report when the first window is up, then quit.

    With ACCESSDESK_SMOKE_QUIT_MS=N the app prints one line with the wall-clock time at
    which an event loop first ran with a window shown (set-up, log-in or main window, and
    which one), and closes every window N ms later.
    """
    raw = os.environ.get(SMOKE_QUIT_ENV)
    if not raw:
        return

    def shown() -> None:
        windows = [w for w in app.topLevelWidgets() if w.isVisible()]
        if not windows:
            QTimer.singleShot(5, shown)
            return
        if sys.stdout is not None:  # a windowed Windows build has no stdout
            name = type(windows[0]).__name__
            print(f"accessdesk-smoke: {name} shown at {time.time():.3f}", flush=True)
        QTimer.singleShot(max(0, int(raw)), quit_all)

    def quit_all() -> None:
        # A dialog's exec() returns as if cancelled; the last window closed ends app.exec().
        # (quit() would not end a dialog's loop and would linger as a posted event.)
        app.closeAllWindows()

    QTimer.singleShot(0, shown)


def start_login(store: Store) -> LoginDialog:
    """The log-in dialog, with the ORM and services loading on the worker once it shows.

    Only what the log-in shows is imported before it; the rest loads while the user
    types, and the log-in op queues behind it on the same worker (docs/performance.md).
    """
    dialog = LoginDialog(store)
    QTimer.singleShot(0, lambda: Op(None, preload).run())  # after it shows
    return dialog


def run_app(db_path: Path | None = None) -> int:
    app = _app()
    _smoke_hooks(app)
    workspace: Workspace | None = None
    try:
        # One AccessDesk per store (a second one is told who has it open). The full
        # integrity check (seconds on a large store) runs while the log-in is typed; a
        # damaged store is still refused before anything is written.
        workspace = open_workspace(
            db_path,
            create=True,
            lock_as="(logging in)",
            ask_passphrase=_ask_passphrase,
            choose_passphrase=_passphrase_without_keyring,
            check="background",
        )
        store = workspace.store
        dialog: LoginDialog | SetupDialog
        if practice.is_set_up(store):
            dialog = start_login(store)
        else:
            from accessdesk_gui.ui.dialogs import SetupDialog

            dialog = SetupDialog(store)
        _close_if_damaged(dialog, store)
        accepted = dialog.exec()
        store.wait_for_check()
        if not accepted or dialog.actor is None:
            workspace.close()
            return 0
        actor = dialog.actor
    except StartDeclined:  # no keyring, and the user chose to quit
        return 0
    except USER_ERRORS as exc:
        operations.wait_idle()
        if workspace is not None:
            workspace.close()
        QMessageBox.critical(None, "AccessDesk", user_message(exc))
        return 2
    assert workspace is not None
    workspace.hold_for(actor)
    window = MainWindow(store, actor)
    window.show()
    # The daily backup follows the first paint: the queue shows at once.
    QTimer.singleShot(0, lambda: _daily_backup(store, actor.username))
    guard = _guard(window, workspace)
    code = app.exec()
    guard.stop()
    operations.wait_idle()  # an op still running finishes before its store closes
    workspace.close()
    return code


def _passphrase_without_keyring() -> str | None:
    """A new store on a computer with no keyring: the practice passphrase chosen instead,
    or None when the user quits (to set a keyring up first).
    """
    from accessdesk_gui.ui.dialogs import NoKeyringDialog

    dialog = NoKeyringDialog()
    if not dialog.exec():
        return None
    return dialog.passphrase


def _ask_passphrase() -> str:
    """A store whose practice chose a passphrase instead of a keyring: ask for it."""
    phrase = passphrase_from_environment()
    if phrase is not None:
        return phrase
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    phrase, ok = QInputDialog.getText(
        None,
        "AccessDesk",
        "This store is protected by the practice passphrase. Type it to open the store:",
        QLineEdit.EchoMode.Password,
    )
    if not ok:
        raise StoreError("No passphrase was typed; the store was not opened.")
    return str(phrase)


def _close_if_damaged(dialog: FormDialog, store: Store) -> None:
    """Close the open dialog as soon as the background integrity check fails."""
    timer = QTimer(dialog)
    timer.setInterval(50)

    def poll() -> None:
        if store.check_pending():
            return
        timer.stop()
        try:
            store.wait_for_check()
        except StoreError:
            dialog.reject()  # run_app then shows why and stops

    timer.timeout.connect(poll)
    timer.start()


def _daily_backup(store: Store, username: str) -> None:
    """The automatic daily backup at start, on the worker; a failure is shown, never silent."""

    def back_up() -> object:
        from accessdesk_gui.services import backups

        return backups.backup_if_due(store, username)

    Op(None, back_up).failure(
        lambda exc: QMessageBox.warning(None, "AccessDesk: backup", user_message(exc))
    ).run()


def _guard(window: MainWindow, workspace: Workspace) -> SessionGuard:
    """The inactivity lock; another user unlocking gets a main window of their own."""
    from accessdesk_gui.ui.session_lock import SessionGuard

    assert workspace.actor is not None
    store = workspace.store
    guard = SessionGuard(window, store, workspace.actor)

    def switch(new_actor: Actor) -> None:
        old = guard.window
        fresh = MainWindow(store, new_actor)
        fresh.show()
        guard.window = fresh
        guard.setParent(fresh)
        old.close()
        old.deleteLater()
        workspace.hold_for(new_actor)

    guard.switched.connect(switch)
    return guard


def run_demo(db_path: Path | None = None, state: str = "OR", today: dt.date | None = None) -> int:
    """A throwaway store of fictional requests, deleted when the window closes.

    ``state`` and ``today`` are the command line's ``--state`` and ``--today``.
    """
    from accessdesk_gui.services import auth, demo

    app = _app()
    _smoke_hooks(app)
    tmp = None
    if db_path is None:
        tmp = Path(tempfile.mkdtemp(prefix="accessdesk-demo-"))
        db_path = tmp / "demo.sqlite"
    try:
        store = demo.build_demo_store(Path(db_path), today=today, state=state)
        actor = auth.login(store, demo.DEMO_USER, demo.DEMO_PASSWORD)
        window = MainWindow(
            store, actor, today=today, title_suffix=" — DEMO (fictional data, not saved)"
        )
        window.show()
        code = app.exec()
        operations.wait_idle()
        store.close()
        return code
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
