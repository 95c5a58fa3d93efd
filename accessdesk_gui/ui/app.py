"""Starting the GUI: open (or create) the store, first-start set-up, login, main window."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from accessdesk_gui.paths import default_store_path
from accessdesk_gui.services import auth, practice
from accessdesk_gui.services.errors import USER_ERRORS
from accessdesk_gui.store import keys
from accessdesk_gui.store.db import Store, StoreError
from accessdesk_gui.store.lock import InstanceLock
from accessdesk_gui.ui.dialogs import LoginDialog, SetupDialog
from accessdesk_gui.ui.main_window import MainWindow
from accessdesk_gui.ui.session_lock import SessionGuard


def _app() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(sys.argv)
    app.setApplicationName("AccessDesk")
    app.setOrganizationName("AccessDesk")
    return app


def run_app(db_path: Path | None = None) -> int:
    app = _app()
    path = Path(db_path) if db_path else default_store_path()
    try:
        # One AccessDesk per store; a second one is told who has it open.
        path.parent.mkdir(parents=True, exist_ok=True)
        instance = InstanceLock.take(path, "(logging in)")
        store = Store.open(path, create=True, key_provider=_passphrase_if_chosen(path))
        if not practice.is_set_up(store):
            setup = SetupDialog(store)
            if not setup.exec() or setup.actor is None:
                return 0
            actor = setup.actor
        else:
            login = LoginDialog(store)
            if not login.exec() or login.actor is None:
                return 0
            actor = login.actor
    except USER_ERRORS as exc:
        QMessageBox.critical(None, "AccessDesk", str(exc))
        return 2
    instance.set_user(actor.username)
    _daily_backup(store, actor.username)
    window = MainWindow(store, actor)
    window.show()
    guard = _guard(window, store, actor, instance)
    code = app.exec()
    guard.stop()
    store.close()
    instance.release()
    return code


def _passphrase_if_chosen(path: Path) -> keys.KeyProvider | None:
    """A store whose practice chose a passphrase instead of a keyring: ask for it."""
    if not path.exists() or keys.recorded_mode(path) != "passphrase":
        return None
    if os.environ.get(keys.PASSPHRASE_ENV):
        return keys.PassphraseKeyProvider()
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    phrase, ok = QInputDialog.getText(
        None,
        "AccessDesk",
        "This store is protected by the practice passphrase. Type it to open the store:",
        QLineEdit.EchoMode.Password,
    )
    if not ok:
        raise StoreError("No passphrase was typed; the store was not opened.")
    return keys.PassphraseKeyProvider(phrase)


def _daily_backup(store: Store, username: str) -> None:
    """The automatic daily backup at start; a failure is shown, never silent."""
    from accessdesk_gui.services import backups

    try:
        backups.backup_if_due(store, username)
    except USER_ERRORS as exc:
        QMessageBox.warning(None, "AccessDesk: backup", str(exc))


def _guard(
    window: MainWindow, store: Store, actor: auth.Actor, instance: InstanceLock
) -> SessionGuard:
    """The inactivity lock; another user unlocking gets a main window of their own."""
    guard = SessionGuard(window, store, actor)

    def switch(new_actor: auth.Actor) -> None:
        old = guard.window
        fresh = MainWindow(store, new_actor)
        fresh.show()
        guard.window = fresh
        guard.setParent(fresh)
        old.close()
        old.deleteLater()
        instance.set_user(new_actor.username)

    guard.switched.connect(switch)
    return guard


def run_demo(db_path: Path | None = None) -> int:
    """A throwaway store of fictional requests, deleted when the window closes."""
    from accessdesk_gui.services import auth, demo

    app = _app()
    tmp = None
    if db_path is None:
        tmp = Path(tempfile.mkdtemp(prefix="accessdesk-demo-"))
        db_path = tmp / "demo.sqlite"
    try:
        store = demo.build_demo_store(Path(db_path))
        actor = auth.login(store, demo.DEMO_USER, demo.DEMO_PASSWORD)
        window = MainWindow(store, actor, title_suffix=" — DEMO (fictional data, not saved)")
        window.show()
        code = app.exec()
        store.close()
        return code
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
