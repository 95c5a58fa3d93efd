"""Backups: encrypted copies, taken daily and on demand, rotated, and verified restores.

HIPAA Security Rule contingency plan: data backup and disaster recovery
(164.308(a)(7)(ii)(A),(B)). A backup is the store copied through SQLite's online backup
API with the store's own key, so a copy is as protected as the store. Each backup has a
manifest beside it (when, the audit chain's entry count and head hash) and the same
figures are anchored in the store, so ``audit verify`` can tell if entries were cut off.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from accessdesk_gui.domain.roles import Role
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.services.errors import InvalidInput, PermissionDenied, ServiceError
from accessdesk_gui.store import audit, keys
from accessdesk_gui.store.copies import (
    BACKUP_FOLDER_SETTING,
    PRE_UPGRADE,
    SUFFIX,
    manifest_path,
    record_backup,
    verified_backup,
)
from accessdesk_gui.store.db import Store, StoreError
from accessdesk_gui.store.lock import InstanceLock
from accessdesk_gui.store.security_models import AuditAnchor, SecuritySetting

BACKUP_FOLDER = BACKUP_FOLDER_SETTING
_NAME = re.compile(r"^accessdesk-(\d{8}-\d{6})(?:-[a-z-]+)?\.adbackup$")
KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 7, 4, 12


class BackupFailed(ServiceError):
    pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# -- settings ---------------------------------------------------------------------------


def get_setting(store: Store, name: str, default: str = "") -> str:
    with store.read() as s:
        row = s.get(SecuritySetting, name)
        return row.value if row else default


def set_setting(store: Store, actor: Actor, name: str, value: str) -> None:
    """Practice settings are the privacy officer's (164.308(a)(2): assigned responsibility)."""
    actor.require(Role.PRIVACY_OFFICER, "change settings")
    with store.write() as s:
        row = s.get(SecuritySetting, name)
        before = {name: row.value} if row else None
        if row is None:
            s.add(SecuritySetting(name=name, value=value))
        else:
            row.value = value
        audit.append(s, actor.username, "setting_changed", "setting", name, before, {name: value})


def backup_folder(store: Store) -> Path:
    chosen = get_setting(store, BACKUP_FOLDER)
    return Path(chosen) if chosen else store.path.parent / "backups"


def set_backup_folder(store: Store, actor: Actor, folder: Path | str) -> Path:
    folder = Path(folder).expanduser()
    if not folder.is_absolute():
        raise InvalidInput("folder", "give the full path of the backup folder.")
    set_setting(store, actor, BACKUP_FOLDER, str(folder))
    return folder


# -- taking backups ---------------------------------------------------------------------


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: dt.datetime
    entries: int
    head_hash: str


_manifest = manifest_path


def backup_now(
    store: Store,
    username: str,
    folder: Path | None = None,
    now: dt.datetime | None = None,
    reason: str = "manual",
) -> BackupInfo:
    """Copy the store into folder, check the copy, record its audit head, then rotate."""
    now = now or _now()
    folder = Path(folder) if folder else backup_folder(store)
    tag = "" if reason == "manual" else f"-{reason}"
    target = folder / f"accessdesk-{now:%Y%m%d-%H%M%S}{tag}{SUFFIX}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        check = verified_backup(store, target, now, reason)
        assert check.chain is not None
        info = BackupInfo(target, now, check.chain.entries, check.chain.head_hash)
    except OSError as exc:
        for p in (target, _manifest(target)):
            p.unlink(missing_ok=True)
        raise BackupFailed(
            f"The backup to {folder} failed ({exc.strerror or exc}). The store and earlier "
            "backups are unchanged. Check the drive is connected and has room, then try again."
        ) from None
    except StoreError as exc:
        raise BackupFailed(str(exc)) from None
    with store.write() as s:
        record_backup(s, username, target, check, now, reason)
    rotate(folder, now)
    return info


def backup(store: Store, actor: Actor, folder: Path | None = None) -> BackupInfo:
    """A backup on demand; any staff member may take one (it only adds a copy)."""
    actor.require_staff()
    return backup_now(store, actor.username, folder)


def list_backups(folder: Path) -> list[tuple[dt.datetime, Path]]:
    out = []
    if folder.is_dir():
        for p in folder.iterdir():
            m = _NAME.match(p.name)
            if m:
                out.append((dt.datetime.strptime(m.group(1), "%Y%m%d-%H%M%S"), p))
    return sorted(out)


def backup_if_due(store: Store, username: str, now: dt.datetime | None = None) -> BackupInfo | None:
    """The daily automatic backup: taken at start if none was taken today."""
    now = now or _now()
    folder = backup_folder(store)
    if any(t.date() == now.date() for t, p in list_backups(folder) if not is_pre_upgrade(p)):
        return None
    return backup_now(store, username, folder, now, reason="daily")


def keep(times: Iterable[dt.datetime], now: dt.datetime) -> set[dt.datetime]:
    """Which backups rotation keeps: the newest of each of the last 7 days that have one,
    of each of the last 4 weeks, and of each of the last 12 months.
    """
    newest_first = sorted(set(times), reverse=True)
    kept: set[dt.datetime] = set()
    for bucket, count in (
        (lambda t: t.date(), KEEP_DAILY),
        (lambda t: tuple(t.isocalendar())[:2], KEEP_WEEKLY),
        (lambda t: (t.year, t.month), KEEP_MONTHLY),
    ):
        seen: list[object] = []
        for t in newest_first:
            b = bucket(t)
            if b not in seen:
                seen.append(b)
                if len(seen) > count:
                    break
                kept.add(t)
    # Never remove anything from the future (a clock set wrong) or the newest copy.
    kept |= {t for t in newest_first if t > now}
    if newest_first:
        kept.add(newest_first[0])
    return kept


def is_pre_upgrade(path: Path) -> bool:
    return path.name.endswith(f"-{PRE_UPGRADE}{SUFFIX}")


# A copy taken before a migration is the way back from a failed upgrade: rotation leaves
# it alone for as long as it keeps monthly copies (12 months), then prunes it.
PRE_UPGRADE_KEPT = dt.timedelta(days=31 * KEEP_MONTHLY)


def rotate(folder: Path, now: dt.datetime) -> list[Path]:
    backups = list_backups(folder)
    upgrades = [(t, p) for t, p in backups if is_pre_upgrade(p)]
    regular = [(t, p) for t, p in backups if not is_pre_upgrade(p)]
    kept = keep((t for t, _ in regular), now)
    kept |= {t for t, _ in upgrades if now - t < PRE_UPGRADE_KEPT}
    removed = []
    for t, p in regular + upgrades:
        if t not in kept:
            p.unlink(missing_ok=True)
            _manifest(p).unlink(missing_ok=True)
            removed.append(p)
    return removed


# -- restoring --------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    restored: Path
    from_backup: Path
    safety_copy: Path | None
    entries: int


@dataclass(frozen=True)
class BackupCheck:
    """What checking a backup found, shown to the user before anything is replaced."""

    path: Path
    problems: list[str]
    taken_at: str = ""
    reason: str = ""
    schema: str = ""
    entries: int = 0
    head_hash: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def check_backup(backup_file: Path, against: Store | keys.StoreKey) -> BackupCheck:
    """Check a backup fully without changing anything: it opens with the store's key (of
    the store given, or the key itself), its pages and structure are sound, its audit chain
    verifies and matches its manifest, and it was made by this version of AccessDesk or an
    earlier one.
    """
    from accessdesk_gui.store.copies import check_copy

    key = against.key if isinstance(against, Store) else against
    backup_file = Path(backup_file)
    check = check_copy(backup_file, key)
    problems = list(check.problems)
    if check.chain is not None and not check.chain.ok and not problems:
        problems.append(f"audit trail: {check.chain.problem}")
    if check.ok and check.revision is not None and not _known_revision(check.revision):
        problems.append(f"it was made by a newer AccessDesk (schema {check.revision})")
    man = _manifest(backup_file)
    data: dict[str, object] = {}
    if man.exists():
        try:
            data = json.loads(man.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            problems.append("its manifest cannot be read")
    chain = check.chain
    if chain is not None and data:
        recorded = (data.get("audit_entries"), data.get("audit_head_hash"))
        if recorded != (chain.entries, chain.head_hash):
            problems.append("its audit trail does not match the manifest written with it")
    if not problems and check.chain is None:
        problems.append("it could not be checked")
    return BackupCheck(
        backup_file,
        problems,
        taken_at=str(data.get("taken_at", "")),
        reason=str(data.get("reason", "")),
        schema=check.revision or "",
        entries=check.chain.entries if check.chain else 0,
        head_hash=check.chain.head_hash if check.chain else "",
    )


def restore(
    target: Path | Store,
    backup_file: Path,
    username: str,
    *,
    actor: Actor | None = None,
    now: dt.datetime | None = None,
    lock_as: str | None = None,
) -> RestoreResult:
    """Put a backup in place of a store, after checking the backup fully.

    target is the store file, or the store open in this app: that one is closed before it
    is replaced (no connection may stay open on the file) and its own key checks the
    backup. lock_as takes the instance lock for the restore (the command line; the app
    already holds it for its open store).

    Replacing an existing store is the privacy officer's decision (164.308(a)(7)): then
    ``actor`` must be given and hold that role. (On a new PC with no store yet there is
    nobody to log in as.) The backup must open with the store's key, pass the page and
    structure checks and its audit chain must verify (and match its manifest) before
    anything is replaced. The store being replaced is copied aside first. The store must
    not be open elsewhere.
    """
    path = target.path if isinstance(target, Store) else Path(target)
    lock: AbstractContextManager[object] = (
        InstanceLock.acquire(path, lock_as) if lock_as is not None else nullcontext()
    )
    with lock:
        return _restore(target, path, Path(backup_file), username, actor, now or _now())


def _restore(
    target: Path | Store,
    path: Path,
    backup_file: Path,
    username: str,
    actor: Actor | None,
    now: dt.datetime,
) -> RestoreResult:
    if path.exists():
        if actor is None:
            raise PermissionDenied(
                "Replacing a store needs the privacy officer to log in to it first."
            )
        actor.require(Role.PRIVACY_OFFICER, "restore a backup")
    if isinstance(target, Store):
        key = target.key
    else:
        try:
            key = keys.default_key_provider(path).key_for(path, False)
        except keys.KeyProblem as exc:
            raise BackupFailed(str(exc)) from None
    found = check_backup(backup_file, key)
    if not found.ok:
        raise BackupFailed(
            f"The backup {backup_file} was not restored: {'; '.join(found.problems)}. "
            "Nothing was changed. Try an earlier backup."
        )
    if isinstance(target, Store):
        target.close()
    safety: Path | None = None
    if path.exists():
        current = Store.open(path, key_provider=keys.FixedKeyProvider(key), check=False)
        try:
            safety = current.backup(
                path.with_name(f"{path.stem}.before-restore-{now:%Y%m%d-%H%M%S}{SUFFIX}")
            )
        finally:
            current.close()
    partial = path.with_name(f".{path.name}.restoring")
    try:
        with backup_file.open("rb") as src, partial.open("wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        for side in ("-wal", "-shm"):
            Path(str(path) + side).unlink(missing_ok=True)
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise BackupFailed(
            f"Restoring failed ({exc.strerror or exc}); the store was not replaced."
        ) from None
    restored = Store.open(path, key_provider=keys.FixedKeyProvider(key))
    try:
        with restored.write() as s:
            audit.append(
                s,
                username,
                "store_restored",
                "backup",
                backup_file.name[:40],
                None,
                {"from": str(backup_file), "audit_entries": found.entries},
            )
    finally:
        restored.close()
    return RestoreResult(path, backup_file, safety, found.entries)


def _known_revision(rev: str) -> bool:
    from accessdesk_gui.store.migrations import known_revision

    return known_revision(rev)


# -- anchors ----------------------------------------------------------------------------


def latest_anchor(store: Store) -> AuditAnchor | None:
    with store.read() as s:
        row = s.scalar(select(AuditAnchor).order_by(AuditAnchor.id.desc()).limit(1))
        if row is not None:
            s.expunge(row)  # usable after the read session ends
        return row
