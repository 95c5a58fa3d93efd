"""Opening a store that is already at head does not import Alembic (start-up time)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from accessdesk_gui.store.db import Store
from accessdesk_gui.store.migrations import head_revision, quick_heads


def test_quick_heads_agree_with_alembic() -> None:
    assert quick_heads() == {head_revision()}


def test_a_store_at_head_opens_without_alembic(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    Store.open(path, create=True).close()
    code = (
        "import sys; from accessdesk_gui.store.db import Store; "
        f"s = Store.open({str(path)!r}); s.close(); print('alembic' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"


def test_quick_heads_gives_up_on_scripts_it_cannot_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "x_1.py").write_text("revision = make_revision()\ndown_revision = '0001'\n")
    monkeypatch.setattr("accessdesk_gui.store.migrations.migrations_dir", lambda: tmp_path)
    assert quick_heads() is None  # so the store asks Alembic instead


def test_migration_files_sort_in_chain_order() -> None:
    # Reading db/versions/ in name order is reading the schema's history in order.
    from accessdesk_gui.resources_path import migrations_dir
    from accessdesk_gui.store.migrations import _REVISION_LINE

    scripts = sorted(p for p in (migrations_dir() / "versions").glob("*.py") if p.stem[0] != "_")
    parent = None
    for script in scripts:
        found = {m[1]: m[2].strip("'\"") for m in _REVISION_LINE.finditer(script.read_text())}
        assert found["down_revision"] == (parent or "None"), script.name
        parent = found["revision"]
    assert {parent} == quick_heads()
