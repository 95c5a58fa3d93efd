"""Small dialogs: set-up, login, and the lifecycle actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QDialogButtonBox,
    QWidget,
)

from accessdesk_gui.domain.deadlines import US_STATES
from accessdesk_gui.domain.errors import InvalidInput
from accessdesk_gui.services import auth, practice
from accessdesk_gui.services.workspace import Store
from accessdesk_gui.ui.forms import ErrorForm, FormDialog, area, combo, line
from accessdesk_gui.ui.login import LoginDialog as LoginDialog  # re-exported


class SetupDialog(FormDialog):
    """First start: the practice and its first administrator."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(
            "Set up AccessDesk",
            "Welcome. Enter your practice's details and create the first administrator "
            "(the privacy officer). You can add staff afterwards.",
            "Create",
            parent,
        )
        self.store = store
        self.actor: auth.Actor | None = None
        f = self.form
        f.add("practice_name", "Practice name:", line(max_length=200))
        f.add("address", "Address:", area(placeholder="Street\nCity, State ZIP"))
        f.add("phone", "Phone:", line(max_length=40))
        f.add(
            "state",
            "State:",
            combo([("", "Choose…"), *((s, s) for s in sorted(US_STATES))]),
            "Sets which state deadlines apply in addition to the federal 30 days.",
        )
        f.add("username", "Administrator user name:", line(max_length=64))
        f.add("full_name", "Administrator full name:", line(max_length=200))
        pw = line()
        pw.setEchoMode(pw.EchoMode.Password)
        f.add("password", "Password (12+ characters):", pw)
        pw2 = line()
        pw2.setEchoMode(pw2.EchoMode.Password)
        f.add("password2", "Repeat password:", pw2)

    def submit(self) -> None:
        f = self.form
        if f.text("password") != f.text("password2"):
            raise InvalidInput("password2", "does not match the password.")
        store = self.store
        info = practice.PracticeInfo(
            f.text("practice_name"), f.text("address"), f.text("phone"), f.text("state")
        )
        username, full_name, password = f.text("username"), f.text("full_name"), f.text("password")
        # The administrator's password is hashed (argon2): on the worker.
        self.run_op(
            lambda: practice.set_up(store, info, username, full_name, password),
            lambda actor: setattr(self, "actor", actor),
        )


class ActionDialog(FormDialog):
    """A lifecycle action: its fields, then one service call when OK is pressed.

    ``run(form)`` reads and checks the fields on the UI thread. It either returns the
    service call to make, as a function of no arguments: it then runs as an op on the
    worker, ``done(result)`` follows on the UI thread and the dialog closes; or it does
    the (quick) work itself and returns None.
    """

    def __init__(
        self,
        title: str,
        intro: str,
        ok_text: str,
        run: Callable[[ErrorForm], Callable[[], Any] | None],
        parent: QWidget | None = None,
        done: Callable[[Any], None] | None = None,
    ) -> None:
        super().__init__(title, intro, ok_text, parent)
        self._run = run
        self._done = done

    def submit(self) -> None:
        work = self._run(self.form)
        if work is not None:
            self.run_op(work, self._done)


class NoKeyringDialog(FormDialog):
    """First start on a computer with no keyring: say so, and offer the explicit choice of
    a practice passphrase (recorded next to the store). Never a store in plain text.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "No keyring on this computer",
            "AccessDesk encrypts its store and normally keeps the key in the system keyring "
            "(Windows Credential Manager, the macOS Keychain, or a Secret Service such as "
            "GNOME Keyring on Linux). None is available here.\n\n"
            "Either quit and set up a keyring, then start AccessDesk again, or choose a "
            "practice passphrase: the store is then encrypted with a key made from it, and "
            "the passphrase must be typed every time AccessDesk starts. Write it down and "
            "keep it locked away: without it the store cannot be opened.",
            "Use this passphrase",
            parent,
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Quit")
        self.passphrase: str | None = None
        for name, label in (("passphrase", "Practice passphrase:"), ("repeat", "Repeat:")):
            w = line()
            w.setEchoMode(w.EchoMode.Password)
            self.form.add(name, label, w)

    def submit(self) -> None:
        from accessdesk_gui.services.workspace import PASSPHRASE_MIN

        phrase = self.form.text("passphrase")
        if len(phrase) < PASSPHRASE_MIN:
            raise InvalidInput("passphrase", f"must be at least {PASSPHRASE_MIN} characters.")
        if self.form.text("repeat") != phrase:
            raise InvalidInput("repeat", "does not match the passphrase.")
        self.passphrase = phrase
