"""One app instance per store: a lock file that says who has the store open.

The operating system releases the lock when the process ends (even in a crash), so a
left-over file never blocks anyone; its content only names the holder for the message.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from accessdesk_gui.store.db import StoreError


class StoreInUse(StoreError):
    pass


def lock_path(store_path: Path) -> Path:
    return Path(store_path).with_name(Path(store_path).name + ".lock")


def _try_lock(f: IO[bytes]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


class InstanceLock:
    def __init__(self, store_path: Path, f: IO[bytes]) -> None:
        self.path = lock_path(store_path)
        self._f: IO[bytes] | None = f

    @classmethod
    def take(cls, store_path: Path, username: str) -> InstanceLock:
        """Take the store for this process, or raise StoreInUse naming who has it."""
        path = lock_path(store_path)
        f = path.open("a+b")
        if not _try_lock(f):
            f.seek(0)
            try:
                who = json.loads(f.read().decode("utf-8") or "{}")
            except ValueError:
                who = {}
            f.close()
            raise StoreInUse(
                f"The store {Path(store_path).name} is open in AccessDesk by "
                f"{who.get('user', 'someone')} on {who.get('host', 'another computer')} "
                f"since {who.get('since', 'earlier')}. Only one AccessDesk may use it at a "
                "time: close it there first. Nothing was changed."
            )
        lock = cls(store_path, f)
        lock.set_user(username)
        return lock

    def set_user(self, username: str) -> None:
        assert self._f is not None
        try:
            os_user = getpass.getuser()
        except Exception:
            os_user = ""
        info = {
            "user": username,
            "os_user": os_user,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "since": dt.datetime.now().isoformat(timespec="minutes"),
        }
        self._f.seek(0)
        self._f.truncate()
        self._f.write(json.dumps(info).encode("utf-8"))
        self._f.flush()

    def release(self) -> None:
        if self._f is not None:
            self._f.close()  # closing releases the OS lock
            self._f = None

    @classmethod
    @contextmanager
    def acquire(cls, store_path: Path, username: str) -> Iterator[InstanceLock]:
        lock = cls.take(store_path, username)
        try:
            yield lock
        finally:
            lock.release()
