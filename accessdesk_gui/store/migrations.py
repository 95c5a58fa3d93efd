"""Upgrading a store's schema with Alembic: a verified copy first, then the upgrade.

A store already at head is recognised from the scripts' text alone (quick_heads), so an
ordinary start imports neither Alembic nor, through it, SQLAlchemy.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accessdesk_gui.resources_path import migrations_dir
from accessdesk_gui.store.errors import StoreError, StoreTooNew

if TYPE_CHECKING:
    from accessdesk_gui.store.copies import CopyCheck
    from accessdesk_gui.store.handle import StoreHandle as Store


def alembic_config(connection: Any = None) -> Any:
    """Alembic's configuration for the shipped scripts (on ``connection`` if given)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.M)


def quick_heads() -> set[str] | None:
    """The head revisions of the migration scripts, read as text without importing Alembic.

    Importing Alembic costs 0.1-0.3 s at every start, only to learn that a store is already
    at head. None when a script is not in the plain form Alembic generates (literal
    `revision = ...` and `down_revision = ...` lines); the caller then asks Alembic.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (migrations_dir() / "versions").glob("*.py"):
        text_ = script.read_text("utf-8")
        found: dict[str, str] = {m[1]: m[2] for m in _REVISION_LINE.finditer(text_)}
        if script.name == "__init__.py" and not found:
            continue
        try:
            rev = ast.literal_eval(found["revision"])
            down = ast.literal_eval(found["down_revision"])
        except (KeyError, ValueError, SyntaxError):
            return None
        if not isinstance(rev, str):
            return None
        if isinstance(down, str):
            parents.add(down)
        elif isinstance(down, tuple | list) and all(isinstance(d, str) for d in down):
            parents.update(down)
        elif down is not None:
            return None
        revisions.add(rev)
    return revisions - parents


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return str(head)


def known_revision(rev: str) -> bool:
    """A revision the shipped scripts know (False: a store from a newer AccessDesk)."""
    from alembic.script import ScriptDirectory

    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(rev)
    except Exception:
        return False
    return True


def migrate(store: Store) -> None:
    """Bring the store to head: refuse a newer store, back up an older one first."""
    heads = quick_heads()
    if heads is not None and len(heads) == 1 and store.current_revision() in heads:
        return  # already at head: no need to import Alembic (start-up time)
    from alembic import command
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    current = store.current_revision()
    if current == head:
        return
    copy: tuple[Path, CopyCheck, dt.datetime] | None = None
    if current is not None:
        try:
            script.get_revision(current)
        except Exception:
            raise StoreTooNew(
                f"The store {store.path} was written by a newer AccessDesk (schema {current}). "
                "Install the newer version; nothing was changed."
            ) from None
        copy = _backup_before_upgrade(store, current, head)
    with store.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    if copy is not None:
        from accessdesk_gui.store.copies import record_backup

        path, check, taken_at = copy
        with store.write() as s:
            record_backup(s, "accessdesk", path, check, taken_at, "before-upgrade")


def _chosen_backup_folder(store: Store) -> Path | None:
    from accessdesk_gui.store.copies import BACKUP_FOLDER_SETTING

    with store.engine.connect() as conn:
        if not conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='security_settings'"
        ).first():
            return None
        row = conn.exec_driver_sql(
            "SELECT value FROM security_settings WHERE name = ?", (BACKUP_FOLDER_SETTING,)
        ).first()
    return Path(row[0]) if row and row[0] else None


def _backup_before_upgrade(
    store: Store, current: str, head: str | None
) -> tuple[Path, CopyCheck, dt.datetime]:
    """A verified backup, with its manifest, before any migration touches the store.

    It goes to the practice's backup folder (a USB drive or share), or to the
    ``backups`` folder beside the store when none is set or the chosen one cannot be
    written. Rotation keeps it for a year (services/backups.py). If no copy can be made,
    the store is not upgraded.
    """
    from accessdesk_gui.store import copies

    taken_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    name = f"accessdesk-{taken_at:%Y%m%d-%H%M%S}-{copies.PRE_UPGRADE}{copies.SUFFIX}"
    folders = [store.path.parent / "backups"]
    chosen = _chosen_backup_folder(store)
    if chosen is not None and chosen != folders[0]:
        folders.insert(0, chosen)
    problems = []
    for folder in folders:
        target = folder / name
        try:
            folder.mkdir(parents=True, exist_ok=True)
            check = copies.verified_backup(
                store,
                target,
                taken_at,
                copies.PRE_UPGRADE,
                schema_before=current,
                upgrading_to=head or "",
            )
            return target, check, taken_at
        except (OSError, StoreError) as exc:
            problems.append(f"{folder}: {exc}")
    raise StoreError(
        f"The store {store.path} needs an upgrade, and the backup taken before it could "
        f"not be made ({'; '.join(problems)}). The store was not upgraded and nothing was "
        "changed. Connect the backup drive or free some space, then start again."
    )
