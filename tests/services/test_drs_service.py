"""The DRS map store and checklists: versions kept (164.530(j)), each request collected
against the version in force when it was received, and open items confirmed at fulfilment."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from accessdesk_gui.domain.drs import ItemAction, Scope
from accessdesk_gui.domain.drs_catalogue import demo_map
from accessdesk_gui.domain.errors import RuleViolation
from accessdesk_gui.services import drs, requests
from accessdesk_gui.services.errors import InvalidInput, PermissionDenied
from accessdesk_gui.store import audit
from accessdesk_gui.store.drs_models import DrsMapVersion
from accessdesk_gui.store.models import AuditEntry
from tests.conftest import make_intake

D = dt.date
TODAY = D(2026, 3, 1)


def test_only_a_privacy_officer_saves_the_map(store, admin, desk) -> None:
    with pytest.raises(PermissionDenied):
        drs.save_map(store, desk, demo_map(), D(2025, 1, 1), today=TODAY)
    assert drs.list_versions(store, admin) == []


def test_a_map_with_gaps_is_saved_only_when_the_gaps_are_accepted(store, admin) -> None:
    m = dataclasses.replace(demo_map(), holdings=())
    with pytest.raises(RuleViolation, match="Billing records"):
        drs.save_map(store, admin, m, D(2025, 1, 1), today=TODAY)
    saved = drs.save_map(store, admin, m, D(2025, 1, 1), accept_gaps=True, today=TODAY)
    assert saved.version == 1
    with store.read() as s:
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert entry.action == "drs_map_saved"
        assert "billing_not_mapped" in entry.after


def test_versions_are_kept_with_their_retention_dates(store, admin) -> None:
    v1 = drs.save_map(store, admin, demo_map(), D(2025, 1, 1), today=TODAY)
    changed = dataclasses.replace(demo_map(), practice="Renamed practice (fictional)")
    v2 = drs.save_map(store, admin, changed, D(2026, 4, 1), today=TODAY)
    assert (v1.version, v2.version) == (1, 2)
    versions = drs.list_versions(store, admin)
    assert [v.version for v in versions] == [1, 2]
    old = drs.get_version(store, admin, 1)
    assert old.map == demo_map()  # unchanged, still readable
    assert old.last_in_effect == D(2026, 3, 31)
    assert old.retain_until == D(2032, 3, 31)  # six years from the last day in effect
    assert versions[1].last_in_effect is None and versions[1].retain_until is None
    # In force depends on the date; the new version only from its effective date.
    assert drs.map_in_force(store, admin, D(2026, 3, 31)).version == 1
    assert drs.map_in_force(store, admin, D(2026, 4, 1)).version == 2
    # The store itself refuses to delete or rewrite a saved version.
    for stmt in (
        delete(DrsMapVersion),
        update(DrsMapVersion).values(map_json="{}"),
    ):
        with pytest.raises(IntegrityError), store.write() as s:
            s.execute(stmt)
    assert len(drs.list_versions(store, admin)) == 2
    with store.read() as s:
        assert audit.verify(s).ok


def test_a_later_version_cannot_take_effect_in_the_past(store, admin) -> None:
    drs.save_map(store, admin, demo_map(), D(2025, 1, 1), today=TODAY)
    with pytest.raises(InvalidInput) as e:
        drs.save_map(store, admin, demo_map(), D(2026, 2, 1), today=TODAY)
    assert e.value.field == "effective"


def test_request_is_collected_against_the_version_in_force_when_received(store, admin) -> None:
    drs.save_map(store, admin, demo_map(), D(2025, 1, 1), today=TODAY)
    no_billing = dataclasses.replace(
        demo_map(),
        holdings=tuple(h for h in demo_map().holdings if h.system != "billing"),
    )
    first = requests.log_request(store, admin, make_intake(received=D(2026, 2, 27)), TODAY)
    drs.save_map(store, admin, no_billing, D(2026, 3, 1), accept_gaps=True, today=TODAY)
    second = requests.log_request(store, admin, make_intake(received=D(2026, 3, 1)), TODAY)

    c1 = drs.request_checklist(store, admin, first)
    c2 = drs.request_checklist(store, admin, second)
    assert (c1.map_version, c2.map_version) == (1, 2)
    assert any(i.system == "billing" for i in c1.items)
    assert not any(i.system == "billing" for i in c2.items)
    # Rebuilding for a narrower scope keeps the version the request was received under.
    rebuilt = drs.build_request_checklist(store, admin, first, Scope.of({"billing.claims"}))
    assert rebuilt.map_version == 1
    assert [(i.category, i.system) for i in rebuilt.items] == [("billing.claims", "billing")]


def test_checklist_reflects_the_scope(store, admin) -> None:
    drs.save_map(store, admin, demo_map(), D(2025, 1, 1), today=TODAY)
    rid = requests.log_request(store, admin, make_intake(received=D(2026, 2, 2)), TODAY)
    whole = drs.request_checklist(store, admin, rid)
    assert whole.scope == Scope.whole()
    assert {i.category for i in whole.items} >= {"billing.claims", "medical.results"}
    assert not any(i.category.startswith("internal.") for i in whole.items)

    recent = drs.build_request_checklist(
        store, admin, rid, Scope.of({"medical.results"}, D(2024, 1, 1), D(2026, 2, 1))
    )
    # Paper charts end in 2014: not asked for these dates. The lab copy is the same
    # information as the EHR's: checked, produced once (164.524(c)(1)).
    assert [(i.system, i.action) for i in recent.items] == [
        ("ehr", ItemAction.PRODUCE),
        ("lab", ItemAction.SAME_AS_SOURCE),
    ]
    ehr = recent.items[0]
    assert ehr.business_associate and ehr.due_by == D(2026, 2, 7)  # received + 5 days


def test_checklist_follows_the_categories_and_dates_asked_for_at_intake(store, admin) -> None:
    drs.save_map(store, admin, demo_map(), D(2025, 1, 1), today=TODAY)
    rid = requests.log_request(
        store,
        admin,
        make_intake(
            received=D(2026, 2, 2),
            scope="",
            categories=("immunizations", "billing"),
            date_from=D(2020, 1, 1),
        ),
        TODAY,
    )
    checklist = drs.request_checklist(store, admin, rid)
    assert checklist.scope.categories is not None
    assert {i.category.split(".")[0] for i in checklist.items} == {"medical", "billing"}
    assert "medical.immunizations" in {i.category for i in checklist.items}
    assert not any(i.category == "medical.clinical_notes" for i in checklist.items)
    assert checklist.scope.start == D(2020, 1, 1)
    # Paper charts end in 2014, before the dates asked for: nothing to pull from them.
    assert "paper" not in {i.system for i in checklist.items}


def test_request_logged_before_any_map_has_no_checklist(store, admin) -> None:
    rid = requests.log_request(store, admin, make_intake(), TODAY)
    cl = drs.request_checklist(store, admin, rid)
    assert cl.map_version is None and cl.items == []
    with pytest.raises(RuleViolation, match="no designated record set map"):
        drs.build_request_checklist(store, admin, rid)


def test_check_off_records_who_and_when_and_fulfil_asks_about_open_items(
    store, admin, desk
) -> None:
    drs.save_map(store, admin, demo_map(), D(2025, 1, 1), today=TODAY)
    rid = requests.log_request(store, desk, make_intake(received=D(2026, 2, 2)), TODAY)
    cl = drs.build_request_checklist(store, desk, rid, Scope.of({"medical.immunizations"}))
    first, *rest = cl.items
    drs.check_off(store, desk, first.id, D(2026, 2, 5), "Exported from the EHR")
    after = drs.request_checklist(store, desk, rid)
    done = after.items[0]
    assert (done.done_on, done.done_by, done.done_note) == (
        D(2026, 2, 5),
        "Dee Desk",
        "Exported from the EHR",
    )
    assert drs.open_items_count(store, desk, rid) == len(rest) > 0

    with pytest.raises(RuleViolation, match="Immunizations from Paper charts"):
        requests.fulfil(store, desk, rid, D(2026, 2, 20))
    assert requests.get_request(store, desk, rid).status.value == "received"
    requests.fulfil(store, desk, rid, D(2026, 2, 20), open_items_confirmed=True)
    detail = requests.get_request(store, desk, rid)
    assert detail.status.value == "fulfilled"
    assert "1 checklist item(s) open" in detail.timeline[-1].summary
    with store.read() as s:
        actions = [e.action for e in s.scalars(select(AuditEntry))]
    assert "checklist_item_done" in actions


def test_checked_off_items_survive_a_rebuild(store, admin) -> None:
    drs.save_map(store, admin, demo_map(), D(2025, 1, 1), today=TODAY)
    rid = requests.log_request(store, admin, make_intake(received=D(2026, 2, 2)), TODAY)
    cl = drs.build_request_checklist(store, admin, rid, Scope.of({"billing.claims"}))
    drs.check_off(store, admin, cl.items[0].id, D(2026, 2, 3))
    wider = drs.build_request_checklist(
        store, admin, rid, Scope.of({"billing.claims", "billing.payments"})
    )
    by_cat = {i.category: i for i in wider.items}
    assert by_cat["billing.claims"].done_on == D(2026, 2, 3)
    assert by_cat["billing.payments"].done_on is None


def test_draft_is_kept_until_a_version_is_saved(store, admin) -> None:
    drs.save_draft(store, admin, {"practice": "Half-done (fictional)"})
    assert drs.load_draft(store, admin) == {"practice": "Half-done (fictional)"}
    drs.save_map(store, admin, demo_map(), D(2025, 1, 1), today=TODAY)
    assert drs.load_draft(store, admin) is None
