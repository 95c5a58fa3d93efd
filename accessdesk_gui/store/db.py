"""Opening the store: engine, sessions, migrations (with a copy first) and known failures."""

from __future__ import annotations

import ast
import datetime as dt
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from accessdesk_gui.resources_path import migrations_dir


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


BUSY_TIMEOUT_S = 5.0


def _alembic_config(connection: Any = None) -> Any:
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

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def _check_header(path: Path) -> None:
    """Refuse a file that is not a SQLite store before SQLite half-reads it."""
    with path.open("rb") as f:
        magic = f.read(16)
    if magic and magic != b"SQLite format 3\x00":
        raise StoreCorrupt(
            f"The file {path} is not an AccessDesk store or is damaged. Nothing was changed. "
            "Restore the latest backup, or open the right file."
        )


class Store:
    """One store file. Services take short sessions from it, one transaction per use case."""

    def __init__(self, path: Path, engine: Engine) -> None:
        self.path = path
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, path: Path | str, create: bool = False) -> Store:
        path = Path(path)
        if not path.exists():
            if not create:
                raise StoreMissing(
                    f"No store at {path}. Run 'accessdesk init' to create one, or give the "
                    "right --db path."
                )
            path.parent.mkdir(parents=True, exist_ok=True)
        else:
            _check_header(path)
        engine = create_engine(
            f"sqlite:///{path}",
            connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
        )
        _install_sqlite_hooks(engine)
        store = cls(path, engine)
        try:
            store._migrate()
        except OperationalError as exc:
            engine.dispose()
            raise _translate(exc, path) from None
        except DatabaseError as exc:
            engine.dispose()
            raise StoreCorrupt(
                f"The store {path} is damaged ({exc.orig}). Nothing was changed. "
                "Restore the latest backup."
            ) from None
        return store

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction (BEGIN IMMEDIATE): commit on success, roll back on error."""
        with self._sessions() as session:
            try:
                session.connection(execution_options={"immediate": True})
                yield session
                session.commit()
            except OperationalError as exc:
                session.rollback()
                raise _translate(exc, self.path) from None
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._sessions() as session:
            try:
                yield session
            except OperationalError as exc:
                raise _translate(exc, self.path) from None
            finally:
                session.rollback()

    # -- migrations ---------------------------------------------------------------------

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            has_table = conn.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).first()
            if not has_table:
                return None
            row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
            return row[0] if row else None

    def _migrate(self) -> None:
        heads = quick_heads()
        if heads is not None and len(heads) == 1 and self.current_revision() in heads:
            return  # already at head: no need to import Alembic (start-up time)
        from alembic import command
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(_alembic_config())
        head = script.get_current_head()
        current = self.current_revision()
        if current == head:
            return
        if current is not None:
            try:
                script.get_revision(current)
            except Exception:
                raise StoreTooNew(
                    f"The store {self.path} was written by a newer AccessDesk (schema {current}). "
                    "Install the newer version; nothing was changed."
                ) from None
            self.backup(
                self.path.with_name(
                    f"{self.path.stem}.before-{head}-{dt.datetime.now():%Y%m%d-%H%M%S}.sqlite"
                )
            )
        with self.engine.begin() as conn:
            command.upgrade(_alembic_config(conn), "head")

    def backup(self, target: Path) -> Path:
        """A consistent copy through SQLite's online backup API, safe while in use."""
        raw = self.engine.raw_connection()
        try:
            dest = sqlite3.connect(target)
            try:
                raw.driver_connection.backup(dest)  # type: ignore[union-attr]
            finally:
                dest.close()
        finally:
            raw.close()
        return target

    def integrity_ok(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # We issue BEGIN ourselves so writes can take the lock up front (see "begin").
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE for writes: reading the audit chain's head and appending to it must not
        # interleave with another writer.
        immediate = conn.get_execution_options().get("immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _translate(exc: OperationalError, path: Path) -> StoreError:
    msg = str(exc.orig).lower()
    if "locked" in msg or "busy" in msg:
        return StoreLocked(
            f"The store {path} is busy or locked by another program. Nothing was changed; "
            "try again in a moment, or close the other AccessDesk window."
        )
    if "disk is full" in msg or "disk i/o" in msg:
        return StoreError(f"Could not write to {path}: {exc.orig}. Nothing was changed.")
    if "not a database" in msg or "malformed" in msg:
        return StoreCorrupt(
            f"The store {path} is damaged ({exc.orig}). Nothing was changed. "
            "Restore the latest backup."
        )
    return StoreError(f"The store {path} could not be used: {exc.orig}")
