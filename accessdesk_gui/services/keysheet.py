"""The recovery sheet: the store key in a form a person can type back on a new PC."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from accessdesk_gui.domain.roles import Role
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.services.errors import ServiceError
from accessdesk_gui.store import audit, keys
from accessdesk_gui.store.db import Store


def sheet_text(store: Store, actor: Actor, today: dt.date | None = None) -> str:
    """The sheet's text. Printing it is recorded (who, when), never the key itself."""
    actor.require(Role.PRIVACY_OFFICER, "print the recovery sheet")
    if store.key.kind != "raw":
        raise ServiceError(
            "This store uses a practice passphrase instead of a keyring key: the passphrase "
            "itself is what to keep safe; there is no separate recovery key."
        )
    code = keys.recovery_code(store.key)
    groups = code.split(" ")
    lines = [" ".join(groups[i : i + 4]) for i in range(0, len(groups), 4)]
    with store.write() as s:
        audit.append(s, actor.username, "recovery_sheet_printed", "store", "key")
    today = today or dt.date.today()
    return "\n".join(
        [
            "ACCESSDESK RECOVERY SHEET - KEEP LOCKED AWAY",
            "",
            f"Store: {store.path.name}    Printed: {today.isoformat()} by {actor.username}",
            "",
            "Recovery key (56 letters and digits; the last groups are a check):",
            "",
            *(f"    {line}" for line in lines),
            "",
            "Anyone with this key and a copy of the store or a backup can read the patient",
            "records in it. Keep this sheet in a locked place (a safe), never with the",
            "backups and never in the same bag as the backup drive.",
            "",
            "When the PC is replaced or its keyring is lost:",
            "  1. Install AccessDesk and copy the store (or restore a backup) to the new PC.",
            "  2. Run: accessdesk key restore --db <the store file>",
            "     and type the key above (spaces and lower case are fine).",
            "  3. Open AccessDesk as usual.",
        ]
    )


def restore_key(path: Path, typed: str) -> None:
    """Put the key typed from a recovery sheet into this PC's keyring for the store at path.

    A mistyped code is refused with what to check; when the store is there, the key must
    open it before anything is saved (a key for another store is never kept).
    """
    try:
        key = keys.parse_recovery_code(typed)
    except keys.BadRecoveryCode as exc:
        raise InvalidRecoveryKey(str(exc)) from None
    if path.exists():
        Store.open(path, key_provider=keys.FixedKeyProvider(key)).close()
    try:
        keys.save_key(path, key)
    except keys.KeyringUnavailable as exc:
        raise ServiceError(str(exc)) from None


class InvalidRecoveryKey(ServiceError):
    """The typed recovery key is not one a sheet shows (wrong length or a mistyped group)."""
