"""Backups: encrypted, verified, rotated; restore checks first; disk full changes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from accessdesk_gui.services import audit_service, backups, requests
from accessdesk_gui.store import keys
from accessdesk_gui.store.db import Store
from accessdesk_gui.store.models import AccessRequest, AuditEntry
from tests.conftest import make_intake

NOW = dt.datetime(2026, 3, 2, 9, 30, 0)


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def _seed(store: Store, desk, n: int = 3) -> list[int]:
    return [
        requests.log_request(
            store, desk, make_intake(patient_name=f"Backup Person {i}"), dt.date(2026, 2, 1)
        )
        for i in range(n)
    ]


def test_backup_is_encrypted_checked_anchored_and_audited(store, admin, desk, tmp_path) -> None:
    _seed(store, desk)
    folder = tmp_path / "usb"
    backups.set_backup_folder(store, admin, folder)
    info = backups.backup(store, desk)
    assert info.path.parent == folder and info.path.exists()
    assert b"SQLite format 3" not in info.path.read_bytes()[:16]
    assert b"Backup Person" not in info.path.read_bytes()
    man = json.loads((folder / (info.path.name + ".json")).read_text())
    assert man["audit_entries"] == info.entries and man["audit_head_hash"] == info.head_hash
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []
    with store.read() as s:
        last = s.execute(
            select(AuditEntry.username, AuditEntry.action).order_by(AuditEntry.seq.desc())
        ).first()
    assert tuple(last) == ("desk", "backup_made")


def test_daily_backup_is_taken_once_a_day(store, admin, tmp_path) -> None:
    backups.set_backup_folder(store, admin, tmp_path / "b")
    assert backups.backup_if_due(store, "admin", NOW) is not None
    assert backups.backup_if_due(store, "admin", NOW + dt.timedelta(hours=3)) is None
    assert backups.backup_if_due(store, "admin", NOW + dt.timedelta(days=1)) is not None
    assert len(backups.list_backups(tmp_path / "b")) == 2


def test_rotation_keeps_7_daily_4_weekly_12_monthly() -> None:
    now = dt.datetime(2026, 12, 31, 12, 0)
    times = [now - dt.timedelta(days=d) for d in range(500)]  # one backup a day
    kept = backups.keep(times, now)
    days = {t.date() for t in kept}
    # The last 7 days are all there.
    assert all((now - dt.timedelta(days=d)).date() in days for d in range(7))
    # One per week for the last 4 weeks, one per month for the last 12 months.
    assert len({tuple(t.isocalendar())[:2] for t in kept}) >= 4
    months = {(t.year, t.month) for t in kept}
    assert len(months) == 12 and (2026, 1) in months and (2025, 12) not in months
    assert len(kept) <= 7 + 4 + 12


def test_rotation_deletes_only_what_it_does_not_keep(store, admin, tmp_path) -> None:
    folder = tmp_path / "b"
    backups.set_backup_folder(store, admin, folder)
    for d in range(10):
        backups.backup_now(store, "admin", folder, NOW + dt.timedelta(days=d))
    # Ten days from a Monday: the last 7 days stay; the Sunday before is also its week's.
    kept = [t.date() for t, _ in backups.list_backups(folder)]
    assert kept == [(NOW + dt.timedelta(days=d)).date() for d in range(3, 10)]
    (folder / "my-own-notes.txt").write_text("not ours")
    backups.rotate(folder, NOW + dt.timedelta(days=60))
    assert (folder / "my-own-notes.txt").exists()


def test_restore_checks_the_copy_first_and_keeps_the_replaced_store(
    store, admin, desk, tmp_path
) -> None:
    _seed(store, desk, 2)
    folder = tmp_path / "b"
    good = backups.backup_now(store, "admin", folder, NOW)
    _seed(store, desk, 1)  # a later change the restore will take back
    store.close()
    res = backups.restore(
        store.path, good.path, "admin", now=NOW + dt.timedelta(hours=1), actor=admin
    )
    assert res.safety_copy is not None and res.safety_copy.exists()
    s = Store.open(store.path)
    with s.read() as ses:
        assert ses.scalar(select(AccessRequest.id).order_by(AccessRequest.id.desc())) == 2
        acts = [e.action for e in ses.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
    assert acts[-1] == "store_restored"
    s.close()


def test_a_damaged_backup_is_refused_and_nothing_is_replaced(store, admin, desk, tmp_path) -> None:
    _seed(store, desk, 2)
    good = backups.backup_now(store, "admin", tmp_path / "b", NOW)
    bad = tmp_path / "bad.adbackup"
    data = bytearray(good.path.read_bytes())
    data[len(data) // 2] ^= 0x55
    bad.write_bytes(bytes(data))
    store.close()
    before = store.path.read_bytes()
    with pytest.raises(backups.BackupFailed, match=r"was not restored.*Nothing was changed"):
        backups.restore(store.path, bad, "admin", actor=admin)
    assert store.path.read_bytes() == before
    # Another store's backup does not open with this store's key.
    other = Store.open(tmp_path / "other.sqlite", create=True)
    foreign = backups.backup_now(other, "x", tmp_path / "o", NOW)
    other.close()
    with pytest.raises(backups.BackupFailed, match="does not open with this store's key"):
        backups.restore(store.path, foreign.path, "admin", actor=admin)
    assert store.path.read_bytes() == before


def test_verify_finds_a_cut_off_tail_against_the_latest_backup(store, admin, desk, tmp_path):
    _seed(store, desk, 3)
    backups.set_backup_folder(store, admin, tmp_path / "b")
    info = backups.backup(store, admin)
    assert audit_service.verify(store, admin).ok
    # Someone with the key removes the last entries (dropping the guard trigger first).
    from accessdesk_gui.store.db import connect_raw

    con = connect_raw(store.path)
    con.execute("DROP TRIGGER audit_log_no_delete")
    con.execute("DELETE FROM audit_log WHERE seq > ?", (info.entries - 2,))
    con.close()
    res = audit_service.verify(store, admin)
    assert not res.ok and "removed" in res.problem and res.first_bad_seq == info.entries - 1


posix_only = pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")


def _child(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.security.child", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
        check=False,
    )


@posix_only
def test_disk_full_during_a_backup_changes_nothing(store, admin, desk, tmp_path) -> None:
    _seed(store, desk, 40)
    folder = tmp_path / "b"
    backups.backup_now(store, "admin", folder, NOW)
    earlier = _digest(folder)
    size = store.path.stat().st_size
    store.close()
    r = _child("fsize-backup", str(store.path), str(folder), str(size // 2))
    assert r.returncode == 2, r.stdout + r.stderr
    assert "REFUSED" in r.stdout and "The store and earlier" in r.stdout
    assert _digest(folder) == earlier  # earlier backup untouched, no half copy left
    s = Store.open(store.path)
    assert s.integrity_ok()
    assert audit_service.check_against_anchors(s, _verify(s)).ok
    s.close()


def _verify(s: Store):
    from accessdesk_gui.store import audit

    with s.read() as ses:
        return audit.verify(ses)


@posix_only
def test_disk_full_during_writes_keeps_every_committed_request(store, desk, tmp_path) -> None:
    _seed(store, desk, 1)
    store.close()
    limit = store.path.stat().st_size + 64 * 1024
    r = _child("fsize-write", str(store.path), str(limit))
    assert r.returncode == 2, r.stdout + r.stderr
    assert "REFUSED" in r.stdout and "Nothing was changed" in r.stdout
    committed = [int(line.split()[1]) for line in r.stdout.splitlines() if "COMMITTED" in line]
    assert committed
    s = Store.open(store.path, key_provider=keys.KeyringKeyProvider())
    assert s.integrity_ok()
    with s.read() as ses:
        ids = set(ses.scalars(select(AccessRequest.id)))
    assert set(committed) <= ids
    assert _verify(s).ok
    s.close()


def test_only_the_privacy_officer_may_replace_a_store(store, admin, desk, tmp_path) -> None:
    from accessdesk_gui.services.errors import PermissionDenied

    _seed(store, desk, 1)
    good = backups.backup_now(store, "admin", tmp_path / "b", NOW)
    check = backups.check_backup(good.path, store.key)
    assert check.ok and check.entries == good.entries and check.reason == "manual"
    store.close()
    before = store.path.read_bytes()
    for who in (desk, None):
        with pytest.raises(PermissionDenied):
            backups.restore(store.path, good.path, "desk", actor=who)
    assert store.path.read_bytes() == before


def test_restoring_the_open_store_closes_it_and_checks_with_its_own_key(
    store, admin, desk, tmp_path
) -> None:
    # The settings dialog's path: the store is open in the app, which holds its lock.
    _seed(store, desk, 2)
    good = backups.backup_now(store, "admin", tmp_path / "b", NOW)
    _seed(store, desk, 1)
    res = backups.restore(store, good.path, "admin", actor=admin, now=NOW)
    assert res.restored == store.path and res.safety_copy is not None
    s = Store.open(store.path)
    with s.read() as ses:
        assert ses.scalar(select(func.count(AccessRequest.id))) == 2
    s.close()


def test_a_restore_from_the_command_line_is_refused_while_the_store_is_open(
    store, admin, tmp_path
) -> None:
    from accessdesk_gui.store.lock import InstanceLock, StoreInUse

    good = backups.backup_now(store, "admin", tmp_path / "b", NOW)
    store.close()
    before = store.path.read_bytes()
    with (
        InstanceLock.acquire(store.path, "desk (command line)"),
        pytest.raises(StoreInUse, match=r"desk \(command line\)"),
    ):
        backups.restore(store.path, good.path, "admin", actor=admin, lock_as="admin")
    assert store.path.read_bytes() == before
    backups.restore(store.path, good.path, "admin", actor=admin, lock_as="admin")
    InstanceLock.take(store.path, "next").release()  # the restore let go of the store
