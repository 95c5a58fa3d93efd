"""Tamper detection: any change to the stored chain is found and the entry named."""

from pathlib import Path
from typing import Any

import pytest

from accessdesk_gui.store import audit
from accessdesk_gui.store.db import Store, connect_raw


def _seed(store: Store, n: int = 5) -> None:
    for i in range(n):
        with store.write() as s:
            audit.append(s, "admin", "request_received", "request", i, None, {"n": i})


def _raw(store: Store) -> Any:
    con = connect_raw(store.path)
    # Tampering happens outside the app: drop our triggers the way an attacker would.
    con.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    con.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    return con


def _verify(store: Store) -> audit.VerifyResult:
    with store.read() as s:
        return audit.verify(s)


def test_intact_chain_verifies(store: Store) -> None:
    _seed(store)
    res = _verify(store)
    assert res.ok and res.entries == 5 and res.first_bad_seq is None


@pytest.mark.parametrize(
    "column",
    [
        "recorded_at",
        "username",
        "action",
        "entity",
        "entity_id",
        "before",
        "after",
        "patient_ref",
        "event_at",
    ],
)
def test_changed_field_is_detected_at_that_entry(store: Store, column: str) -> None:
    _seed(store)
    con = _raw(store)
    con.execute(f"UPDATE audit_log SET {column} = {column} || 'x' WHERE seq = 3")
    con.close()
    res = _verify(store)
    assert not res.ok and res.first_bad_seq == 3 and "changed" in res.problem


def test_deleted_entry_is_detected(store: Store) -> None:
    _seed(store)
    con = _raw(store)
    con.execute("DELETE FROM audit_log WHERE seq = 2")
    con.close()
    res = _verify(store)
    assert not res.ok and res.first_bad_seq == 3


def test_recomputed_hash_still_breaks_the_link(store: Store) -> None:
    _seed(store)
    con = _raw(store)
    row = con.execute(
        "SELECT prev_hash, seq, recorded_at, username, action, entity, entity_id, before, after, "
        "patient_ref, event_at FROM audit_log WHERE seq = 2"
    ).fetchone()
    forged = audit.entry_hash(row[0], row[1], row[2], "mallory", *row[4:])
    con.execute("UPDATE audit_log SET username='mallory', hash=? WHERE seq=2", (forged,))
    con.close()
    res = _verify(store)
    assert not res.ok and res.first_bad_seq == 3 and "does not follow" in res.problem


def test_reordered_entries_are_detected(store: Store) -> None:
    _seed(store)
    con = _raw(store)
    con.execute("UPDATE audit_log SET seq = -1 WHERE seq = 2")
    con.execute("UPDATE audit_log SET seq = 2 WHERE seq = 3")
    con.execute("UPDATE audit_log SET seq = 3 WHERE seq = -1")
    con.close()
    res = _verify(store)
    assert not res.ok and res.first_bad_seq is not None


def test_inserted_entry_is_detected(store: Store, tmp_path: Path) -> None:
    _seed(store, 2)
    con = _raw(store)
    con.execute(
        "INSERT INTO audit_log (seq, recorded_at, username, action, entity, entity_id, before, "
        "after, prev_hash, hash) VALUES (3, 'x', 'm', 'a', 'e', '1', '{}', '{}', 'bad', 'bad')"
    )
    con.close()
    res = _verify(store)
    assert not res.ok and res.first_bad_seq == 3


def test_entries_written_before_the_e2147_fields_still_verify(store: Store) -> None:
    """Entries from before migration security_1 have no patient_ref/event_at and hash as then."""
    con = _raw(store)
    prev = audit.GENESIS
    for seq in (1, 2):
        args = (prev, seq, f"2026-01-0{seq}T00:00:00", "admin", "login", "user", "1", "{}", "{}")
        h = audit.entry_hash(*args)
        con.execute(
            "INSERT INTO audit_log (seq, recorded_at, username, action, entity, entity_id, "
            "before, after, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (*args[1:], prev, h),
        )
        prev = h
    con.close()
    with store.write() as s:
        e = audit.append(s, "admin", "request_viewed", "request", 7, patient_ref="request:7")
        assert e.event_at == e.recorded_at
    res = _verify(store)
    assert res.ok and res.entries == 3
