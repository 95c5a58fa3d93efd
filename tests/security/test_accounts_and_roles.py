"""Roles are enforced in the services; failed log-ins make the account wait; passwords."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from accessdesk_gui.domain.roles import Role
from accessdesk_gui.services import accounts, auth, backups
from accessdesk_gui.services.errors import AuthenticationFailed, InvalidInput, PermissionDenied
from accessdesk_gui.store.models import AuditEntry
from tests.conftest import PASSWORD

T0 = dt.datetime(2026, 3, 2, 9, 0, 0)


def _actions(store) -> list[tuple[str, str]]:
    with store.read() as s:
        return [
            (e.username, e.action) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.seq))
        ]


def test_front_desk_cannot_add_users_change_settings_unlock_or_reset(store, admin, desk) -> None:
    n = len(_actions(store))
    with pytest.raises(PermissionDenied, match="privacy_officer"):
        auth.add_user(store, desk, "eve", "Eve Intruder", "long enough password", {Role.FRONT_DESK})
    with pytest.raises(PermissionDenied, match="change settings"):
        backups.set_setting(store, desk, "lock_minutes", "600")
    with pytest.raises(PermissionDenied, match="change settings"):
        backups.set_backup_folder(store, desk, "/tmp/elsewhere")
    with pytest.raises(PermissionDenied, match="unlock"):
        accounts.unlock(store, desk, "admin")
    with pytest.raises(PermissionDenied, match="reset"):
        accounts.reset_password(store, desk, "admin", "a brand new password")
    assert len(_actions(store)) == n  # nothing changed, nothing written
    # The privacy officer may.
    backups.set_setting(store, admin, "lock_minutes", "15")
    assert backups.get_setting(store, "lock_minutes") == "15"
    assert _actions(store)[-1] == ("admin", "setting_changed")


def test_five_failures_in_a_row_make_the_account_wait_longer_each_time(store, desk) -> None:
    for i in range(4):
        with pytest.raises(AuthenticationFailed, match="Wrong user name or password"):
            auth.login(store, "desk", "not the password", now=T0 + dt.timedelta(seconds=i))
    # Still fine after 4: the right password works and clears the count.
    auth.login(store, "desk", PASSWORD, now=T0 + dt.timedelta(seconds=5))
    t = T0 + dt.timedelta(minutes=1)
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            auth.login(store, "desk", "not the password", now=t)
    first_wait = accounts.waiting_until(store, "desk")
    assert first_wait == t + dt.timedelta(seconds=30)
    # While waiting, even the right password is refused, and the message says why.
    with pytest.raises(AuthenticationFailed, match="waits about"):
        auth.login(store, "desk", PASSWORD, now=t + dt.timedelta(seconds=10))
    # After the wait one more failure doubles it.
    t2 = t + dt.timedelta(seconds=31)
    with pytest.raises(AuthenticationFailed, match="Wrong user name"):
        auth.login(store, "desk", "still wrong", now=t2)
    assert accounts.waiting_until(store, "desk") == t2 + dt.timedelta(seconds=60)
    assert accounts.lockout_delay(30) == dt.timedelta(hours=1)
    acts = [a for _, a in _actions(store)]
    assert acts.count("account_waiting") == 2 and "login_refused_waiting" in acts


def test_privacy_officer_unlocks_a_waiting_account(store, admin, desk) -> None:
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            auth.login(store, "desk", "wrong password!", now=T0)
    accounts.unlock(store, admin, "desk")
    assert auth.login(store, "desk", PASSWORD, now=T0).username == "desk"
    assert ("admin", "account_unlocked") in _actions(store)


def test_password_change_and_reset_are_audited_without_the_password(store, admin, desk) -> None:
    with pytest.raises(InvalidInput, match="at least 12"):
        accounts.change_password(store, desk, PASSWORD, "short")
    with pytest.raises(AuthenticationFailed, match="current password"):
        accounts.change_password(store, desk, "wrong old password", "a new long passphrase")
    accounts.change_password(store, desk, PASSWORD, "a new long passphrase")
    auth.login(store, "desk", "a new long passphrase")
    accounts.reset_password(store, admin, "desk", "reset by the officer")
    auth.login(store, "desk", "reset by the officer")
    acts = _actions(store)
    assert ("desk", "password_changed") in acts and ("admin", "password_reset") in acts
    with store.read() as s:
        text = " ".join(e.before + e.after for e in s.scalars(select(AuditEntry)))
    assert "new long passphrase" not in text and "argon2" not in text
    assert "reset by the officer" not in text


def test_password_hash_is_argon2id_with_its_parameters(store, desk) -> None:
    from accessdesk_gui.store.models import User

    with store.read() as s:
        h = s.scalar(select(User.password_hash).where(User.username == "desk"))
    assert h.startswith("$argon2id$v=19$m=") and ",t=" in h and ",p=" in h
