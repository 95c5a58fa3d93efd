"""The unit of work: a write that changes rows without an audit entry is refused, not saved."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update

from accessdesk_gui.services import requests
from accessdesk_gui.store import audit
from accessdesk_gui.store.db import Store
from accessdesk_gui.store.models import AccessRequest
from accessdesk_gui.store.uow import UnauditedChange
from tests.conftest import make_intake


def _entries(store: Store) -> int:
    with store.read() as s:
        return audit.verify(s).entries


def _close_note(store: Store, rid: int) -> str:
    with store.read() as s:
        return str(s.scalar(select(AccessRequest.close_note).where(AccessRequest.id == rid)))


@pytest.fixture
def rid(store: Store, desk) -> int:
    return requests.log_request(store, desk, make_intake())


def test_an_orm_change_to_a_request_without_an_audit_entry_is_refused(store, rid) -> None:
    before = _entries(store)
    with pytest.raises(UnauditedChange, match="no audit entry"), store.write() as s:
        s.get(AccessRequest, rid).close_note = "changed behind the trail's back"
    assert _close_note(store, rid) == ""
    assert _entries(store) == before


@pytest.mark.parametrize(
    "statement",
    [
        update(AccessRequest).values(close_note="bulk update"),
        text("UPDATE requests SET close_note = 'raw SQL'"),
    ],
    ids=["core-update", "raw-sql"],
)
def test_statements_outside_the_orm_flush_are_caught_too(store, rid, statement) -> None:
    with pytest.raises(UnauditedChange), store.write() as s:
        s.execute(statement)
    assert _close_note(store, rid) == ""


def test_the_same_change_with_its_audit_entry_is_saved(store, rid) -> None:
    with store.write() as s:
        s.get(AccessRequest, rid).close_note = "audited"
        audit.append(s, "desk", "request_note", "request", rid)
    assert _close_note(store, rid) == "audited"


def test_a_write_that_says_why_it_needs_no_entry_is_saved(store, rid) -> None:
    with store.write(unaudited="test: exemption is honoured") as s:
        s.get(AccessRequest, rid).close_note = "exempt"
    assert _close_note(store, rid) == "exempt"


def test_a_write_that_changes_nothing_needs_no_entry(store, rid) -> None:
    with store.write() as s:
        assert s.get(AccessRequest, rid) is not None


def test_a_commit_inside_the_write_is_checked_as_well(store, rid) -> None:
    # A service that commits early (e.g. to keep a refusal's entry) is held to the rule too.
    with pytest.raises(UnauditedChange), store.write() as s:
        s.get(AccessRequest, rid).close_note = "early commit"
        s.commit()
    assert _close_note(store, rid) == ""
