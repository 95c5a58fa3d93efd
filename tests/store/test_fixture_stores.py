"""A store of every schema revision, written by the release of its time, opens with today's
code: the upgrade keeps every row, the audit trail still verifies, the data reads back.

The stores are in tests/fixtures/stores/ (how they were made: its README). Each test works
on a copy in tmp_path. Stores before security_1 were plain SQLite, which today's code
refuses without touching; re-written encrypted, they upgrade like the others.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from accessdesk_gui.resources_path import migrations_dir
from accessdesk_gui.services import audit_service, auth, denials, letters, requests
from accessdesk_gui.store import keys
from accessdesk_gui.store.copies import check_copy
from accessdesk_gui.store.db import Store, StoreNotEncrypted, connect_raw
from tests.fixtures.fixture_stores import (
    FIXTURE_KEY_HEX,
    PASSWORD,
    REVISIONS,
    copy_fixture,
    encrypt_plain,
    encrypted,
    fixture_file,
)

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory

KEY = keys.StoreKey("raw", FIXTURE_KEY_HEX)
TABLES = ("requests", "timeline_events", "users", "audit_log")
LATER_TABLES = {  # tables kept from the revision that made them
    "letters": "letterflow_1",
    "request_checklist_items": "drswiz_1",
    "denials": "denialflow_1",
    "review_requests": "denialflow_1",
    "login_state": "security_1",
}


def _scripts() -> ScriptDirectory:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return ScriptDirectory.from_config(cfg)


def _chain() -> list[str]:
    """Every revision of the shipped migrations, oldest first."""
    return [s.revision for s in reversed(list(_scripts().walk_revisions()))]


def test_every_schema_revision_has_its_store_in_chain_order() -> None:
    # A new migration needs its store: add a writer and a CHAIN entry in
    # tests/fixtures/make_stores.py / fixture_stores.py (the commit where it became the
    # head on main), then run 'python -m tests.fixtures.make_stores'.
    assert list(REVISIONS) == _chain()
    for revision in REVISIONS:
        assert fixture_file(revision).is_file(), revision


def _since(revision: str, first: str) -> bool:
    return REVISIONS.index(revision) >= REVISIONS.index(first)


def _tables(revision: str) -> list[str]:
    return [*TABLES, *(t for t, first in LATER_TABLES.items() if _since(revision, first))]


def _rows(con, table: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _snapshot(path: Path, key: keys.StoreKey, revision: str) -> dict[str, object]:
    """Row counts and the requests as the old release left them, read with bare SQL."""
    con = connect_raw(path, key)
    try:
        counts = {t: _rows(con, t) for t in _tables(revision)}
        people = con.execute("SELECT id, patient_name, status FROM requests ORDER BY id")
        version = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        return {"counts": counts, "requests": people.fetchall(), "revision": version}
    finally:
        con.close()


@pytest.mark.parametrize("revision", REVISIONS)
def test_a_store_of_each_revision_upgrades_keeping_its_rows_and_its_trail(
    revision: str, tmp_path: Path
) -> None:
    path = copy_fixture(revision, tmp_path / "office.sqlite")
    if not encrypted(revision):
        written = path.read_bytes()
        with pytest.raises(StoreNotEncrypted, match="Nothing was changed"):
            Store.open(path, key_provider=keys.FixedKeyProvider(KEY))
        assert path.read_bytes() == written
        path = encrypt_plain(path, tmp_path / "encrypted.sqlite")
    before = _snapshot(path, KEY, revision)
    assert before["revision"] == revision
    keys.save_key(path, KEY)  # as on the practice's PC: its key in the keyring

    store = Store.open(path)
    try:
        head = _scripts().get_current_head()
        assert store.current_revision() == head
        after = _snapshot(path, KEY, revision)
        upgraded = revision != head
        # Every row kept; the one new audit entry records the backup taken before upgrading.
        expected = dict(before["counts"])  # type: ignore[call-overload]
        expected["audit_log"] += int(upgraded)
        assert after["counts"] == expected
        assert after["requests"] == before["requests"]
        if upgraded:
            [copy] = (tmp_path / "backups").glob("*-before-upgrade.adbackup")
            check = check_copy(copy, KEY)
            assert check.ok and check.revision == revision, check.problems

        # The trail verifies (entries of every release since 0001, before the encryption
        # and after), and the data reads back through the services.
        actor = auth.login(store, "manager", PASSWORD)
        result = audit_service.verify(store, actor)
        assert result.ok, result.problem
        assert result.entries == expected["audit_log"] + 1  # the log-in
        for rid, name, status in before["requests"]:  # type: ignore[attr-defined]
            detail = requests.get_request(store, actor, rid)
            assert (detail.patient_name, detail.status.value) == (name, status)
        first = requests.get_request(store, actor, 1)
        assert first.patient_name == "Zoë Nguyễn-O'Brien"
        assert requests.get_request(store, actor, 2).patient_name == "李小梅 Testperson"
        if _since(revision, "letterflow_1"):
            [letter] = letters.list_letters(store, actor, 2)
            pdf = letters.original_pdf(store, actor, letter.id)
            assert hashlib.sha256(pdf).hexdigest() == letter.sha256
        if _since(revision, "denialflow_1"):
            denial = denials.get_denial(store, actor, 1)
            assert (denial.request_id, denial.extent.value) == (8, "partial")
        assert audit_service.verify(store, actor).ok
    finally:
        store.close()
