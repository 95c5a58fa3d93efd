"""Retention (45 CFR 164.530(j)): requests, their history, letters, denials, signatures and
audit entries are never deleted; withdrawing is a state. The store refuses a DELETE on them,
and no service has a path that deletes them."""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import inspect
import pkgutil

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

import accessdesk_gui.services as services_pkg
from accessdesk_gui.store.all_models import Base
from accessdesk_gui.store.models import AccessRequest as Request
from accessdesk_gui.store.models import TimelineEvent
from tests.conftest import make_intake

# Every table whose rows are records of the access-request process (kept six years).
RETAINED = {
    "requests",
    "timeline_events",
    "request_attachments",
    "letters",
    "letter_mailings",
    "letter_outputs",
    "signatures",
    "denials",
    "denial_parts",
    "denial_participants",
    "review_requests",
    "reviewer_assignments",
    "review_determinations",
    "determination_parts",
    "audit_log",
    "audit_anchors",
}

# The only deletes the services make, and why each is not a retained record.
ALLOWED_DELETES = {
    ("drs", "save_map"): "the working draft of the map, replaced by the saved version",
    ("drs", "discard_draft"): "the working draft of the map",
    ("drs", "_install"): "a request's checklist, rebuilt from the map (a work aid)",
    ("review", "revoke_reviewer"): "a designation (its history is in the audit log)",
}


def test_every_retained_table_has_a_no_delete_trigger(store) -> None:
    tables = {t.name for t in Base.metadata.sorted_tables}
    assert tables >= RETAINED, RETAINED - tables
    with store.read() as s:
        rows = s.execute(
            text("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        ).all()
    guarded = {
        t for t, sql in rows if "BEFORE DELETE" in sql.upper() and "RAISE(ABORT" in sql.upper()
    }
    assert RETAINED - guarded == set()


def test_the_store_refuses_to_delete_requests_history_and_audit(store, desk) -> None:
    from accessdesk_gui.services import requests

    requests.log_request(store, desk, make_intake(), dt.date(2026, 3, 2))
    for table in ("requests", "timeline_events", "audit_log"):
        with pytest.raises(IntegrityError), store.write() as s:
            s.execute(text(f"DELETE FROM {table}"))
        with store.read() as s:
            assert s.scalar(text(f"SELECT count(*) FROM {table}"))


def test_a_request_with_history_survives_a_delete_attempt(store, desk) -> None:
    from accessdesk_gui.services import requests

    rid = requests.log_request(store, desk, make_intake(), dt.date(2026, 3, 2))
    requests.withdraw(store, desk, rid, dt.date(2026, 3, 3), "Patient asked to")
    with pytest.raises(IntegrityError, match="six years"), store.write() as s:
        s.execute(text("DELETE FROM requests WHERE id = :id"), {"id": rid})
    with store.read() as s:
        req = s.get(Request, rid)
        assert req is not None and req.status == "withdrawn"
        events = s.scalar(select(func.count()).where(TimelineEvent.request_id == rid))
        assert events and events >= 2


def _delete_sites() -> list[tuple[str, str, int]]:
    """(module, function, line) of every ORM or SQL delete in the services."""
    sites = []
    for info in pkgutil.iter_modules(services_pkg.__path__):
        mod = importlib.import_module(f"accessdesk_gui.services.{info.name}")
        tree = ast.parse(inspect.getsource(mod))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            for node in ast.walk(fn):
                hit = False
                if isinstance(node, ast.Call):
                    f = node.func
                    name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                    hit = name in {"delete", "execute_delete"}
                elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                    hit = "delete from" in node.value.lower()
                if hit:
                    sites.append((info.name, fn.name, node.lineno))
    return sites


def test_no_service_has_a_path_that_deletes_a_retained_record() -> None:
    sites = _delete_sites()
    unexplained = [s for s in sites if (s[0], s[1]) not in ALLOWED_DELETES]
    assert not unexplained, f"services that delete something: {unexplained}"
    # The scan does find deletes (it is not blind): the allowed ones are all there.
    assert {(m, f) for m, f, _ in sites} == set(ALLOWED_DELETES)


def test_withdrawing_is_a_state_not_a_delete(store, desk) -> None:
    from accessdesk_gui.services import requests

    rid = requests.log_request(store, desk, make_intake(), dt.date(2026, 3, 2))
    with store.read() as s:
        before = s.scalar(select(func.count(Request.id)))
    requests.withdraw(store, desk, rid, dt.date(2026, 3, 4), "Asked to")
    with store.read() as s:
        assert s.scalar(select(func.count(Request.id))) == before
        assert s.get(Request, rid).status == "withdrawn"
