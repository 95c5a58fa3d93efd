"""Damage is never read silently, and a killed writer loses nothing it committed."""

from __future__ import annotations

import datetime as dt
import os
import random
import select as selectmod
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from accessdesk_gui.services import requests
from accessdesk_gui.store import audit, keys
from accessdesk_gui.store.db import Store, StoreError
from accessdesk_gui.store.models import AccessRequest
from tests.conftest import make_intake

FLIPS = 200
KILLS = 50


def _seed(store: Store, desk, n: int) -> None:
    for i in range(n):
        requests.log_request(
            store, desk, make_intake(patient_name=f"Damage Test {i}"), dt.date(2026, 2, 1)
        )


def test_every_flipped_byte_is_refused_or_flagged(store, desk, tmp_path) -> None:
    _seed(store, desk, 20)
    key = store.key
    store.close()  # checkpointed: everything is in the main file
    original = store.path.read_bytes()
    rng = random.Random(20261123)
    provider = keys.FixedKeyProvider(key)
    outcomes: dict[str, int] = {}
    for i in range(FLIPS):
        copy = tmp_path / f"copy{i % 4}.sqlite"
        data = bytearray(original)
        pos = rng.randrange(len(data))
        data[pos] ^= rng.randrange(1, 256)
        copy.write_bytes(bytes(data))
        for side in ("-wal", "-shm"):
            Path(str(copy) + side).unlink(missing_ok=True)
        try:
            s = Store.open(copy, key_provider=provider)
        except StoreError as exc:
            msg = str(exc)
            assert "Nothing was changed" in msg and ("backup" in msg or "recovery key" in msg)
            outcomes[type(exc).__name__] = outcomes.get(type(exc).__name__, 0) + 1
            continue
        s.close()
        pytest.fail(f"a flip at byte {pos} (page {pos // 4096 + 1}) was read silently")
    assert sum(outcomes.values()) == FLIPS
    assert set(outcomes) <= {"StoreWrongKey", "StoreCorrupt"}


def _writer(path: Path, key: keys.StoreKey, actor, fd: int) -> None:
    """Child after fork: log requests until killed, reporting each committed id."""
    try:
        s = Store.open(path, key_provider=keys.FixedKeyProvider(key), check=False)
        i = 0
        while True:
            rid = requests.log_request(
                s, actor, make_intake(patient_name=f"Crash {i}"), dt.date(2026, 2, 1)
            )
            os.write(fd, f"{rid}\n".encode())
            i += 1
    finally:
        os._exit(3)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the crash test forks its writers (POSIX)")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_killed_writer_loses_nothing_committed(store, desk, tmp_path) -> None:
    path, key = store.path, store.key
    store.close()
    rng = random.Random(7)
    committed: set[int] = set()
    for _ in range(KILLS):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            os.close(r)
            _writer(path, key, desk, w)
        os.close(w)
        deadline = time.monotonic() + rng.uniform(0.02, 0.25)
        buf = b""
        while time.monotonic() < deadline:
            ready, _, _ = selectmod.select([r], [], [], 0.01)
            if ready:
                buf += os.read(r, 65536)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        while chunk := os.read(r, 65536):
            buf += chunk
        os.close(r)
        committed |= {int(x) for x in buf.split()}
    assert len(committed) > KILLS  # the children did get work done between kills
    s = Store.open(path, key_provider=keys.FixedKeyProvider(key))  # integrity check inside
    assert s.integrity_ok()
    with s.read() as ses:
        ids = set(ses.scalars(select(AccessRequest.id)))
        chain = audit.verify(ses)
    assert committed <= ids
    assert chain.ok and chain.entries >= len(committed)
    s.close()
