"""The store's known failures, each with a message the user can act on.

The bottom of the store package: it imports nothing, so every store module can use it.
"""

from __future__ import annotations


class StoreError(Exception):
    """A store problem the user can act on. The message says what happened and what to do."""


class StoreMissing(StoreError):
    pass


class StoreLocked(StoreError):
    pass


class StoreCorrupt(StoreError):
    pass


class StoreTooNew(StoreError):
    pass


class StoreKeyUnavailable(StoreError):
    """No keyring to keep or read the key: the message lists the choices."""


class StoreKeyMissing(StoreError):
    """The key is not where it should be (not the same as a wrong key)."""


class StoreWrongKey(StoreError):
    """The key at hand does not open the file (another store's key, or a damaged file)."""


class StoreNotEncrypted(StoreError):
    pass
