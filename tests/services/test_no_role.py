"""An account whose roles were all taken away may neither read requests nor act on them."""

from __future__ import annotations

import datetime as dt

import pytest

from accessdesk_gui.services import backups, denials, drs, letters, queue, requests, review
from accessdesk_gui.services import desk as front_desk
from accessdesk_gui.services.actor import Actor
from accessdesk_gui.services.errors import PermissionDenied
from tests.conftest import make_intake

TODAY = dt.date(2026, 2, 10)


def test_an_account_with_no_role_is_refused_everywhere(store, admin, desk) -> None:
    rid = requests.log_request(store, desk, make_intake(), TODAY)
    nobody = Actor(desk.user_id, desk.username, desk.full_name, frozenset())
    calls = [
        lambda: requests.log_request(store, nobody, make_intake(), TODAY),
        lambda: requests.start(store, nobody, rid, TODAY),
        lambda: queue.reminders(store, nobody, TODAY),
        lambda: front_desk.add_note(store, nobody, rid, "note"),
        lambda: letters.list_letters(store, nobody, rid),
        lambda: denials.discard_denial(store, nobody, 1, "no reason"),
        lambda: review.reviewing_officials(store, nobody),
        lambda: drs.latest_map(store, nobody),
        lambda: backups.backup(store, nobody),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied, match="no role"):
            call()
    assert requests.count_requests(store, desk, queue.Query(view=queue.View.ALL)) == 1
