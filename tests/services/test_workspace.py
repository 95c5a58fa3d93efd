"""open_workspace: the one start-up path of the app and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accessdesk_gui.services.errors import AuthenticationFailed
from accessdesk_gui.services.workspace import (
    KeyMode,
    StoreInUse,
    StoreMissing,
    StoreWrongKey,
    key_mode,
    open_workspace,
)
from accessdesk_gui.store.lock import lock_path
from tests.conftest import PASSWORD

PHRASE = "our long practice passphrase"


def _holder(path: Path) -> str:
    return str(json.loads(lock_path(path).read_text("utf-8"))["user"])


def test_without_a_path_the_store_is_the_default_one(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ACCESSDESK_DB", str(tmp_path / "office" / "default.sqlite"))
    with open_workspace(create=True) as ws:
        assert ws.path == tmp_path / "office" / "default.sqlite"
        assert ws.lock is None  # nobody said they would write
    assert ws.path.exists()


def test_a_writer_holds_the_store_and_the_next_is_told_who(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with pytest.raises(StoreMissing):
        open_workspace(path, lock_as="ann (command line)")
    assert not lock_path(path).exists()  # no lock for a store that is not there
    first = open_workspace(path, create=True, lock_as="ann (command line)")
    with pytest.raises(StoreInUse, match=r"by ann \(command line\)"):
        open_workspace(path, lock_as="bob (command line)")
    open_workspace(path).close()  # a reader needs no lock
    first.close()
    open_workspace(path, lock_as="bob (command line)").close()


def test_a_passphrase_store_asks_for_it_and_a_failure_lets_the_lock_go(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    open_workspace(path, create=True, lock_as="x", passphrase=PHRASE).close()
    assert key_mode(path) is KeyMode.PASSPHRASE
    asked: list[int] = []

    def wrong() -> str:
        asked.append(1)
        return "not the practice passphrase at all"

    with pytest.raises(StoreWrongKey):
        open_workspace(path, lock_as="x", ask_passphrase=wrong)
    assert asked == [1]
    with open_workspace(path, lock_as="y", ask_passphrase=lambda: PHRASE) as ws:
        assert _holder(path) == "y"
        assert ws.store.key.kind == "raw"  # derived once, not stretched per connection


def test_logging_in_names_the_user_to_the_next_one(store, admin) -> None:
    store.close()
    with pytest.raises(AuthenticationFailed):
        open_workspace(store.path, lock_as="(logging in)", username="admin", password="nope")
    ws = open_workspace(
        store.path, lock_as="(logging in)", username="admin", password=lambda: PASSWORD
    )
    assert ws.actor is not None and ws.actor.username == "admin"
    assert _holder(store.path) == "(logging in)"
    ws.hold_for(ws.actor)
    with pytest.raises(StoreInUse, match="by admin on"):
        open_workspace(store.path, lock_as="someone else")
    ws.close()
    open_workspace(store.path, lock_as="someone else").close()
