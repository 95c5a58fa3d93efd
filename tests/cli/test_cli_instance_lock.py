"""Only one AccessDesk writes to a store at a time: commands that write take the app's lock;
commands that only read (list, show, verify) still run while the app has the store open."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from accessdesk_gui.cli.common import READ_ONLY
from accessdesk_gui.cli.main import main
from tests.conftest import PASSWORD

HOLDER = (
    "import sys; from pathlib import Path\n"
    "from accessdesk_gui.store.lock import InstanceLock\n"
    "lock = InstanceLock.take(Path(sys.argv[1]), 'mia')\n"
    "print('held', flush=True)\n"
    "sys.stdin.read()\n"
)


@pytest.fixture
def app_holds_store(store, admin) -> Iterator[Path]:
    """Another process (the app, with Mia logged in) has the store open."""
    p = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store.path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert p.stdout is not None and p.stdout.readline().strip() == "held"
    yield store.path
    assert p.stdin is not None
    p.stdin.close()
    p.wait(timeout=30)
    p.stdout.close()


def _run(db: Path, *args: str) -> int:
    return main([*args, "--db", str(db), "--user", "admin"])


ADD = ["request", "add", "--patient", "Zoë Lockwood", "--dob", "1970-01-02"]
ADD += ["--received", "2026-03-02", "--scope", "All records"]


def test_writing_commands_are_refused_naming_who_has_the_store(
    app_holds_store: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("ACCESSDESK_PASSWORD", PASSWORD)
    db = app_holds_store
    for args in (
        ADD,
        ["backup"],
        ["settings", "lock-minutes", "5"],
        ["account", "unlock", "admin"],
    ):
        assert _run(db, *args) == 2, args
        err = capsys.readouterr().err
        assert "open in AccessDesk by mia" in err and "Nothing was changed" in err, args
    # Reading alongside the app is fine.
    assert _run(db, "request", "list") == 0
    assert _run(db, "audit", "verify") == 0
    assert _run(db, "user", "list") == 0
    assert "Zoë" not in capsys.readouterr().out  # the refused add really added nothing


def test_a_writing_command_runs_once_the_app_has_closed(store, admin, monkeypatch, capsys):
    monkeypatch.setenv("ACCESSDESK_PASSWORD", PASSWORD)
    assert _run(store.path, *ADD) == 0
    assert _run(store.path, *ADD) == 0  # the lock was released when the first one ended
    assert _run(store.path, "request", "list") == 0
    assert capsys.readouterr().out.count("Zoë Lockwood") == 2


def test_every_read_only_name_is_a_real_command() -> None:
    for name in READ_ONLY:
        module, handler = name.split(".")
        mod = importlib.import_module(f"accessdesk_gui.cli.{module}")
        assert callable(getattr(mod, handler)), name
