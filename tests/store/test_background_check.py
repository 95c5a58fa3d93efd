"""The integrity check can run while the user logs in; a damaged store is still never written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from accessdesk_gui.services import requests
from accessdesk_gui.store import keys
from accessdesk_gui.store.db import Store, StoreCorrupt
from tests.conftest import make_intake


def _damaged_copy(store: Store, desk, tmp_path: Path) -> tuple[Path, keys.FixedKeyProvider]:
    """A store whose last page is damaged: page 1 and the schema still read fine."""
    for i in range(30):
        requests.log_request(
            store, desk, make_intake(patient_name=f"Check Test {i}"), dt.date(2026, 2, 1)
        )
    key = store.key
    store.close()
    data = bytearray(store.path.read_bytes())
    data[len(data) - 2000] ^= 0x5A
    copy = tmp_path / "damaged.sqlite"
    copy.write_bytes(bytes(data))
    return copy, keys.FixedKeyProvider(key)


def test_a_damaged_store_opened_with_a_background_check_refuses_every_write(
    store, desk, tmp_path
) -> None:
    copy, provider = _damaged_copy(store, desk, tmp_path)
    with pytest.raises(StoreCorrupt):
        Store.open(copy, key_provider=provider)  # the check in the foreground, as before
    before = copy.read_bytes()
    s = Store.open(copy, key_provider=provider, check="background")
    try:
        with pytest.raises(StoreCorrupt, match="Restore the latest good backup"):
            requests.log_request(s, desk, make_intake(patient_name="Zoë Never"))
        with pytest.raises(StoreCorrupt):
            s.backup(tmp_path / "copy.sqlite")
        assert not s.check_pending()
    finally:
        s.close()
    assert copy.read_bytes() == before
    assert not (tmp_path / "copy.sqlite").exists()


def test_a_sound_store_opened_with_a_background_check_works_as_usual(store, desk) -> None:
    requests.log_request(store, desk, make_intake(patient_name="Nguyễn Before"))
    key = store.key
    store.close()
    s = Store.open(store.path, key_provider=keys.FixedKeyProvider(key), check="background")
    try:
        rid = requests.log_request(s, desk, make_intake(patient_name="O'Brien After"))
        assert requests.get_request(s, desk, rid).patient_name == "O'Brien After"
    finally:
        s.close()


def test_closing_the_store_ends_a_running_check(store) -> None:
    key = store.key
    store.close()
    s = Store.open(store.path, key_provider=keys.FixedKeyProvider(key), check="background")
    s.close()  # returns at once; the check's connection is closed with it
    assert not s.check_pending()
