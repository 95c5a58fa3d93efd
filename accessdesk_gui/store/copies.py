"""Checking a copy of the store (a backup) without changing it: pages, structure, chain."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import URL, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from accessdesk_gui.store import audit
from accessdesk_gui.store.driver import quiet_sqlcipher
from accessdesk_gui.store.errors import StoreError
from accessdesk_gui.store.keys import StoreKey

if TYPE_CHECKING:  # the store module imports this one's callers, never the reverse
    from accessdesk_gui.store.handle import StoreHandle as Store

# Where backups go: the practice's choice (a setting), else a folder beside the store.
BACKUP_FOLDER_SETTING = "backup_folder"
SUFFIX = ".adbackup"
# The copy taken before a migration: kept out of rotation for a year (see services/backups).
PRE_UPGRADE = "before-upgrade"


@dataclass(frozen=True)
class CopyCheck:
    problems: list[str] = field(default_factory=list)
    revision: str | None = None
    chain: audit.VerifyResult | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and self.chain is not None and self.chain.ok


def check_copy(path: Path, key: StoreKey) -> CopyCheck:
    """Open the copy read-only with the key; report every problem found, change nothing."""
    if not path.is_file():
        return CopyCheck([f"{path} does not exist"])
    quiet_sqlcipher()
    url = URL.create("sqlite+pysqlcipher", password=key.pragma_value, database=str(path))
    engine = create_engine(url, poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _ro(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA query_only = 1")
        dbapi_conn.execute("PRAGMA temp_store = MEMORY")

    try:
        with engine.connect() as conn:
            problems = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA cipher_integrity_check")]
            quick = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA quick_check")]
            if quick != ["ok"]:
                problems += quick
            rev = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        with Session(engine) as s:
            chain = audit.verify(s)
        if not chain.ok:
            problems.append(f"audit trail: {chain.problem}")
        return CopyCheck(problems, str(rev) if rev else None, chain)
    except DBAPIError as exc:
        msg = str(exc.orig)
        if "not a database" in msg:
            msg = "it does not open with this store's key (another store's copy, or damaged)"
        return CopyCheck([msg])
    finally:
        engine.dispose()


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.partial")
    try:
        with tmp.open("w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def verified_backup(
    store: Store, target: Path, taken_at: dt.datetime, reason: str, **extra: str
) -> CopyCheck:
    """Copy the store to target, check the copy fully, and write its manifest beside it.

    The manifest records the audit chain's entry count and head hash, so a restore (and
    ``audit verify``) can tell if the copy's trail was cut short. A copy that does not
    check out is removed and StoreError raised; OSError (disk full, drive gone) passes up
    with no half copy left behind.
    """
    store.backup(target)
    check = check_copy(target, store.key)
    if not check.ok or check.chain is None:
        target.unlink(missing_ok=True)
        raise StoreError(
            f"The new backup did not check out ({'; '.join(check.problems)}); it was "
            "removed. Earlier backups are unchanged. Check the store: 'accessdesk audit "
            "verify'."
        )
    try:
        write_atomically(
            manifest_path(target),
            json.dumps(
                {
                    "taken_at": taken_at.isoformat(timespec="seconds"),
                    "store": str(store.path),
                    "schema": check.revision,
                    "audit_entries": check.chain.entries,
                    "audit_head_hash": check.chain.head_hash,
                    "reason": reason,
                    **extra,
                },
                indent=2,
            ),
        )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return check


def record_backup(
    session: Session,
    username: str,
    target: Path,
    check: CopyCheck,
    taken_at: dt.datetime,
    reason: str,
) -> None:
    """Anchor the copy's audit head in the store and log the backup (one transaction)."""
    from accessdesk_gui.store.security_models import AuditAnchor

    assert check.chain is not None
    session.add(
        AuditAnchor(
            made_at=taken_at.isoformat(timespec="seconds"),
            reason="backup",
            entries=check.chain.entries,
            head_hash=check.chain.head_hash,
            note=target.name,
        )
    )
    audit.append(
        session,
        username,
        "backup_made",
        "backup",
        target.name[:40],
        None,
        {"folder": str(target.parent), "audit_entries": check.chain.entries, "reason": reason},
    )
