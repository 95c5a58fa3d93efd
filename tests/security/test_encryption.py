"""Encryption at rest: the key in the keyring, clear refusals, the recovery code."""

from __future__ import annotations

import shutil
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from accessdesk_gui.store import audit, keys
from accessdesk_gui.store.db import (
    Store,
    StoreKeyMissing,
    StoreKeyUnavailable,
    StoreNotEncrypted,
    StoreWrongKey,
    connect_raw,
)
from tests.keyring_backend import MemoryKeyring


def _seed(store: Store) -> None:
    with store.write() as s:
        audit.append(s, "admin", "request_received", "request", 1, None, {"patient": "Zoë"})


def test_new_store_is_encrypted_with_a_random_key_kept_in_the_keyring(tmp_path: Path) -> None:
    p = tmp_path / "a.sqlite"
    s = Store.open(p, create=True)
    _seed(s)
    with s.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA temp_store").scalar() == 2  # MEMORY
        assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    s.close()
    raw = p.read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    assert "Zoë".encode() not in raw and b"audit_log" not in raw
    key = keys.keyring_key(p)
    assert key.kind == "raw" and len(bytes.fromhex(key.secret)) == 32
    other = tmp_path / "b.sqlite"
    Store.open(other, create=True).close()
    assert keys.keyring_key(other).secret != key.secret
    assert "hidden" in repr(key) and key.secret not in repr(key)


def test_no_keyring_backend_refuses_and_names_the_choices(tmp_path: Path) -> None:
    keyring.set_keyring(fail.Keyring())
    p = tmp_path / "a.sqlite"
    with pytest.raises(StoreKeyUnavailable) as err:
        Store.open(p, create=True)
    msg = str(err.value)
    assert "No system keyring" in msg and "never falls back to plain text" in msg
    assert "set up a keyring" in msg and "--key-mode passphrase" in msg
    assert list(tmp_path.iterdir()) == []


def test_missing_key_is_not_called_a_wrong_key_and_touches_nothing(tmp_path: Path) -> None:
    p = tmp_path / "a.sqlite"
    s = Store.open(p, create=True)
    _seed(s)
    s.close()
    before = {f.name: f.read_bytes() for f in tmp_path.iterdir()}
    keyring.set_keyring(MemoryKeyring(shared=False))  # a new PC: empty keyring
    with pytest.raises(StoreKeyMissing, match="not in this computer's keyring") as err:
        Store.open(p)
    assert "accessdesk key restore" in str(err.value)
    assert "wrong" not in str(err.value).replace("not a wrong password", "")
    assert {f.name: f.read_bytes() for f in tmp_path.iterdir()} == before


def test_wrong_key_is_refused_with_its_cause_and_touches_nothing(tmp_path: Path) -> None:
    p = tmp_path / "a.sqlite"
    s = Store.open(p, create=True)
    _seed(s)
    s.close()
    before = {f.name: f.read_bytes() for f in tmp_path.iterdir()}
    wrong = keys.FixedKeyProvider(keys.StoreKey.raw(bytes(range(32))))
    with pytest.raises(StoreWrongKey, match="does not open"):
        Store.open(p, key_provider=wrong)
    assert {f.name: f.read_bytes() for f in tmp_path.iterdir()} == before


def test_a_plain_sqlite_file_is_refused_as_unencrypted(tmp_path: Path) -> None:
    import sqlite3

    p = tmp_path / "plain.sqlite"
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.close()
    with pytest.raises(StoreNotEncrypted, match="unencrypted"):
        Store.open(p)


def test_recovery_code_round_trip_and_typing_mistakes() -> None:
    key = keys.StoreKey.raw(bytes(range(100, 132)))
    code = keys.recovery_code(key)
    groups = code.split(" ")
    assert len(groups) == 14 and all(len(g) == 4 for g in groups)
    assert keys.parse_recovery_code(code) == key
    # Lower case, dashes and line breaks are fine.
    assert keys.parse_recovery_code(code.lower().replace(" ", "-", 5).replace(" ", "\n")) == key
    # One mistyped character is caught by the checksum, a missing group by the length.
    i = 7
    typo = code[:i] + ("A" if code[i] != "A" else "B") + code[i + 1 :]
    with pytest.raises(keys.BadRecoveryCode, match="mistyped"):
        keys.parse_recovery_code(typo)
    with pytest.raises(keys.BadRecoveryCode, match="14 groups"):
        keys.parse_recovery_code(" ".join(groups[:-1]))


def test_restoring_the_key_from_the_recovery_code_on_a_new_pc(tmp_path: Path) -> None:
    old_pc = tmp_path / "old" / "office.sqlite"
    s = Store.open(old_pc, create=True)
    _seed(s)
    s.close()
    code = keys.recovery_code(keys.keyring_key(old_pc))

    keyring.set_keyring(MemoryKeyring(shared=False))  # the new PC
    new_pc = tmp_path / "new" / "office.sqlite"
    new_pc.parent.mkdir()
    shutil.copy2(old_pc, new_pc)
    with pytest.raises(StoreKeyMissing):
        Store.open(new_pc)
    keys.save_key(new_pc, keys.parse_recovery_code(code))
    s = Store.open(new_pc)
    with s.read() as ses:
        assert audit.verify(ses).entries == 1
    s.close()


def test_passphrase_mode_is_explicit_and_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring.set_keyring(fail.Keyring())  # the reason a practice would choose it
    p = tmp_path / "a.sqlite"
    s = Store.open(
        p, create=True, key_provider=keys.PassphraseKeyProvider("a long practice passphrase")
    )
    _seed(s)
    s.close()
    assert keys.recorded_mode(p) == "passphrase"
    assert not p.read_bytes().startswith(b"SQLite format 3")
    monkeypatch.delenv(keys.PASSPHRASE_ENV, raising=False)
    with pytest.raises(StoreKeyMissing, match="practice passphrase"):
        Store.open(p)
    monkeypatch.setenv(keys.PASSPHRASE_ENV, "not the passphrase at all")
    with pytest.raises(StoreWrongKey):
        Store.open(p)
    monkeypatch.setenv(keys.PASSPHRASE_ENV, "a long practice passphrase")
    s = Store.open(p)
    with s.read() as ses:
        assert audit.verify(ses).entries == 1
    s.close()
    con = connect_raw(p)
    assert con.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 1
    con.close()


def test_a_passphrase_is_stretched_once_with_a_salt_per_store(tmp_path) -> None:
    from accessdesk_gui.store import keys
    from accessdesk_gui.store.db import Store, StoreWrongKey

    phrase = "our clinic passphrase, typed at start"
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    for p in (a, b):
        Store.open(p, create=True, key_provider=keys.PassphraseKeyProvider(phrase)).close()
        assert keys.recorded_mode(p) == "passphrase"
    key_a = keys.PassphraseKeyProvider(phrase).key_for(a, create=False)
    key_b = keys.PassphraseKeyProvider(phrase).key_for(b, create=False)
    # A raw key reaches SQLCipher (no KDF per connection), and the salt differs per store.
    assert key_a.kind == "raw" and key_b.kind == "raw" and key_a.secret != key_b.secret
    Store.open(a, key_provider=keys.PassphraseKeyProvider(phrase)).close()
    with pytest.raises(StoreWrongKey):
        Store.open(a, key_provider=keys.PassphraseKeyProvider(phrase + "!"))
