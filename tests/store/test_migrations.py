"""Upgrading a store: a copy first, then the migration; data kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import accessdesk_gui.store.migrations as migrations
from accessdesk_gui.resources_path import migrations_dir
from accessdesk_gui.store import keys
from accessdesk_gui.store.db import Store, StoreError, connect_raw

NEXT = """
from alembic import op
import sqlalchemy as sa

revision = "9000_test_next"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("test_extra", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("test_extra")
"""


@pytest.fixture
def newer_scripts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped migrations plus one more, as the next release would have."""
    scripts = tmp_path / "scripts"
    shutil.copytree(migrations_dir(), scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9000_test_next.py").write_text(
        NEXT.format(head=migrations.head_revision()), encoding="utf-8"
    )
    monkeypatch.setattr(migrations, "migrations_dir", lambda: scripts)
    return scripts


def test_upgrade_copies_the_store_first_and_keeps_data(tmp_path: Path, newer_scripts) -> None:
    from accessdesk_gui.store import audit

    path = tmp_path / "office.sqlite"
    # A store made by the current release, holding one audit entry.
    s0 = _open_with_shipped(path)
    with s0.write() as s:
        audit.append(s, "admin", "x", "e", 1)
    s0.close()

    s1 = Store.open(path)
    assert s1.current_revision() == "9000_test_next"
    # No backup folder chosen: the verified copy goes to the backups folder beside the store.
    copies = list((tmp_path / "backups").glob("accessdesk-*-before-upgrade.adbackup"))
    assert len(copies) == 1
    old = connect_raw(copies[0], keys.keyring_key(path))
    assert old.execute("SELECT version_num FROM alembic_version").fetchone()[0] != "9000_test_next"
    assert old.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 1
    old.close()
    with s1.read() as s:
        result = audit.verify(s)
        assert result.ok and result.entries == 2  # the entry and the backup's own
    s1.close()


def test_the_copy_before_an_upgrade_is_a_verified_backup_in_the_chosen_folder(
    tmp_path: Path, newer_scripts
) -> None:
    import datetime as dt
    import json

    from accessdesk_gui.services import auth, backups, practice
    from accessdesk_gui.store import audit
    from accessdesk_gui.store.copies import check_copy

    path = tmp_path / "office.sqlite"
    usb = tmp_path / "usb"
    s0 = _open_with_shipped(path)
    admin = practice.set_up(
        s0,
        practice.PracticeInfo("Clinic", "1 Main St", "555-010-0100", "OR"),
        "admin",
        "Ada Admin",
        "correct horse battery",
    )
    backups.set_backup_folder(s0, admin, usb)
    with s0.read() as s:
        before = audit.verify(s)
    s0.close()

    s1 = Store.open(path)
    [copy] = list(usb.glob("*.adbackup"))
    assert backups.is_pre_upgrade(copy)
    assert not (tmp_path / "backups").exists() and not list(tmp_path.glob("*.sqlite.*"))
    manifest = json.loads(copy.with_name(copy.name + ".json").read_text(encoding="utf-8"))
    assert manifest["reason"] == "before-upgrade"
    assert manifest["upgrading_to"] == "9000_test_next"
    assert (manifest["audit_entries"], manifest["audit_head_hash"]) == (
        before.entries,
        before.head_hash,
    )
    check = check_copy(copy, s1.key)
    assert check.ok and check.revision == manifest["schema"] != "9000_test_next"
    # Its audit head is anchored in the store, and the backup is in the audit log.
    anchor = backups.latest_anchor(s1)
    assert anchor is not None and anchor.note == copy.name
    assert anchor.head_hash == before.head_hash
    with s1.read() as s:
        assert audit.verify(s).ok
    # A verified restore accepts it (manifest and chain agree).
    auth.login(s1, "admin", "correct horse battery")
    s1.close()

    # Rotation leaves it alone for a year, even with many newer daily backups.
    taken = backups.list_backups(usb)[0][0]
    s2 = Store.open(path)
    for day in range(1, 60):
        backups.backup_now(s2, "admin", usb, taken + dt.timedelta(days=day), reason="daily")
    assert copy.exists()
    backups.rotate(usb, taken + dt.timedelta(days=31 * 12 - 1))
    assert copy.exists()
    backups.rotate(usb, taken + dt.timedelta(days=31 * 12 + 1))
    assert not copy.exists()
    s2.close()


def test_no_upgrade_without_the_copy_first(tmp_path: Path, newer_scripts) -> None:
    path = tmp_path / "office.sqlite"
    _open_with_shipped(path).close()
    (tmp_path / "backups").write_text("a file where the folder should be", encoding="utf-8")
    with pytest.raises(StoreError, match="not upgraded"):
        Store.open(path)
    raw = connect_raw(path, keys.keyring_key(path))
    assert raw.execute("SELECT version_num FROM alembic_version").fetchone()[0] != "9000_test_next"
    raw.close()


def _open_with_shipped(path: Path) -> Store:
    saved = migrations.migrations_dir
    migrations.migrations_dir = migrations_dir
    try:
        return Store.open(path, create=True)
    finally:
        migrations.migrations_dir = saved


def test_state_1_upgrades_a_queue_4_store_in_place(tmp_path: Path) -> None:
    """state_1 adds the benefit-claim columns without copying the table, so the requests
    logged before it keep their rows and the retention trigger still guards them."""
    from alembic import command
    from sqlalchemy import text

    from accessdesk_gui.services import practice, requests
    from tests.conftest import PASSWORD, make_intake

    path = tmp_path / "office.sqlite"
    s0 = _open_with_shipped(path)
    admin = practice.set_up(
        s0, practice.PracticeInfo("Clinic", "1 Main St", "555-010-0199", "OR"), "admin",
        "Ada Admin", PASSWORD,
    )  # fmt: skip
    rid = requests.log_request(s0, admin, make_intake())
    with s0.engine.begin() as conn:
        command.downgrade(migrations.alembic_config(conn), "queue_4")
    with s0.engine.connect() as conn:
        cols = {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(requests)")}
        assert "benefit_claim" not in cols
    s0.close()

    s1 = _open_with_shipped(path)  # upgrades again, after its copy
    assert s1.current_revision() == "state_1"
    with s1.read() as s:
        row = s.execute(
            text("SELECT benefit_claim, earlier_copy FROM requests WHERE id = :i"), {"i": rid}
        ).one()
        assert tuple(row) == (0, 0)
        triggers = s.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        ).scalars()
        assert {"requests_no_delete", "rule_verifications_no_delete"} <= set(triggers)
    assert requests.get_request(s1, admin, rid).id == rid
    s1.close()
