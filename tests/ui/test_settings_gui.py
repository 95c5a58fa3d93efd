"""Settings: "My password" for everyone; backups, restore, screen lock and accounts for the
privacy officer, refused by the services for anyone else."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from accessdesk_gui.services import accounts, auth, backups, requests, session
from accessdesk_gui.services.errors import AuthenticationFailed
from accessdesk_gui.store.models import AccessRequest
from accessdesk_gui.ui.main_window import MainWindow
from accessdesk_gui.ui.settings_dialog import SettingsDialog
from tests.conftest import PASSWORD, make_intake

NEW = "a brand new long passphrase"


def _dialog(qtbot, store, actor, **kw) -> tuple[SettingsDialog, list[tuple[str, bool]]]:
    dlg = SettingsDialog(store, actor, **kw)
    qtbot.addWidget(dlg)
    told: list[tuple[str, bool]] = []
    if dlg.backups is not None:
        dlg.backups.notify = lambda text, warn: told.append((text, warn))
    return dlg, told


def _tabs(dlg: SettingsDialog) -> list[str]:
    return [dlg.tabs.tabText(i) for i in range(dlg.tabs.count())]


def test_front_desk_changes_their_own_password_and_sees_no_administration(
    qtbot, store, desk
) -> None:
    dlg, _ = _dialog(qtbot, store, desk)
    assert _tabs(dlg) == ["My password"]
    tab = dlg.password
    tab.current.setText("not my password at all")
    tab.new.setText(NEW)
    tab.repeat.setText(NEW)
    tab.change.click()
    assert "current password is not right" in tab.status.text()
    tab.current.setText(PASSWORD)
    tab.new.setText("short")
    tab.repeat.setText("short")
    tab.change.click()
    assert "at least 12 characters" in tab.status.text()
    tab.new.setText(NEW)
    tab.repeat.setText(NEW)
    tab.change.click()
    assert "was changed" in tab.status.text() and tab.new.text() == ""
    assert auth.login(store, "desk", NEW).username == "desk"
    with pytest.raises(AuthenticationFailed):
        auth.login(store, "desk", PASSWORD)


def test_administration_is_refused_by_the_services_for_front_desk(
    qtbot, store, admin, desk, tmp_path
) -> None:
    # Even with the tabs forced open, each action is refused where it is done.
    dlg, _ = _dialog(qtbot, store, desk, admin_tabs=True)
    before = backups.backup_folder(store)
    dlg.backups.folder.setText(str(tmp_path / "usb"))
    dlg.backups.save_folder()
    assert dlg.backups.folder_status.is_error
    assert "privacy_officer" in dlg.backups.folder_status.text()
    assert backups.backup_folder(store) == before
    dlg.session.minutes.setValue(99)
    dlg.session.save()
    assert dlg.session.status.is_error
    assert session.lock_minutes(store) == session.DEFAULT_LOCK_MINUTES
    dlg.accounts.user.setCurrentIndex(dlg.accounts.user.findData("admin"))
    dlg.accounts.new.setText(NEW)
    dlg.accounts.repeat.setText(NEW)
    dlg.accounts.reset()
    assert dlg.accounts.status.is_error
    dlg.accounts.unlock()
    assert dlg.accounts.status.is_error
    assert "privacy_officer" in dlg.accounts.status.text()
    assert auth.login(store, "admin", PASSWORD).username == "admin"


def test_privacy_officer_sets_folder_and_lock_unlocks_and_resets(
    qtbot, store, admin, desk, tmp_path
) -> None:
    dlg, _ = _dialog(qtbot, store, admin)
    assert _tabs(dlg) == ["My password", "Backups", "Screen lock", "Accounts", "State rules"]
    usb = tmp_path / "usb drive"
    dlg.backups.choose_folder = lambda start: str(usb)
    dlg.backups.browse()
    assert dlg.backups.folder.text() == str(usb)
    dlg.backups.save_folder()
    assert not dlg.backups.folder_status.is_error
    assert backups.backup_folder(store) == usb
    dlg.backups.folder.setText("relative/folder")
    dlg.backups.save_folder()
    assert dlg.backups.folder_status.is_error
    assert "full path" in dlg.backups.folder_status.text()

    dlg.session.minutes.setValue(5)
    dlg.session.save()
    assert not dlg.session.status.is_error
    assert session.lock_minutes(store) == 5

    for _ in range(accounts.LOCKOUT_AFTER):
        with pytest.raises(AuthenticationFailed):
            auth.login(store, "desk", "wrong password, wrong")
    assert accounts.waiting_until(store, "desk") is not None
    dlg.accounts.user.setCurrentIndex(dlg.accounts.user.findData("desk"))
    dlg.accounts.unlock()
    assert not dlg.accounts.status.is_error
    assert accounts.waiting_until(store, "desk") is None
    dlg.accounts.new.setText(NEW)
    dlg.accounts.repeat.setText(NEW + "x")
    dlg.accounts.reset()
    assert dlg.accounts.status.is_error
    dlg.accounts.repeat.setText(NEW)
    dlg.accounts.reset()
    assert not dlg.accounts.status.is_error
    assert auth.login(store, "desk", NEW).username == "desk"


def test_back_up_now_runs_off_the_ui_thread_with_progress_and_errors(
    qtbot, store, admin, tmp_path, held_ops
) -> None:
    dlg, told = _dialog(qtbot, store, admin)
    tab = dlg.backups
    backups.set_backup_folder(store, admin, tmp_path / "usb")
    tab.back_up_now()
    # Nothing has run yet: the progress dialog shows and the button waits.
    assert tab.progress is not None and tab.progress.isVisible()
    assert not tab.backup_button.isEnabled()
    assert backups.list_backups(tmp_path / "usb") == []
    held_ops.run_next()
    assert tab.progress is None and tab.backup_button.isEnabled()
    [(_, path)] = backups.list_backups(tmp_path / "usb")
    assert told[-1][1] is False and str(path) in told[-1][0]
    assert "Backup written and checked" in tab.backup_status.text()

    # A folder that cannot be written: the user is told, and nothing else changes.
    blocker = tmp_path / "not a folder"
    blocker.write_text("x", encoding="utf-8")
    backups.set_backup_folder(store, admin, blocker / "sub")
    tab.back_up_now()
    held_ops.run_next()
    assert told[-1][1] is True and "failed" in told[-1][0]
    assert "Earlier backups are unchanged" in tab.backup_status.text()
    assert tab.progress is None and tab.backup_button.isEnabled()
    assert len(backups.list_backups(tmp_path / "usb")) == 1


def test_restore_shows_the_check_before_replacing_anything(
    qtbot, store, admin, desk, tmp_path
) -> None:
    day = dt.date(2026, 3, 2)
    requests.log_request(store, desk, make_intake(), day)
    good = backups.backup_now(store, "admin", tmp_path / "usb")
    requests.log_request(store, desk, make_intake(patient_name="Zoë Later"), day)
    bad = tmp_path / "usb" / "accessdesk-20260101-000000.adbackup"
    data = bytearray(good.path.read_bytes())
    data[len(data) // 2] ^= 0x55
    bad.write_bytes(bytes(data))

    dlg, told = _dialog(qtbot, store, admin)
    tab = dlg.backups
    asked: list[str] = []
    tab.confirm = lambda text: asked.append(text) or False

    def count() -> int:
        with store.read() as s:
            return int(s.scalar(select(func.count(AccessRequest.id))) or 0)

    # A damaged copy: refused with the reason, no question asked, nothing replaced.
    tab.choose_file = lambda start: str(bad)
    check = tab.restore()
    assert check is not None and not check.ok and asked == []
    assert told[-1][1] is True and "cannot be restored" in told[-1][0]
    assert count() == 2

    # A good copy: what the check found is shown first; "No" changes nothing.
    tab.choose_file = lambda start: str(good.path)
    assert tab.restore().ok
    assert f"audit trail of {good.entries} entries verifies" in asked[-1]
    assert "matches its manifest" in asked[-1]
    assert count() == 2 and not dlg.store_replaced

    # "Yes": replaced, the old store kept aside, and AccessDesk closes to log in again.
    tab.confirm = lambda text: True
    assert tab.restore().ok
    assert dlg.store_replaced
    assert "AccessDesk will close now" in told[-1][0]
    assert count() == 1
    assert list(tmp_path.glob("store.before-restore-*.adbackup"))


def test_settings_are_reachable_from_the_main_window(qtbot, store, desk, monkeypatch) -> None:
    win = MainWindow(store, desk, today=dt.date(2026, 3, 1))
    qtbot.addWidget(win)
    seen: list[list[str]] = []
    monkeypatch.setattr(SettingsDialog, "exec", lambda self: seen.append(_tabs(self)) or 0)
    assert win.settings_action.isVisible()
    win.settings_action.trigger()
    assert seen == [["My password"]]
