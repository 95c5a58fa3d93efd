"""Upgrading a store: a copy first, then the migration; data kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import accessdesk_gui.store.db as db
from accessdesk_gui.resources_path import migrations_dir
from accessdesk_gui.store import keys
from accessdesk_gui.store.db import Store, connect_raw

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
        NEXT.format(head=db.head_revision()), encoding="utf-8"
    )
    monkeypatch.setattr(db, "migrations_dir", lambda: scripts)
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
    copies = list(tmp_path.glob("office.before-9000_test_next-*.sqlite"))
    assert len(copies) == 1
    old = connect_raw(copies[0], keys.keyring_key(path))
    assert old.execute("SELECT version_num FROM alembic_version").fetchone()[0] != "9000_test_next"
    assert old.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 1
    old.close()
    with s1.read() as s:
        assert audit.verify(s).entries == 1
    s1.close()


def _open_with_shipped(path: Path) -> Store:
    saved = db.migrations_dir
    db.migrations_dir = migrations_dir
    try:
        return Store.open(path, create=True)
    finally:
        db.migrations_dir = saved
