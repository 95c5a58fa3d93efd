"""The log-in dialog: the app's first window, so it loads only what it shows.

Checking the password (argon2, the ORM, the audit trail) runs as an op on the worker
(ui/operations.py). ui/app.py queues the import of the ORM and services on that same
worker as soon as the dialog shows, so they load while the user types and the log-in,
queued behind them, never meets a half-imported set of models.
"""

from __future__ import annotations

import importlib

from PySide6.QtWidgets import QWidget

from accessdesk_gui.services.actor import Actor
from accessdesk_gui.services.workspace import MODELS_MODULE, Store
from accessdesk_gui.ui.forms import FormDialog, line
from accessdesk_gui.ui.operations import user_message

# What the password check and the main window need. The models are imported whole before
# any query: the ORM configures every mapper at the first query, and one whose related
# class is not imported yet fails (and stays failed) — the old log-in race.
PRELOAD_AT_LOGIN = (
    "sqlalchemy.orm",
    MODELS_MODULE,
    "accessdesk_gui.services.auth",
    "accessdesk_gui.services.requests",
    "accessdesk_gui.services.desk",
    "accessdesk_gui.services.letters",
    "accessdesk_gui.services.denials",
    "accessdesk_gui.services.review",
)


def preload(names: tuple[str, ...] = PRELOAD_AT_LOGIN) -> None:
    """Import ``names`` (on the worker; a no-op for those already imported)."""
    for name in names:
        importlib.import_module(name)


class LoginDialog(FormDialog):
    def __init__(
        self, store: Store, hint: str = "", username: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__("Log in to AccessDesk", hint, "Log in", parent)
        self.store = store
        self.actor: Actor | None = None
        self.form.add("username", "User name:", line(username, max_length=64))
        pw = line()
        pw.setEchoMode(pw.EchoMode.Password)
        self.form.add("password", "Password:", pw)
        (pw if username else self.form.fields["username"]).setFocus()

    def submit(self) -> None:
        store = self.store
        username, password = self.form.text("username"), self.form.text("password")

        def check() -> Actor:
            preload()  # done already when the preload op ran first; never skipped
            from accessdesk_gui.services import auth

            return auth.login(store, username, password)

        self.run_op(check, self._logged_in, self._refused)

    def _logged_in(self, actor: Actor) -> None:
        self.actor = actor

    def _refused(self, exc: BaseException) -> None:
        # Wrong name, wrong password, locked out, store busy: all said at the password.
        self.form.show_error("password", user_message(exc))
