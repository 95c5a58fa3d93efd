"""Opening the store: key, integrity, engine, sessions and the unit of work, known failures.

Upgrading the schema is store/migrations.py's; the errors are store/errors.py's (named here
too, where callers have always found them).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from accessdesk_gui.store import keys
from accessdesk_gui.store.driver import dbapi as _dbapi
from accessdesk_gui.store.driver import quiet_sqlcipher as _quiet_sqlcipher
from accessdesk_gui.store.errors import StoreCorrupt as StoreCorrupt
from accessdesk_gui.store.errors import StoreError as StoreError
from accessdesk_gui.store.errors import StoreKeyMissing as StoreKeyMissing
from accessdesk_gui.store.errors import StoreKeyUnavailable as StoreKeyUnavailable
from accessdesk_gui.store.errors import StoreLocked as StoreLocked
from accessdesk_gui.store.errors import StoreMissing as StoreMissing
from accessdesk_gui.store.errors import StoreNotEncrypted as StoreNotEncrypted
from accessdesk_gui.store.errors import StoreTooNew as StoreTooNew
from accessdesk_gui.store.errors import StoreWrongKey as StoreWrongKey
from accessdesk_gui.store.keys import KeyProvider, StoreKey

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

# SQLAlchemy is imported when the first session or engine is asked for, not when a store is
# opened: its import is most of a start-up's cost, and the queue's first page is read
# through the store's raw connection (see Store.raw_read) before it is needed.


def connect_raw(
    path: Path | str, key: StoreKey | None = None, check_same_thread: bool = True
) -> Any:
    """A bare DB-API connection to an encrypted store (for tools and tests, not services)."""
    path = Path(path)
    key = key or keys.default_key_provider(path).key_for(path, False)
    _quiet_sqlcipher()
    con = _dbapi().connect(
        str(path),
        isolation_level=None,
        timeout=BUSY_TIMEOUT_S,
        check_same_thread=check_same_thread,
    )
    con.execute(f'PRAGMA key = "{_quote(key.pragma_value)}"')
    return con


def _quote(value: str) -> str:
    return value.replace('"', '""')


BUSY_TIMEOUT_S = 5.0


def _check_header(path: Path) -> None:
    """An encrypted store starts with random bytes; a clear SQLite header means plain text."""
    with path.open("rb") as f:
        magic = f.read(16)
    if magic == b"SQLite format 3\x00":
        raise StoreNotEncrypted(
            f"The file {path} is an unencrypted database, not an encrypted AccessDesk store. "
            "Nothing was changed. Open the right file, or restore an encrypted backup."
        )
    if 0 < len(magic) < 16:
        raise StoreCorrupt(
            f"The file {path} is not an AccessDesk store or is damaged. Nothing was changed. "
            "Restore the latest backup, or open the right file."
        )


def _key_for(path: Path, provider: KeyProvider, create: bool) -> StoreKey:
    try:
        return provider.key_for(path, create)
    except keys.KeyringUnavailable as exc:
        raise StoreKeyUnavailable(str(exc)) from None
    except keys.KeyMissing as exc:
        raise StoreKeyMissing(str(exc)) from None
    except keys.KeyProblem as exc:
        raise StoreError(str(exc)) from None


def _check_key(path: Path, key: StoreKey) -> None:
    """Read page 1 with the key before anything else; a failure writes nothing."""
    con = connect_raw(path, key)
    try:
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except _dbapi().DatabaseError as exc:
        if "not a database" in str(exc).lower():
            raise StoreWrongKey(
                f"The key at hand does not open {path}: either the file is damaged or is not "
                "an AccessDesk store, or the key belongs to another store (for example a "
                "store copied from another PC). Nothing was changed. Restore the latest "
                "backup, or type this store's recovery key with 'accessdesk key restore'."
            ) from None
        raise StoreCorrupt(
            f"The store {path} is damaged ({exc}). Nothing was changed. Restore the latest backup."
        ) from None
    finally:
        con.close()


def _make_engine(path: Path, key: StoreKey) -> Engine:
    from sqlalchemy import URL, create_engine
    from sqlalchemy.pool import QueuePool

    url = URL.create("sqlite+pysqlcipher", password=key.pragma_value, database=str(path))
    engine = create_engine(
        url,
        poolclass=QueuePool,
        connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
    )
    _install_sqlite_hooks(engine)
    return engine


class Store:
    """One store file. Services take short sessions from it, one transaction per use case."""

    def __init__(self, path: Path, key: StoreKey) -> None:
        self.path = path
        self._key = key
        self._engine: Engine | None = None
        self._session_factory: sessionmaker[Session] | None = None
        self._local = threading.local()
        self._raws: list[tuple[Any, Any]] = []  # (connection, its RLock)
        self._raw_lock = threading.Lock()
        self._generation = 0
        self._check: _BackgroundCheck | None = None

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, made (and SQLAlchemy imported) on first use."""
        if self._engine is None:
            self._engine = _make_engine(self.path, self._key)
        return self._engine

    def _sessions(self) -> Session:
        if self._session_factory is None:
            from sqlalchemy.orm import sessionmaker

            from accessdesk_gui.store import uow

            self._session_factory = sessionmaker(self.engine, expire_on_commit=False)
            uow.install(self._session_factory)
        return self._session_factory()

    @contextmanager
    def raw_read(self) -> Iterator[Any]:
        """A read-only DB-API connection (sqlcipher3) for hot read paths, without the ORM.

        Each statement on it is its own read transaction (autocommit), so it sees every
        committed write. Each thread has its own, so a long count on a worker thread never
        holds up the UI thread's reads.
        """
        held = getattr(self._local, "raw", None)
        if held is None or held[0] != self._generation:
            # None yet on this thread, or closed by close(): a store, like its engine,
            # reconnects when used again after close().
            with self._raw_lock:
                con = connect_raw(self.path, self._key, check_same_thread=False)
                con.execute("PRAGMA query_only = ON")
                # 32 MB of decrypted pages (SQLite's default is 8): the queue's indexes and
                # the rows around a page stay cached between a count and its page.
                con.execute("PRAGMA cache_size = -32000")
                held = (self._generation, con, threading.RLock())
                self._raws.append(held[1:])
            self._local.raw = held
        _gen, con, in_use = held
        # close() takes this lock too: a connection is never closed under a running query.
        with in_use:
            try:
                yield con
            except _dbapi().OperationalError as exc:
                raise _translate(exc, self.path) from None

    @classmethod
    def open(
        cls,
        path: Path | str,
        create: bool = False,
        key_provider: KeyProvider | None = None,
        check: bool | Literal["background"] = True,
    ) -> Store:
        """Open (or with create, make) the encrypted store at path.

        The key comes from key_provider, by default the OS keyring (see store/keys.py).
        A missing key, a wrong key, a damaged file or a store from a newer version is
        refused with a message naming the cause, before anything is written.

        The full integrity check reads every page (about 2 s for 100,000 requests). With
        check="background" it runs on its own connection while the caller goes on (the
        GUI shows its log-in meanwhile); the first write or backup waits for it and is
        refused with StoreCorrupt if it failed, so a damaged store is still never written.
        """
        path = Path(path)
        exists = path.exists() and path.stat().st_size > 0
        if not exists and not create:
            raise StoreMissing(
                f"No store at {path}. Run 'accessdesk init' to create one, or give the "
                "right --db path."
            )
        if exists:
            _check_header(path)
        provider = key_provider or keys.default_key_provider(path)
        key = _key_for(path, provider, create=not exists)
        if exists:
            _check_key(path, key)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)  # readable by this account only (where the OS has modes)
            if key.kind == "passphrase" and keys.recorded_mode(path) != "demo":
                keys.record_passphrase_mode(path)  # a provider that gave the phrase as is
        from accessdesk_gui.store import migrations

        store = cls(path, key)
        dbapi = _dbapi()
        try:
            if exists and check == "background":
                store._check = _BackgroundCheck(path, key)
            elif exists and check:
                store.check_integrity()
            migrations.migrate(store)
        except BaseException as exc:
            store.close()
            orig = getattr(exc, "orig", exc)
            if isinstance(orig, dbapi.OperationalError):
                raise _translate(exc, path) from None
            if isinstance(orig, dbapi.DatabaseError):
                raise StoreCorrupt(
                    f"The store {path} is damaged ({orig}). Nothing was changed. "
                    "Restore the latest backup."
                ) from None
            raise
        return store

    @property
    def key(self) -> StoreKey:
        """The store's key, for checking copies made of it (never log or show it)."""
        return self._key

    def close(self) -> None:
        if self._check is not None:
            self._check.stop()
        with self._raw_lock:
            self._generation += 1
            for con, in_use in self._raws:
                with in_use:
                    con.close()
            self._raws.clear()
        if self._engine is not None:
            self._engine.dispose()

    def check_pending(self) -> bool:
        """A background integrity check is still running."""
        return self._check is not None and not self._check.done()

    def wait_for_check(self) -> None:
        """Wait for a background integrity check; StoreCorrupt if it found a problem."""
        check = self._check
        if check is None:
            return
        problems = check.result()
        if problems:
            raise StoreCorrupt(
                f"The store {self.path} failed its integrity check ({problems[0]}). Nothing "
                "was changed. Restore the latest good backup: 'accessdesk restore FILE'."
            )
        self._check = None

    @contextmanager
    def write(self, *, unaudited: str = "") -> Iterator[Session]:
        """One write transaction (BEGIN IMMEDIATE): commit on success, roll back on error.

        The unit of work: a transaction that changed rows but added no audit entry is
        refused with store.uow.UnauditedChange and rolled back. ``unaudited`` names why a
        write needs no entry (it is the exception, to be read in review).
        """
        from sqlalchemy.exc import OperationalError

        from accessdesk_gui.store import uow

        self.wait_for_check()
        with self._sessions() as session:
            uow.guard(session, unaudited)
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
        from sqlalchemy.exc import OperationalError

        with self._sessions() as session:
            try:
                yield session
            except OperationalError as exc:
                raise _translate(exc, self.path) from None
            finally:
                session.rollback()

    # -- the schema -----------------------------------------------------------------------

    def current_revision(self) -> str | None:
        with self.raw_read() as con:
            has_table = con.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).fetchone()
            if not has_table:
                return None
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            return row[0] if row else None

    def backup(self, target: Path) -> Path:
        """A consistent, encrypted copy through the online backup API, safe while in use.

        Written under a temporary name, flushed to disk and then renamed: a failure (disk
        full, I/O error) leaves no half copy and never touches an earlier file at target.
        """
        self.wait_for_check()
        target = Path(target)
        partial = target.with_name(f".{target.name}.partial")
        raw = self.engine.raw_connection()
        try:
            partial.unlink(missing_ok=True)
            partial.touch(mode=0o600)
            dest = connect_raw(partial, self._key)
            try:
                raw.driver_connection.backup(dest)  # type: ignore[union-attr]
                dest.execute("PRAGMA journal_mode = DELETE")
            finally:
                dest.close()
            with partial.open("rb+") as f:
                os.fsync(f.fileno())
            os.replace(partial, target)
        except BaseException as exc:
            partial.unlink(missing_ok=True)
            if isinstance(exc, OSError | _dbapi().Error):
                raise StoreError(
                    f"The copy to {target} failed ({exc}). The store and earlier copies are "
                    "unchanged. Check the disk has room and is connected, then try again."
                ) from None
            raise
        finally:
            raw.close()
        return target

    def integrity_problems(self) -> list[str]:
        """Every page's authentication code (SQLCipher) and SQLite's own structure check."""
        with self.raw_read() as con:
            return _integrity_problems(con)

    def integrity_ok(self) -> bool:
        try:
            return not self.integrity_problems()
        except (_dbapi().DatabaseError, StoreCorrupt):
            return False

    def check_integrity(self) -> None:
        # A busy or locked store (StoreLocked) is said as such by raw_read, never reported
        # as damaged: the user should wait, not restore a backup.
        try:
            problems = self.integrity_problems()
        except _dbapi().DatabaseError as exc:
            problems = [str(exc)]
        if problems:
            raise StoreCorrupt(
                f"The store {self.path} failed its integrity check ({problems[0]}). Nothing "
                "was changed. Restore the latest good backup: 'accessdesk restore FILE'."
            )


def _integrity_problems(con: Any) -> list[str]:
    problems = [str(r[0]) for r in con.execute("PRAGMA cipher_integrity_check")]
    rows = [str(r[0]) for r in con.execute("PRAGMA quick_check")]
    return problems + rows if rows != ["ok"] else problems


class _BackgroundCheck:
    """Store.check_integrity on a thread of its own (SQLite runs it without the GIL)."""

    def __init__(self, path: Path, key: StoreKey) -> None:
        self._con = connect_raw(path, key, check_same_thread=False)
        self._con.execute("PRAGMA query_only = ON")
        self._problems: list[str] = []
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="store-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._problems = _integrity_problems(self._con)
        except _dbapi().Error as exc:
            self._problems = [] if self._stopped else [str(exc)]
        finally:
            self._con.close()

    def done(self) -> bool:
        return not self._thread.is_alive()

    def result(self) -> list[str]:
        self._thread.join()
        return self._problems

    def stop(self) -> None:
        """Closing the store: end the check early (nothing depends on it any more)."""
        self._stopped = True
        if self._thread.is_alive():
            self._con.interrupt()
        self._thread.join()


def _install_sqlite_hooks(engine: Engine) -> None:
    from sqlalchemy import event

    _quiet_sqlcipher()

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


def _translate(exc: BaseException, path: Path) -> StoreError:
    """A driver error (SQLAlchemy's, or sqlcipher3's from a raw connection) in words."""
    orig = getattr(exc, "orig", exc)
    msg = str(orig).lower()
    if "locked" in msg or "busy" in msg:
        return StoreLocked(
            f"The store {path} is busy or locked by another program. Nothing was changed; "
            "try again in a moment, or close the other AccessDesk window."
        )
    if "disk is full" in msg or "disk i/o" in msg:
        return StoreError(f"Could not write to {path}: {orig}. Nothing was changed.")
    if "not a database" in msg or "malformed" in msg:
        return StoreCorrupt(
            f"The store {path} is damaged ({orig}). Nothing was changed. Restore the latest backup."
        )
    return StoreError(f"The store {path} could not be used: {orig}")
