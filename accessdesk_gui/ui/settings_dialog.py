"""Settings: "My password" for everyone; backups, restore, the screen lock and accounts for
the privacy officer.

The tabs only arrange the services: every role check is in the service called, so a front
desk user who somehow reached an administration button would be refused there. Backing up
runs off the UI thread with a progress dialog; a restore shows what checking the backup
found before anything is replaced, and closes AccessDesk afterwards (log in again).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from accessdesk_gui.domain.errors import InvalidInput
from accessdesk_gui.domain.roles import Role
from accessdesk_gui.services import accounts, auth, backups, session
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.services.errors import USER_ERRORS
from accessdesk_gui.services.workspace import Store
from accessdesk_gui.ui.forms import ERROR_STYLE
from accessdesk_gui.ui.operations import Op, user_message, wait_idle
from accessdesk_gui.ui.qtcompat import emit
from accessdesk_gui.ui.state_rules_tab import StateRulesTab


def _password_field(name: str) -> QLineEdit:
    w = QLineEdit()
    w.setObjectName(name)
    w.setEchoMode(QLineEdit.EchoMode.Password)
    return w


class _Status(QLabel):
    """One line under a section: what just happened, in words (red for a refusal)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setWordWrap(True)

    def ok(self, text: str) -> None:
        self.setStyleSheet("")
        self.setText(text)

    def error(self, text: str) -> None:
        self.setStyleSheet(ERROR_STYLE)
        self.setText(text)

    @property
    def is_error(self) -> bool:
        return self.styleSheet() == ERROR_STYLE

    def run(self, fn: Callable[[], object], said: Callable[[object], str], field: str = "") -> None:
        """Run ``fn`` as an op; say ``said(result)`` here, or why it was refused (an
        InvalidInput named after ``field``, e.g. "The new password must be...").
        """

        def failed(exc: BaseException) -> None:
            if field and isinstance(exc, InvalidInput):
                self.error(f"{field} {exc.message}")
            else:
                self.error(user_message(exc))

        Op(self, fn).success(lambda result: self.ok(said(result))).failure(failed).run()


class ChangePasswordTab(QWidget):
    """Any user changes their own password, proving the current one."""

    def __init__(self, store: Store, actor: Actor) -> None:
        super().__init__()
        self.store, self.actor = store, actor
        form = QFormLayout(self)
        form.addRow(QLabel(f"Change the password of {actor.full_name} ({actor.username})."))
        self.current = _password_field("current_password")
        self.new = _password_field("new_password")
        self.repeat = _password_field("repeat_password")
        form.addRow("Current password:", self.current)
        form.addRow("New password (12+ characters):", self.new)
        form.addRow("Repeat new password:", self.repeat)
        self.change = QPushButton("Change my password")
        self.change.setObjectName("change_password")
        self.change.clicked.connect(self.submit)
        form.addRow(self.change)
        self.status = _Status("password_status")
        form.addRow(self.status)

    def submit(self) -> None:
        if self.new.text() != self.repeat.text():
            self.status.error("The new password and its repetition differ.")
            return
        store, actor = self.store, self.actor
        current, new = self.current.text(), self.new.text()

        def changed(_: object) -> str:
            for w in (self.current, self.new, self.repeat):
                w.clear()
            return "Your password was changed. Use the new one from now on."

        # argon2 twice (check, then hash): on the worker.
        self.status.run(
            lambda: accounts.change_password(store, actor, current, new),
            changed,
            "The new password",
        )


class BackupTab(QWidget):
    """The backup folder, "Back up now", and restoring from a backup file."""

    restored = Signal(object)  # RestoreResult: the store was replaced

    def __init__(self, store: Store, actor: Actor) -> None:
        super().__init__()
        self.store, self.actor = store, actor
        # Replaceable in tests (no modal file chooser or question box there).
        self.choose_folder: Callable[[str], str] = self._choose_folder
        self.choose_file: Callable[[str], str] = self._choose_file
        self.confirm: Callable[[str], bool] = self._confirm
        self.notify: Callable[[str, bool], None] = self._notify
        self.op: Op[backups.BackupInfo] | None = None

        lay = QVBoxLayout(self)
        where = QGroupBox("Where backups go")
        wl = QVBoxLayout(where)
        wl.addWidget(
            QLabel(
                "An encrypted, checked copy is taken every day at start, before every "
                "upgrade, and whenever you press Back up now. Choose a USB drive or network "
                "share that is not this PC's own disk. Kept: 7 daily, 4 weekly, 12 monthly."
            )
        )
        wl.itemAt(0).widget().setProperty("wordWrap", True)
        row = QHBoxLayout()
        self.folder = QLineEdit(str(backups.backup_folder(store)))
        self.folder.setObjectName("backup_folder")
        self.folder.setAccessibleName("Backup folder")
        browse = QPushButton("Choose…")
        browse.setObjectName("choose_folder")
        browse.clicked.connect(self.browse)
        save = QPushButton("Save folder")
        save.setObjectName("save_folder")
        save.clicked.connect(self.save_folder)
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        row.addWidget(save)
        wl.addLayout(row)
        self.folder_status = _Status("folder_status")
        wl.addWidget(self.folder_status)
        lay.addWidget(where)

        now = QGroupBox("Back up and restore")
        nl = QVBoxLayout(now)
        buttons = QHBoxLayout()
        self.backup_button = QPushButton("Back up now")
        self.backup_button.setObjectName("backup_now")
        self.backup_button.clicked.connect(self.back_up_now)
        self.restore_button = QPushButton("Restore from a backup…")
        self.restore_button.setObjectName("restore")
        self.restore_button.clicked.connect(self.restore)
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        nl.addLayout(buttons)
        self.backup_status = _Status("backup_status")
        nl.addWidget(self.backup_status)
        lay.addWidget(now)
        lay.addStretch(1)

    # -- folder ---------------------------------------------------------------------------

    def _choose_folder(self, start: str) -> str:
        return QFileDialog.getExistingDirectory(self, "Backup folder", start)

    def browse(self) -> None:
        chosen = self.choose_folder(self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def save_folder(self) -> None:
        store, actor, folder = self.store, self.actor, self.folder.text().strip()
        self.folder_status.run(
            lambda: backups.set_backup_folder(store, actor, folder),
            lambda saved: f"Backups will go to {saved}.",
            "Backup folder:",
        )

    # -- backing up -----------------------------------------------------------------------

    def back_up_now(self) -> None:
        self.backup_button.setEnabled(False)
        store, actor = self.store, self.actor
        self.op = (
            Op(self, lambda: backups.backup(store, actor))
            .with_progress("Taking a backup and checking it…")
            .success(self._backed_up)
            # A drive that is gone or full is the computer's doing, not a bug in AccessDesk.
            .failure(self._backup_failed, expected=(OSError,))
            .finally_(self._done)
            .run()
        )

    @property
    def progress(self) -> QProgressDialog | None:
        return self.op.progress if self.op is not None else None

    def _done(self) -> None:
        self.backup_button.setEnabled(True)

    def _backed_up(self, info: backups.BackupInfo) -> None:
        text = (
            f"Backup written and checked: {info.path} ({info.entries} audit entries, "
            f"taken {info.taken_at:%Y-%m-%d %H:%M} UTC)."
        )
        self.backup_status.ok(text)
        self.notify(text, False)

    def _backup_failed(self, exc: BaseException) -> None:
        message = (
            f"The backup failed ({exc.strerror or type(exc).__name__}). Earlier backups are "
            "unchanged."
            if isinstance(exc, OSError)
            else user_message(exc)
        )
        self.backup_status.error(message)
        self.notify(message, True)

    # -- restoring ------------------------------------------------------------------------

    def _choose_file(self, start: str) -> str:
        path, _ = QFileDialog.getOpenFileName(
            self, "Restore from a backup", start, f"AccessDesk backups (*{backups.SUFFIX})"
        )
        return str(path)

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(
            self,
            "Restore from a backup",
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _notify(self, text: str, warn: bool) -> None:
        show = QMessageBox.warning if warn else QMessageBox.information
        show(self, "AccessDesk", text)

    def restore(self) -> backups.BackupCheck | None:
        """Choose a backup, show what checking it found, and replace the store only on yes."""
        chosen = self.choose_file(self.folder.text())
        if not chosen:
            return None
        check = backups.check_backup(Path(chosen), self.store)
        if not check.ok:
            message = (
                f"This backup cannot be restored: {'; '.join(check.problems)}. "
                "Nothing was changed. Try an earlier backup."
            )
            self.backup_status.error(message)
            self.notify(message, True)
            return check
        summary = (
            f"The backup {check.path.name} checked out: it opens with this store's key, "
            f"its pages and structure are sound, and its audit trail of {check.entries} "
            f"entries verifies{' and matches its manifest' if check.taken_at else ''}.\n"
            + (f"Taken: {check.taken_at} UTC ({check.reason}).\n" if check.taken_at else "")
            + "\nReplace the store with it? Everything recorded since it was taken will be "
            "gone from the store (the current store is kept aside as a copy first). "
            "AccessDesk then closes; start it again and log in."
        )
        self.backup_status.ok(f"Checked {check.path.name}: {check.entries} audit entries, OK.")
        if not self.confirm(summary):
            self.backup_status.ok("Not restored; nothing was changed.")
            return check
        wait_idle()  # no op may still be using the store (restore closes it)
        try:
            result = backups.restore(self.store, check.path, self.actor.username, actor=self.actor)
        except USER_ERRORS as exc:
            self.backup_status.error(str(exc))
            self.notify(str(exc), True)
            return check
        kept = (
            f" The replaced store was kept at {result.safety_copy}." if result.safety_copy else ""
        )
        self.notify(
            f"The store was restored from {check.path.name}.{kept} AccessDesk will close now; "
            "start it again and log in.",
            False,
        )
        emit(self.restored, result)
        return check


class SessionTab(QWidget):
    def __init__(self, store: Store, actor: Actor) -> None:
        super().__init__()
        self.store, self.actor = store, actor
        form = QFormLayout(self)
        self.minutes = QSpinBox()
        self.minutes.setObjectName("lock_minutes")
        self.minutes.setRange(1, 120)
        self.minutes.setSuffix(" minutes")
        self.minutes.setValue(session.lock_minutes(store))
        form.addRow("Lock the screen after:", self.minutes)
        save = QPushButton("Save")
        save.setObjectName("save_lock_minutes")
        save.clicked.connect(self.save)
        form.addRow(save)
        self.status = _Status("session_status")
        form.addRow(self.status)

    def save(self) -> None:
        store, actor, minutes = self.store, self.actor, self.minutes.value()
        self.status.run(
            lambda: backups.set_setting(store, actor, session.LOCK_MINUTES, str(minutes)),
            lambda _: (
                f"The screen locks after {minutes} minutes without use (from the next log-in)."
            ),
        )


class AccountsTab(QWidget):
    def __init__(self, store: Store, actor: Actor) -> None:
        super().__init__()
        self.store, self.actor = store, actor
        form = QFormLayout(self)
        self.user = QComboBox()
        self.user.setObjectName("account")
        for u in auth.list_users(store, actor):
            self.user.addItem(f"{u.full_name} ({u.username})", u.username)
        form.addRow("Account:", self.user)
        unlock = QPushButton("Unlock (let it log in again now)")
        unlock.setObjectName("unlock")
        unlock.clicked.connect(self.unlock)
        form.addRow(unlock)
        self.new = _password_field("reset_password")
        self.repeat = _password_field("reset_repeat")
        form.addRow("New password (12+ characters):", self.new)
        form.addRow("Repeat:", self.repeat)
        reset = QPushButton("Reset this account's password")
        reset.setObjectName("reset")
        reset.clicked.connect(self.reset)
        form.addRow(reset)
        self.status = _Status("accounts_status")
        form.addRow(self.status)

    def username(self) -> str:
        return str(self.user.currentData() or "")

    def unlock(self) -> None:
        store, actor, name = self.store, self.actor, self.username()
        self.status.run(
            lambda: accounts.unlock(store, actor, name),
            lambda _: f"{name} may log in again now.",
        )

    def reset(self) -> None:
        if self.new.text() != self.repeat.text():
            self.status.error("The new password and its repetition differ.")
            return
        store, actor, name, new = self.store, self.actor, self.username(), self.new.text()

        def done(_: object) -> str:
            self.new.clear()
            self.repeat.clear()
            return (
                f"The password of {name} was reset (and any wait lifted). Tell them in "
                "person, not by e-mail."
            )

        self.status.run(
            lambda: accounts.reset_password(store, actor, name, new), done, "The new password"
        )


class SettingsDialog(QDialog):
    """Settings for the user logged in; administration tabs for the privacy officer."""

    def __init__(
        self,
        store: Store,
        actor: Actor,
        parent: QWidget | None = None,
        admin_tabs: bool | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("AccessDesk — settings")
        self.setMinimumSize(640, 420)
        self.store_replaced = False
        lay = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settings_tabs")
        self.password = ChangePasswordTab(store, actor)
        self.tabs.addTab(self.password, "My password")
        self.backups: BackupTab | None = None
        self.session: SessionTab | None = None
        self.accounts: AccountsTab | None = None
        self.state_rules: StateRulesTab | None = None
        # Shown to the privacy officer only; the services refuse anyone else anyway.
        if admin_tabs if admin_tabs is not None else actor.has(Role.PRIVACY_OFFICER):
            self.backups = BackupTab(store, actor)
            self.backups.restored.connect(self._on_restored)
            self.session = SessionTab(store, actor)
            self.accounts = AccountsTab(store, actor)
            self.tabs.addTab(self.backups, "Backups")
            self.tabs.addTab(self.session, "Screen lock")
            self.tabs.addTab(self.accounts, "Accounts")
            self.state_rules = StateRulesTab(store, actor)
            self.tabs.addTab(self.state_rules, "State rules")
        lay.addWidget(self.tabs)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        lay.addWidget(close)

    def _on_restored(self, _result: object) -> None:
        self.store_replaced = True
        self.accept()
