"""Accounts: failed log-ins and waiting, unlocking, changing and resetting passwords.

HIPAA Security Rule: log-in monitoring and password management (164.308(a)(5)(ii)(C),(D)),
person authentication (164.312(d)). Every change here writes an audit entry; no password
or hash ever goes into one.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from accessdesk_gui.domain.roles import Role
from accessdesk_gui.services.auth import (
    Actor,
    check_password_rules,
    hash_password,
    password_matches,
)
from accessdesk_gui.services.errors import AuthenticationFailed, NotFound
from accessdesk_gui.store import audit
from accessdesk_gui.store.db import Store
from accessdesk_gui.store.models import User
from accessdesk_gui.store.security_models import LoginState

LOCKOUT_AFTER = 5
FIRST_WAIT = dt.timedelta(seconds=30)
LONGEST_WAIT = dt.timedelta(hours=1)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def lockout_delay(failures: int) -> dt.timedelta:
    """No wait before the 5th failure in a row; then 30 s, doubling each time, at most 1 h."""
    if failures < LOCKOUT_AFTER:
        return dt.timedelta(0)
    wait: dt.timedelta = FIRST_WAIT * (2 ** (failures - LOCKOUT_AFTER))
    return min(wait, LONGEST_WAIT)


def _state(s: Session, user: User) -> LoginState:
    st = s.get(LoginState, user.id)
    if st is None:
        st = LoginState(user_id=user.id, failures=0, locked_until=None)
        s.add(st)
    return st


def refuse_if_waiting(s: Session, user: User, now: dt.datetime) -> None:
    st = s.get(LoginState, user.id)
    if st is None or st.locked_until is None or st.locked_until <= now:
        return
    audit.append(s, user.username, "login_refused_waiting", "user", user.id)
    s.commit()
    wait = st.locked_until - now
    minutes = max(1, round(wait.total_seconds() / 60))
    raise AuthenticationFailed(
        f"Too many wrong passwords in a row for this account: it waits about {minutes} "
        "minute(s) before the next try. The privacy officer can unlock it now."
    )


def count_failure(s: Session, user: User, now: dt.datetime) -> None:
    st = _state(s, user)
    st.failures = (st.failures or 0) + 1
    delay = lockout_delay(st.failures)
    if delay:
        st.locked_until = now + delay
        audit.append(
            s,
            user.username,
            "account_waiting",
            "user",
            user.id,
            None,
            {"failures_in_a_row": st.failures, "wait_seconds": int(delay.total_seconds())},
        )


def clear_failures(s: Session, user: User) -> None:
    st = s.get(LoginState, user.id)
    if st is not None and (st.failures or st.locked_until):
        st.failures = 0
        st.locked_until = None


def _user(s: Session, username: str) -> User:
    user = s.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise NotFound(f"There is no user '{username}'.")
    return user


def unlock(store: Store, actor: Actor, username: str) -> None:
    """The privacy officer lets a waiting account try again at once."""
    actor.require(Role.PRIVACY_OFFICER, "unlock accounts")
    with store.write() as s:
        user = _user(s, username)
        st = s.get(LoginState, user.id)
        before = {"failures_in_a_row": st.failures if st else 0}
        clear_failures(s, user)
        audit.append(s, actor.username, "account_unlocked", "user", user.id, before, None)


def change_password(store: Store, actor: Actor, old: str, new: str) -> None:
    """A user changes their own password, proving the old one."""
    check_password_rules(new)
    with store.write() as s:
        user = _user(s, actor.username)
        if not password_matches(user.password_hash, old):
            audit.append(s, actor.username, "password_change_refused", "user", user.id)
            s.commit()
            raise AuthenticationFailed("The current password is not right.")
        user.password_hash = hash_password(new)
        audit.append(s, actor.username, "password_changed", "user", user.id)


def reset_password(store: Store, actor: Actor, username: str, new: str) -> None:
    """The privacy officer sets a new password for someone (and lifts any wait)."""
    actor.require(Role.PRIVACY_OFFICER, "reset other users' passwords")
    check_password_rules(new)
    with store.write() as s:
        user = _user(s, username)
        user.password_hash = hash_password(new)
        clear_failures(s, user)
        audit.append(s, actor.username, "password_reset", "user", user.id)


def waiting_until(store: Store, username: str) -> dt.datetime | None:
    with store.read() as s:
        user = s.scalar(select(User).where(User.username == username.strip()))
        st = s.get(LoginState, user.id) if user else None
        return st.locked_until if st else None
