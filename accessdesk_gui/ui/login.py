"""The log-in dialog: the app's first window, so it loads only what it shows.

Checking the password (argon2, the ORM, the audit trail) is imported when the user
presses Log in; ui/app.py imports it in the background while the user types.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from accessdesk_gui.domain.errors import InvalidInput
from accessdesk_gui.services.actor import Actor
from accessdesk_gui.services.errors import USER_ERRORS
from accessdesk_gui.services.workspace import Store
from accessdesk_gui.ui.forms import FormDialog, line


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
        from accessdesk_gui.services import auth

        try:
            self.actor = auth.login(
                self.store, self.form.text("username"), self.form.text("password")
            )
        except USER_ERRORS as exc:
            raise InvalidInput("password", str(exc)) from None
