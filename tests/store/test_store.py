from pathlib import Path

import pytest
from sqlalchemy import text

from accessdesk_gui.store import audit, keys
from accessdesk_gui.store.db import (
    Store,
    StoreKeyMissing,
    StoreLocked,
    StoreMissing,
    StoreTooNew,
    StoreWrongKey,
    connect_raw,
)
from accessdesk_gui.store.migrations import head_revision


def test_new_store_is_migrated_to_head_in_wal_with_foreign_keys(tmp_path: Path) -> None:
    s = Store.open(tmp_path / "a.sqlite", create=True)
    assert s.current_revision() == head_revision()
    with s.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        indexes = {r[1] for r in c.exec_driver_sql("PRAGMA index_list(requests)")}
    assert "ix_requests_status_due" in indexes
    s.close()


def test_missing_store_is_not_created_silently(tmp_path: Path) -> None:
    with pytest.raises(StoreMissing, match="accessdesk init"):
        Store.open(tmp_path / "nope.sqlite")
    assert not (tmp_path / "nope.sqlite").exists()


def test_a_file_that_is_not_a_store_is_refused_untouched(tmp_path: Path) -> None:
    bogus = tmp_path / "x.sqlite"
    bogus.write_bytes(b"this is a letter, not a database" * 10)
    before = bogus.read_bytes()
    # No key for it: the message says the key is missing, not that a password is wrong.
    with pytest.raises(StoreKeyMissing, match=r"not in this computer's keyring.*Nothing was"):
        Store.open(bogus)
    # With a key at hand, the file does not open with it.
    keys.save_key(bogus, keys.StoreKey.raw(bytes(32)))
    with pytest.raises(StoreWrongKey, match=r"not an AccessDesk store.*Nothing was changed"):
        Store.open(bogus)
    assert bogus.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.sqlite"]


def test_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "a.sqlite"
    Store.open(p, create=True).close()
    con = connect_raw(p)
    con.execute("UPDATE alembic_version SET version_num='9999_future'")
    con.commit()
    con.close()
    with pytest.raises(StoreTooNew, match="newer AccessDesk"):
        Store.open(p)


def test_a_locked_store_gives_a_clear_message(tmp_path: Path, monkeypatch) -> None:
    import accessdesk_gui.store.db as db

    monkeypatch.setattr(db, "BUSY_TIMEOUT_S", 0.1)
    p = tmp_path / "a.sqlite"
    s = Store.open(p, create=True)
    other = connect_raw(p)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreLocked, match="busy or locked"), s.write() as ses:
            audit.append(ses, "u", "x", "e", 1)
    finally:
        other.execute("ROLLBACK")
        other.close()
    with s.read() as ses:
        assert audit.verify(ses).entries == 0
    s.close()


def test_audit_table_refuses_update_and_delete(store: Store) -> None:
    with store.write() as s:
        audit.append(s, "u", "x", "e", 1, None, {"a": 1})
    for sql in ("UPDATE audit_log SET username='evil'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), store.engine.begin() as c:
            c.execute(text(sql))
    with store.read() as s:
        assert audit.verify(s).ok


def test_backup_is_a_consistent_copy(store: Store, tmp_path: Path) -> None:
    with store.write() as s:
        audit.append(s, "u", "x", "e", 1)
    copy = store.backup(tmp_path / "copy.sqlite")
    assert b"SQLite format 3" not in copy.read_bytes()[:16]  # encrypted like the store
    con = connect_raw(copy, keys.keyring_key(store.path))
    assert con.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 1
    con.close()


def test_a_locked_store_is_not_reported_as_damaged(tmp_path: Path, monkeypatch) -> None:
    """The integrity check meeting another program's lock says "busy", not "restore"."""
    import accessdesk_gui.store.db as db

    s = Store.open(tmp_path / "a.sqlite", create=True)

    def locked(_con: object) -> list[str]:
        raise db._dbapi().OperationalError("database is locked")

    monkeypatch.setattr(db, "_integrity_problems", locked)
    with pytest.raises(StoreLocked, match="busy or locked"):
        s.check_integrity()
    monkeypatch.undo()
    s.check_integrity()  # free again: passes
    s.close()
