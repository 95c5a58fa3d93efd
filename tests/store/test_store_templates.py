"""The test fixtures' store templates (tests/conftest.py) give what the slow way gives.

Tests copy a store migrated (and set up) once per session instead of creating one each;
these check a copy is the same store as ``Store.open(create=True)`` and the set-up would
make, private, with its own keyring entry, so no test sees another's data.
"""

from __future__ import annotations

import stat
from pathlib import Path

from accessdesk_gui.services import auth, practice
from accessdesk_gui.store import keys
from accessdesk_gui.store.db import Store, connect_raw
from tests.conftest import PASSWORD, STANDARD_PRACTICE, Role

_VOLATILE = {"created_at", "recorded_at", "event_at", "hash", "prev_hash", "password_hash"}


def _contents(store: Store) -> tuple[set[tuple[str, str, str]], dict[str, list[tuple]]]:
    """The schema, and every table's rows without the columns that differ run to run."""
    con = connect_raw(store.path, store.key)
    try:
        schema = set(con.execute("SELECT type, name, sql FROM sqlite_master").fetchall())
        tables = [n for t, n, _sql in schema if t == "table" and not n.startswith("sqlite_")]
        rows = {}
        for table in sorted(tables):
            cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
            keep = ", ".join(c for c in cols if c not in _VOLATILE) or "1"
            rows[table] = con.execute(f"SELECT {keep} FROM {table} ORDER BY 1").fetchall()
        return schema, rows
    finally:
        con.close()


def test_a_template_copy_is_the_store_that_creating_one_makes(store, tmp_path: Path) -> None:
    fresh = Store.open(tmp_path / "fresh" / "store.sqlite", create=True)
    try:
        assert _contents(store) == _contents(fresh)
    finally:
        fresh.close()
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert keys.keyring_key(store.path) == store.key  # its own entry, by its own path
    assert not list(tmp_path.glob("store.sqlite.*"))  # no mode file: a keyring store


def test_the_set_up_template_holds_what_the_fixtures_would_add(
    store, admin, desk, tmp_path: Path
) -> None:
    fresh = Store.open(tmp_path / "fresh" / "store.sqlite", create=True)
    try:
        made = practice.set_up(fresh, STANDARD_PRACTICE, "admin", "Ada Admin", PASSWORD)
        made_desk = auth.add_user(fresh, made, "desk", "Dee Desk", PASSWORD, {Role.FRONT_DESK})
        assert (admin, desk) == (made, made_desk)
        assert _contents(store) == _contents(fresh)
    finally:
        fresh.close()
    assert auth.login(store, "desk", PASSWORD) == desk


def test_each_test_gets_a_store_of_its_own(store, admin, store_templates) -> None:
    auth.add_user(store, admin, "only_here", "Only Here", PASSWORD, {Role.FRONT_DESK})
    again, _ = store_templates.copy("admin", store.path.with_name("second.sqlite"))
    try:
        names = {u.username for u in auth.list_users(again, admin)}
        assert names == {"admin"}
    finally:
        again.close()
