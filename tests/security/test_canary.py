"""No patient data in clear on disk: canary names and birth dates through a whole workflow."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from accessdesk_gui.services import requests
from accessdesk_gui.store.db import Store
from tests.conftest import PASSWORD, make_intake

CANARY_NAMES = ["Qzxcanary Wobblethorpe", "Zoë Kanarienvogelß", "Nguyễn Canaryvăn"]
CANARY_DOBS = ["1911-11-11", "1922-02-22", "1933-03-13"]


def _needles() -> list[bytes]:
    out = []
    for text in [*CANARY_NAMES, *CANARY_DOBS, "qzxcanary", "wobblethorpe", "kanarienvogel"]:
        for enc in ("utf-8", "utf-16-le"):
            out.append(text.encode(enc))
    out += [d.replace("-", "").encode() for d in CANARY_DOBS]
    return out


def _hits(folder: Path) -> list[str]:
    found = []
    for p in folder.rglob("*"):
        if p.is_file():
            data = p.read_bytes()
            low = data.lower()
            for n in _needles():
                if n in data or n.lower() in low:
                    found.append(f"{p.relative_to(folder)}: {n!r}")
    return found


def _run(env: dict[str, str], db: Path, *args: str, user: str = "admin") -> str:
    cmd = [sys.executable, "-m", "accessdesk_gui", *args, "--db", str(db), "--user", user]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert r.returncode == 0, f"{args}: {r.stderr}"
    return r.stdout


def test_canaries_never_appear_in_clear_on_disk(tmp_path: Path) -> None:
    home = tmp_path / "home"  # the store, its WAL/SHM, backups, logs, temp and config
    tmp = home / "tmp"
    for d in (home, tmp):
        d.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "ACCESSDESK_PASSWORD": PASSWORD,
        "ACCESSDESK_NEW_PASSWORD": "front desk passphrase",
        "TMPDIR": str(tmp),
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"),
    }
    db = home / "office.sqlite"
    _run(
        env,
        db,
        "init",
        "--practice-name",
        "Canary Clinic",
        "--address",
        "1 Main St",
        "--phone",
        "555-010-0100",
        "--state",
        "OR",
        "--admin-name",
        "Ada Admin",
    )
    _run(env, db, "user", "add", "desk", "--full-name", "Dee Desk", "--role", "front_desk")
    _run(env, db, "settings", "backup-folder", str(home / "backups"))
    ids = []
    for name, dob in zip(CANARY_NAMES, CANARY_DOBS, strict=True):
        out = _run(
            env,
            db,
            "request",
            "add",
            "--patient",
            name,
            "--dob",
            dob,
            "--received",
            "2026-01-31",
            "--scope",
            "All records",
            "--mrn",
            "CAN" + dob[:4],
            "--verified-method",
            "photo_id",
            "--json",
        )
        ids.append(json.loads(out)["id"])
    desk_env = {**env, "ACCESSDESK_PASSWORD": "front desk passphrase"}
    _run(desk_env, db, "request", "list", "--view", "all", "--search", "canary", user="desk")
    _run(desk_env, db, "request", "show", str(ids[0]), "--json", user="desk")
    _run(env, db, "request", "start", str(ids[0]), "--date", "2026-02-02")
    _run(
        env,
        db,
        "request",
        "extend",
        str(ids[0]),
        "--notice-date",
        "2026-02-20",
        "--reasons",
        "Chart of Qzxcanary Wobblethorpe off-site",
        "--complete-by",
        "2026-03-30",
    )
    _run(env, db, "request", "fulfil", str(ids[0]), "--date", "2026-03-10", "--note", "Portal")
    _run(env, db, "request", "withdraw", str(ids[1]), "--date", "2026-02-05", "--reason", "n/a")
    _run(env, db, "backup")
    _run(env, db, "audit", "verify")
    # While a store is open its WAL holds fresh pages: check that too.
    s = Store.open(db)
    from accessdesk_gui.services import auth

    actor = auth.login(s, "admin", PASSWORD)
    requests.log_request(
        s,
        actor,
        make_intake(patient_name=CANARY_NAMES[0], patient_dob=dt.date(1911, 11, 11)),
        dt.date(2026, 2, 1),
    )
    wal = Path(str(db) + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    assert _hits(home) == []
    s.close()
    assert _hits(home) == []
    assert len(list((home / "backups").glob("*.adbackup"))) == 1
