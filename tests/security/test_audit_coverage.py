"""Every service entry point leaves an audit entry (ASTM E2147: who, what, when, whose).

The test finds the entry points itself: every public function in accessdesk_gui.services
whose first parameter is the store. A new one fails here until it is added to CALLS (and
writes an entry) or to NO_ENTRY with the reason it needs none.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

import accessdesk_gui.services as services_pkg
from accessdesk_gui.domain.roles import Role
from accessdesk_gui.services import practice
from accessdesk_gui.store.models import AuditEntry
from tests.conftest import PASSWORD, make_intake

D = dt.date(2026, 2, 1)

# Reads that show no single patient's record, or settings and figures: no entry needed.
NO_ENTRY = {
    "practice.is_set_up": "is the store set up (no patient data)",
    "practice.get_practice": "the practice's own address",
    "requests.count_requests": "a count for the queue",
    "requests.list_requests": "queue rows; opening a record (get_request) is audited",
    "auth.list_users": "staff names",
    "backups.get_setting": "a setting",
    "backups.backup_folder": "a setting",
    "backups.latest_anchor": "a head hash",
    "audit_service.anchors": "head hashes",
    "audit_service.check_against_anchors": "part of verify, which is audited",
    "accounts.waiting_until": "a time",
    "session.lock_minutes": "a setting",
}


def _entry_points() -> list[str]:
    found = []
    for mod_info in pkgutil.iter_modules(services_pkg.__path__):
        mod = importlib.import_module(f"accessdesk_gui.services.{mod_info.name}")
        for name, fn in inspect.getmembers(mod, inspect.isfunction):
            if name.startswith("_") or fn.__module__ != mod.__name__:
                continue
            params = list(inspect.signature(fn).parameters)
            if params and params[0] == "store":
                found.append(f"{mod_info.name}.{name}")
    return sorted(found)


def _calls(tmp: Path) -> dict[str, Callable[[Any, dict[str, Any]], Any]]:
    from accessdesk_gui.services import (
        accounts,
        audit_service,
        auth,
        backups,
        keysheet,
        requests,
        session,
    )

    return {
        "practice.set_up": lambda st, c: None,  # done by the fixture; checked below
        "auth.login": lambda st, c: auth.login(st, "desk", PASSWORD),
        "auth.add_user": lambda st, c: auth.add_user(
            st, c["admin"], "newbie", "New Bie", PASSWORD, {Role.FRONT_DESK}
        ),
        "requests.log_request": lambda st, c: requests.log_request(st, c["desk"], make_intake(), D),
        "requests.get_request": lambda st, c: requests.get_request(st, c["desk"], c["rid"]),
        "requests.start": lambda st, c: requests.start(st, c["desk"], c["rid"], D),
        "requests.extend": lambda st, c: requests.extend(
            st, c["desk"], c["rid"], D, "Records off-site", D + dt.timedelta(days=50)
        ),
        "requests.assign": lambda st, c: requests.assign(st, c["desk"], c["rid"], None),
        "requests.fulfil": lambda st, c: requests.fulfil(st, c["desk"], c["rid"], D),
        "requests.withdraw": lambda st, c: requests.withdraw(
            st, c["desk"], c["rid2"], D, "Asked to"
        ),
        "audit_service.verify": lambda st, c: audit_service.verify(st, c["desk"]),
        "audit_service.report": lambda st, c: audit_service.report(st, c["admin"]),
        "accounts.unlock": lambda st, c: accounts.unlock(st, c["admin"], "desk"),
        "accounts.change_password": lambda st, c: accounts.change_password(
            st, c["desk"], PASSWORD, "another long passphrase"
        ),
        "accounts.reset_password": lambda st, c: accounts.reset_password(
            st, c["admin"], "desk", PASSWORD
        ),
        "backups.set_setting": lambda st, c: backups.set_setting(st, c["admin"], "x", "1"),
        "backups.set_backup_folder": lambda st, c: backups.set_backup_folder(
            st, c["admin"], tmp / "b"
        ),
        "backups.backup": lambda st, c: backups.backup(st, c["desk"], tmp / "b"),
        "backups.backup_now": lambda st, c: backups.backup_now(st, "admin", tmp / "b2"),
        "backups.backup_if_due": lambda st, c: backups.backup_if_due(
            st, "admin", dt.datetime(2030, 1, 1)
        ),
        "keysheet.sheet_text": lambda st, c: keysheet.sheet_text(st, c["admin"]),
        "session.record_lock": lambda st, c: session.record_lock(st, c["desk"]),
        "session.unlock": lambda st, c: session.unlock(st, c["desk"], "desk", PASSWORD),
    }


def _count(store) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count(AuditEntry.id))) or 0)


def test_every_service_entry_point_writes_an_audit_entry(store, admin, desk, tmp_path) -> None:
    from accessdesk_gui.services import requests

    calls = _calls(tmp_path)
    points = _entry_points()
    unknown = [p for p in points if p not in calls and p not in NO_ENTRY]
    assert not unknown, f"new service entry points: add them to CALLS or NO_ENTRY: {unknown}"
    assert practice.is_set_up(store) and _count(store) > 0  # set_up wrote its entries
    ctx = {
        "admin": admin,
        "desk": desk,
        "rid": requests.log_request(store, desk, make_intake(), D),
        "rid2": requests.log_request(store, desk, make_intake(), D),
    }
    silent = []
    for name in calls:  # in CALLS' order: the lifecycle steps follow each other
        if name not in points or name == "practice.set_up":
            continue
        before = _count(store)
        calls[name](store, ctx)
        if _count(store) <= before:
            silent.append(name)
    assert not silent, f"these wrote no audit entry: {silent}"
