"""Session rules without Qt: when the screen locks, and who may unlock it.

HIPAA Security Rule automatic logoff (164.312(a)(2)(iii)): after a set time without
activity the app hides patient data behind a lock screen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from accessdesk_gui.services import auth
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.store import audit
from accessdesk_gui.store.db import Store

LOCK_MINUTES = "lock_minutes"
DEFAULT_LOCK_MINUTES = 10


def lock_minutes(store: Store) -> int:
    from accessdesk_gui.services.backups import get_setting

    try:
        minutes = int(get_setting(store, LOCK_MINUTES, str(DEFAULT_LOCK_MINUTES)))
    except ValueError:
        return DEFAULT_LOCK_MINUTES
    return minutes if 1 <= minutes <= 120 else DEFAULT_LOCK_MINUTES


Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now()


@dataclass
class Inactivity:
    """Counts from the last activity; due() once the limit has passed."""

    limit: dt.timedelta
    clock: Clock = system_clock
    last: dt.datetime | None = None

    def touch(self) -> None:
        self.last = self.clock()

    def due(self) -> bool:
        if self.last is None:
            self.touch()
            return False
        return self.clock() - self.last >= self.limit


def record_lock(store: Store, actor: Actor) -> None:
    with store.write() as s:
        audit.append(s, actor.username, "session_locked", "session", actor.user_id)


def unlock(store: Store, current: Actor, username: str, password: str) -> tuple[Actor, bool]:
    """Log in at the lock screen. Returns the actor and whether it is the same user
    (same: the session resumes with its unsaved input; another: a new session starts).
    """
    actor = auth.login(store, username, password)
    return actor, actor.user_id == current.user_id
