"""Opening a store for work: the one start-up path the app and every command share.

``open_workspace`` finds the store (the path given, or the default in the user's data
folder), takes the instance lock when the caller will write, finds the key (the system
keyring, the practice passphrase the practice chose instead, or a demo store's public
key), opens and migrates the store and, if asked, logs the user in. The ui and cli layers
never import the store: the names they need (the store's type, its errors, the key
modes) are re-exported here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from accessdesk_gui.paths import default_store_path
from accessdesk_gui.store import keys
from accessdesk_gui.store.db import (
    Store,
    StoreCorrupt,
    StoreError,
    StoreKeyMissing,
    StoreKeyUnavailable,
    StoreLocked,
    StoreMissing,
    StoreNotEncrypted,
    StoreTooNew,
    StoreWrongKey,
)
from accessdesk_gui.store.lock import InstanceLock, StoreInUse

if TYPE_CHECKING:
    from accessdesk_gui.services.actor import Actor

PASSPHRASE_ENV = keys.PASSPHRASE_ENV
PASSPHRASE_MIN = keys.PASSPHRASE_MIN

# Every mapped class: imported off the UI thread before the first ORM use, so the mappers
# configure with all their relationships' targets known (ui/main_window.py).
MODELS_MODULE = "accessdesk_gui.store.all_models"

__all__ = [
    "MODELS_MODULE",
    "PASSPHRASE_ENV",
    "PASSPHRASE_MIN",
    "KeyMode",
    "StartDeclined",
    "Store",
    "StoreCorrupt",
    "StoreError",
    "StoreInUse",
    "StoreKeyMissing",
    "StoreKeyUnavailable",
    "StoreLocked",
    "StoreMissing",
    "StoreNotEncrypted",
    "StoreTooNew",
    "StoreWrongKey",
    "Workspace",
    "key_mode",
    "open_workspace",
    "passphrase_from_environment",
    "store_path",
]


class KeyMode(StrEnum):
    """Where a store's key comes from (recorded next to the store, see store/keys.py)."""

    KEYRING = "keyring"
    PASSPHRASE = "passphrase"
    DEMO = "demo"


class StartDeclined(Exception):
    """The user chose not to go on (e.g. no keyring and no passphrase): nothing was made."""


def store_path(path: Path | str | None = None) -> Path:
    """The store file: the one given, else $ACCESSDESK_DB, else the user's data folder."""
    return Path(path) if path else default_store_path()


def key_mode(path: Path) -> KeyMode:
    try:
        return KeyMode(keys.recorded_mode(path))
    except ValueError:
        return KeyMode.KEYRING


@dataclass
class Workspace:
    """An open store, the instance lock held for it (when writing) and who is logged in.

    Services take ``workspace.store`` as before; ``close()`` lets go of both.
    """

    store: Store
    lock: InstanceLock | None = None
    actor: Actor | None = None

    @property
    def path(self) -> Path:
        return self.store.path

    def login(self, username: str, password: str) -> Actor:
        from accessdesk_gui.services import auth

        self.actor = auth.login(self.store, username, password)
        return self.actor

    def hold_for(self, actor: Actor) -> None:
        """The user now working here, named to anyone else who tries to open the store."""
        self.actor = actor
        if self.lock is not None:
            self.lock.set_user(actor.username)

    def close(self) -> None:
        self.store.close()
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_workspace(
    path: Path | str | None = None,
    *,
    create: bool = False,
    lock_as: str | None = None,
    passphrase: str | None = None,
    ask_passphrase: Callable[[], str] | None = None,
    choose_passphrase: Callable[[], str | None] | None = None,
    check: bool | Literal["background"] = True,
    username: str | None = None,
    password: str | Callable[[], str] = "",
) -> Workspace:
    """Open (with create, make) the store at path, or the default store.

    lock_as: the holder named in the instance lock, taken when the store exists or is
        created (None: a read-only use, no lock).
    passphrase: the store's key is made from this practice passphrase (for a new store:
        the practice chose a passphrase instead of a keyring).
    ask_passphrase: asked when the store's recorded key mode is a passphrase and none was
        given (without it, $ACCESSDESK_STORE_PASSPHRASE is used).
    choose_passphrase: a new store on a computer with no keyring: asked for a practice
        passphrase instead; returning None raises StartDeclined and nothing is created.
    check: the full integrity check now (True), while the caller goes on ("background"),
        or not at all (False; never before writing).
    username, password: log this user in once the store is open.

    Refusals are StoreError subclasses (StoreInUse, StoreMissing, StoreKeyUnavailable...)
    whose message says what to do; the lock is let go again on any failure.
    """
    path = store_path(path)
    lock: InstanceLock | None = None
    if lock_as is not None and (create or path.exists()):
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = InstanceLock.take(path, lock_as)
    try:
        provider = _key_provider(path, create, passphrase, ask_passphrase, choose_passphrase)
        workspace = Workspace(Store.open(path, create=create, key_provider=provider, check=check))
        workspace.lock = lock
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    if username is not None:
        try:
            workspace.login(username, password() if callable(password) else password)
        except BaseException:
            workspace.close()
            raise
    return workspace


def _key_provider(
    path: Path,
    create: bool,
    passphrase: str | None,
    ask_passphrase: Callable[[], str] | None,
    choose_passphrase: Callable[[], str | None] | None,
) -> keys.KeyProvider | None:
    """None: the store's own recorded mode decides (keyring, or a demo store's key)."""
    if passphrase is not None:
        return keys.PassphraseKeyProvider(passphrase)
    exists = path.exists()
    if exists and key_mode(path) is KeyMode.PASSPHRASE:
        # The practice chose a typed passphrase instead of a keyring (docs/security.md).
        return keys.PassphraseKeyProvider(ask_passphrase() if ask_passphrase else None)
    if create and not exists and choose_passphrase is not None and not keys.keyring_available():
        chosen = choose_passphrase()
        if chosen is None:
            raise StartDeclined("No keyring and no passphrase: no store was created.")
        return keys.PassphraseKeyProvider(chosen)
    return None


def passphrase_from_environment() -> str | None:
    """The practice passphrase set for unattended starts, if any."""
    return os.environ.get(PASSPHRASE_ENV) or None
