"""First start on a computer with no keyring: an explicit, recorded passphrase or quit."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from accessdesk_gui.services.workspace import StartDeclined, open_workspace
from accessdesk_gui.store import keys
from accessdesk_gui.store.db import Store
from accessdesk_gui.ui import app as app_module
from accessdesk_gui.ui.dialogs import NoKeyringDialog

PHRASE = "maple clinic front desk passphrase"


def _fill(dialog: NoKeyringDialog, phrase: str, repeat: str) -> None:
    dialog.form.fields["passphrase"].setText(phrase)
    dialog.form.fields["repeat"].setText(repeat)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_the_dialog_checks_length_and_repeat(qtbot) -> None:
    dialog = NoKeyringDialog()
    qtbot.addWidget(dialog)
    _fill(dialog, "short", "short")
    assert "at least 16" in dialog.form.error_text("passphrase")
    _fill(dialog, PHRASE, PHRASE + "x")
    assert "does not match" in dialog.form.error_text("repeat")
    assert dialog.passphrase is None
    _fill(dialog, PHRASE, PHRASE)
    assert dialog.passphrase == PHRASE and dialog.result() == 1


def test_first_start_without_keyring_makes_a_recorded_passphrase_store(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(keys, "keyring_available", lambda *a: False)

    def accept(dialog: NoKeyringDialog) -> int:
        _fill(dialog, PHRASE, PHRASE)
        return dialog.result()

    monkeypatch.setattr(NoKeyringDialog, "exec", accept)
    path = tmp_path / "office.sqlite"
    assert app_module._passphrase_without_keyring() == PHRASE
    open_workspace(
        path, create=True, lock_as="x", choose_passphrase=app_module._passphrase_without_keyring
    ).close()
    assert keys.recorded_mode(path) == "passphrase"
    assert b"SQLite format 3" not in path.read_bytes()[:16]  # encrypted, never plain text
    Store.open(path, key_provider=keys.PassphraseKeyProvider(PHRASE)).close()


def test_quitting_creates_nothing(qtbot, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(keys, "keyring_available", lambda *a: False)
    monkeypatch.setattr(NoKeyringDialog, "exec", lambda self: 0)
    path = tmp_path / "office.sqlite"
    assert app_module._passphrase_without_keyring() is None
    with pytest.raises(StartDeclined):
        open_workspace(path, create=True, choose_passphrase=app_module._passphrase_without_keyring)
    assert not path.exists()


def test_with_a_keyring_nothing_is_asked(qtbot, tmp_path: Path) -> None:
    assert keys.keyring_available()  # the test keyring

    def never() -> str | None:
        raise AssertionError("asked for a passphrase although the keyring works")

    path = tmp_path / "office.sqlite"
    open_workspace(path, create=True, choose_passphrase=never).close()
    assert keys.recorded_mode(path) == "keyring"


def test_quitting_at_first_start_leaves_no_store_and_frees_the_lock(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    from accessdesk_gui.store.lock import InstanceLock

    monkeypatch.setattr(keys, "keyring_available", lambda *a: False)
    monkeypatch.setattr(NoKeyringDialog, "exec", lambda self: 0)
    path = tmp_path / "office.sqlite"
    assert app_module.run_app(path) == 0
    assert not path.exists()
    InstanceLock.take(path, "next start").release()  # not held by the one that quit


def _passphrase_office(path: Path) -> None:
    from accessdesk_gui.services import practice
    from tests.conftest import PASSWORD

    with open_workspace(path, create=True, passphrase=PHRASE) as ws:
        info = practice.PracticeInfo("Maple Clinic", "1 Main St", "555-0100", "CA")
        practice.set_up(ws.store, info, "admin", "Ada Admin", PASSWORD)


def test_a_passphrase_store_opens_at_start_with_the_passphrase_set(
    qtbot, tmp_path: Path, monkeypatch, capsys
) -> None:
    path = tmp_path / "office.sqlite"
    _passphrase_office(path)
    monkeypatch.setenv(keys.PASSPHRASE_ENV, PHRASE)
    monkeypatch.setenv(app_module.SMOKE_QUIT_ENV, "20")  # the log-in is closed unanswered
    assert app_module.run_app(path) == 0
    assert "accessdesk-smoke: LoginDialog shown at " in capsys.readouterr().out


def test_no_passphrase_typed_at_start_opens_nothing_and_says_so(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    from PySide6.QtWidgets import QInputDialog

    from accessdesk_gui.store.lock import InstanceLock

    path = tmp_path / "office.sqlite"
    _passphrase_office(path)
    monkeypatch.delenv(keys.PASSPHRASE_ENV, raising=False)
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("", False)))
    said: list[str] = []
    monkeypatch.setattr(
        app_module.QMessageBox, "critical", staticmethod(lambda _p, _t, text: said.append(text))
    )
    assert app_module.run_app(path) == 2
    assert said == ["No passphrase was typed; the store was not opened."]
    InstanceLock.take(path, "next start").release()  # not held by the one that stopped
