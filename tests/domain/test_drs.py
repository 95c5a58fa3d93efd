"""The designated record set map: what a practice must be able to show and retrieve
(45 CFR 164.501, 164.524(c)(1), (e), 164.530(j))."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accessdesk_gui.domain.deadlines import federal_due
from accessdesk_gui.domain.drs import (
    AccessException,
    BusinessAssociate,
    CategoryGroup,
    ChecklistItem,
    Contact,
    DrsMap,
    Gap,
    GapCode,
    Holding,
    ItemAction,
    RecordCategory,
    RecordSystem,
    Responsibilities,
    Retrieval,
    Scope,
    SystemKind,
    build_checklist,
    from_dict,
    last_in_effect,
    new_version,
    retain_until,
    retention_date,
    review,
    to_dict,
)
from accessdesk_gui.domain.drs_catalogue import (
    BILLING_CATEGORIES,
    default_categories,
    demo_map,
    psychotherapy_notes,
)
from accessdesk_gui.domain.errors import InvalidInput, RuleViolation

D = dt.date


def codes(gaps: list[Gap]) -> list[GapCode]:
    return [g.code for g in gaps]


def ba_of(m: DrsMap, system_id: str) -> BusinessAssociate:
    ba = m.system(system_id).business_associate
    assert ba is not None
    return ba


def replace_category(m: DrsMap, code: str, **changes: Any) -> DrsMap:
    cats = tuple(dataclasses.replace(c, **changes) if c.code == code else c for c in m.categories)
    return dataclasses.replace(m, categories=cats)


def replace_system(m: DrsMap, system_id: str, **changes: Any) -> DrsMap:
    systems = tuple(
        dataclasses.replace(s, **changes) if s.id == system_id else s for s in m.systems
    )
    return dataclasses.replace(m, systems=systems)


def with_psychotherapy_notes(kept_separate: bool) -> DrsMap:
    m = demo_map()
    notes = psychotherapy_notes(kept_separate)
    system = "office" if kept_separate else "ehr"
    return dataclasses.replace(
        m,
        categories=(*m.categories, notes),
        holdings=(*m.holdings, Holding(notes.code, system, Retrieval("Counselor", "Own file"))),
    )


# --- catalogue and demo -----------------------------------------------------------------------


def test_catalogue_puts_medical_billing_and_decision_records_in_the_drs() -> None:
    cats = default_categories()
    for c in cats:
        if c.group is CategoryGroup.INTERNAL:
            assert not c.in_drs, c.code
        else:
            assert c.in_drs, c.code
    assert {c.code for c in BILLING_CATEGORIES} >= {"billing.claims", "billing.payments"}
    assert "internal.peer_review" in {c.code for c in cats}


def test_catalogue_exclusions_pass_review_and_carry_no_access_exception() -> None:
    m = demo_map()
    assert all(c.exception is AccessException.NONE for c in default_categories())
    assert not [g for g in review(m) if g.refers_to.startswith("category:internal.")]


def test_demo_map_is_complete_and_uses_business_associates() -> None:
    m = demo_map()
    assert review(m) == []
    assert {s.kind for s in m.systems} >= {
        SystemKind.EHR,
        SystemKind.PRACTICE_MANAGEMENT,
        SystemKind.PATIENT_PORTAL,
        SystemKind.PAPER_ARCHIVE,
        SystemKind.LAB_INTERFACE,
    }
    assert m.system("billing").by_business_associate
    assert m.system("ehr").by_business_associate
    assert m.system("paper").holds_until == D(2014, 12, 31)


# --- structure ----------------------------------------------------------------------------------


def test_repeated_category_code_is_rejected() -> None:
    m = demo_map()
    with pytest.raises(InvalidInput, match="appears twice"):
        dataclasses.replace(m, categories=(*m.categories, m.categories[0]))


def test_holding_in_unknown_system_is_rejected() -> None:
    m = demo_map()
    with pytest.raises(InvalidInput, match="unknown system"):
        dataclasses.replace(m, holdings=(*m.holdings, Holding("billing.claims", "fax")))


def test_exception_on_a_category_outside_the_drs_is_rejected() -> None:
    with pytest.raises(InvalidInput) as err:
        RecordCategory(
            "x.notes",
            "Notes",
            CategoryGroup.MEDICAL,
            False,
            exception=AccessException.LEGAL_PROCEEDINGS,
        )
    assert err.value.field == "category.exception"


# --- review: one test per gap kind ----------------------------------------------------------------


def test_billing_records_mapped_nowhere() -> None:
    m = demo_map()
    m = dataclasses.replace(
        m, holdings=tuple(h for h in m.holdings if not h.category.startswith("billing."))
    )
    gaps = review(m)
    assert GapCode.BILLING_NOT_MAPPED in codes(gaps)
    unmapped = {g.refers_to for g in gaps if g.code is GapCode.CATEGORY_UNMAPPED}
    assert unmapped == {f"category:{c.code}" for c in BILLING_CATEGORIES}


def test_in_drs_category_mapped_to_no_system() -> None:
    m = demo_map()
    m = dataclasses.replace(
        m, holdings=tuple(h for h in m.holdings if h.category != "decisions.case_management")
    )
    gaps = review(m)
    assert [(g.code, g.refers_to) for g in gaps] == [
        (GapCode.CATEGORY_UNMAPPED, "category:decisions.case_management")
    ]


def test_out_of_drs_category_needs_no_system() -> None:
    m = demo_map()
    assert not m.holdings_of("internal.peer_review")
    assert review(m) == []


@pytest.mark.parametrize("rationale", ["", "   ", "Not needed.", "internal only, see policy"])
def test_exclusion_without_rationale(rationale: str) -> None:
    m = replace_category(demo_map(), "internal.peer_review", rationale=rationale)
    gaps = review(m)
    assert [(g.code, g.refers_to) for g in gaps] == [
        (GapCode.EXCLUSION_WITHOUT_RATIONALE, "category:internal.peer_review")
    ]


def test_exclusion_rationale_not_tied_to_the_definition() -> None:
    m = replace_category(
        demo_map(),
        "internal.quality_improvement",
        rationale="These files sit on the quality team's shared drive and are hard to export.",
    )
    assert codes(review(m)) == [GapCode.EXCLUSION_NOT_TIED_TO_DEFINITION]


def test_billing_records_cannot_be_excluded_however_well_argued() -> None:
    m = replace_category(
        demo_map(),
        "billing.coding",
        in_drs=False,
        rationale="Coding is not used to make decisions about individuals in our practice.",
    )
    gaps = review(m)
    assert [(g.code, g.refers_to) for g in gaps] == [
        (GapCode.CORE_RECORDS_EXCLUDED, "category:billing.coding")
    ]


@pytest.mark.parametrize(
    "changes", [{"how_to_get_records": ""}, {"turnaround_days": None}], ids=["how", "turnaround"]
)
def test_business_associate_without_retrieval_path(changes: dict[str, Any]) -> None:
    m = demo_map()
    ba = dataclasses.replace(ba_of(m, "billing"), **changes)
    gaps = review(replace_system(m, "billing", business_associate=ba))
    assert [(g.code, g.refers_to) for g in gaps] == [
        (GapCode.BA_WITHOUT_RETRIEVAL_PATH, "system:billing")
    ]


def test_business_associate_turnaround_that_uses_up_the_30_days() -> None:
    m = demo_map()
    ba = dataclasses.replace(ba_of(m, "paper"), turnaround_days=30)
    assert codes(review(replace_system(m, "paper", business_associate=ba))) == [
        GapCode.BA_TURNAROUND_TOO_LONG
    ]
    ok = dataclasses.replace(ba, turnaround_days=29)
    assert review(replace_system(m, "paper", business_associate=ok)) == []


def test_psychotherapy_notes_excepted_but_kept_in_the_chart() -> None:
    gaps = review(with_psychotherapy_notes(kept_separate=False))
    assert [(g.code, g.refers_to) for g in gaps] == [
        (GapCode.PSYCHOTHERAPY_NOTES_IN_CHART, "category:exceptions.psychotherapy_notes")
    ]
    assert review(with_psychotherapy_notes(kept_separate=True)) == []


def test_no_titles_for_processing_access_requests() -> None:
    m = demo_map()
    r = dataclasses.replace(m.responsibilities, access_titles=("  ",))
    assert codes(review(dataclasses.replace(m, responsibilities=r))) == [GapCode.NO_ACCESS_TITLES]


@pytest.mark.parametrize(
    "contact", [Contact("", "(555) 010-0100"), Contact("Privacy officer", ""), Contact("PO", "555")]
)
def test_complaint_contact_needs_name_or_title_and_phone(contact: Contact) -> None:
    m = demo_map()
    r = dataclasses.replace(m.responsibilities, complaint_contact=contact)
    gaps = review(dataclasses.replace(m, responsibilities=r))
    assert [(g.code, g.refers_to) for g in gaps] == [
        (GapCode.NO_COMPLAINT_CONTACT, "responsibilities")
    ]


def test_no_amendment_contact() -> None:
    m = demo_map()
    r = dataclasses.replace(m.responsibilities, amendment_contact=Contact())
    assert codes(review(dataclasses.replace(m, responsibilities=r))) == [
        GapCode.NO_AMENDMENT_CONTACT
    ]


def test_mapping_without_retrieval_procedure() -> None:
    m = demo_map()
    holdings = tuple(
        dataclasses.replace(h, retrieval=Retrieval("", "EHR export"))
        if (h.category, h.system) == ("medical.allergies", "ehr")
        else h
        for h in m.holdings
    )
    gaps = review(dataclasses.replace(m, holdings=holdings))
    assert [(g.code, g.refers_to) for g in gaps] == [
        (GapCode.HOLDING_WITHOUT_RETRIEVAL, "holding:medical.allergies@ehr")
    ]


def test_duplicate_pointing_at_a_system_that_is_not_the_source() -> None:
    m = demo_map()
    holdings = tuple(
        dataclasses.replace(h, duplicate_of="billing") if h.system == "portal" else h
        for h in m.holdings
    )
    gaps = review(dataclasses.replace(m, holdings=holdings))
    assert [(g.code, g.refers_to) for g in gaps] == [
        (GapCode.DUPLICATE_WITHOUT_SOURCE, "holding:medical.patient_submitted@portal")
    ]


def test_exchange_linked_system_holding_nothing_is_not_out_of_scope() -> None:
    m = demo_map()
    hie = RecordSystem("hie", "Regional HIE viewer", SystemKind.OTHER, exchange_linked=True)
    gaps = review(dataclasses.replace(m, systems=(*m.systems, hie)))
    assert [(g.code, g.refers_to) for g in gaps] == [(GapCode.SYSTEM_UNMAPPED, "system:hie")]
    assert "FAQ 550" in gaps[0].message


# --- versions and retention -----------------------------------------------------------------------


def test_new_version_is_a_copy_with_the_next_number() -> None:
    v1 = demo_map()
    r = dataclasses.replace(v1.responsibilities, access_titles=("Health information office",))
    v2 = new_version(v1, D(2025, 7, 1), responsibilities=r)
    assert (v2.version, v2.effective) == (2, D(2025, 7, 1))
    assert v2.responsibilities.access_titles == ("Health information office",)
    assert v1.version == 1 and v1.responsibilities.access_titles != r.access_titles
    assert v2.categories == v1.categories


def test_new_version_must_take_effect_after_the_old_one() -> None:
    v1 = demo_map()
    with pytest.raises(RuleViolation):
        new_version(v1, v1.effective)
    with pytest.raises(InvalidInput):
        new_version(v1, D(2026, 1, 1), version=7)


def test_superseded_version_is_kept_six_years_from_its_last_day_in_effect() -> None:
    v1 = dataclasses.replace(demo_map(), effective=D(2018, 1, 1))
    v2 = new_version(v1, D(2024, 3, 1))  # v1 last in effect on the leap day 2024-02-29
    history = [v2, v1]
    assert last_in_effect(history, 1) == D(2024, 2, 29)
    assert retention_date(history, 1) == D(2030, 3, 1)
    assert retention_date(history, 2) is None  # still in effect: keep


@pytest.mark.parametrize(
    ("last", "keep_until"),
    [
        (D(2020, 2, 29), D(2026, 3, 1)),  # no 29 Feb in 2026: never shorter than six years
        (D(2023, 2, 28), D(2029, 2, 28)),
        (D(2022, 2, 28), D(2028, 2, 28)),  # ends in a leap year, before its leap day
        (D(2022, 3, 1), D(2028, 3, 1)),
        (D(2019, 12, 31), D(2025, 12, 31)),
    ],
)
def test_retain_until(last: dt.date, keep_until: dt.date) -> None:
    assert retain_until(last) == keep_until


@given(st.dates(max_value=D(9000, 12, 31)))
def test_retention_is_never_shorter_than_six_calendar_years(last: dt.date) -> None:
    kept = retain_until(last)
    assert kept.year == last.year + 6
    expected = (3, 1) if (last.month, last.day) == (2, 29) else (last.month, last.day)
    assert (kept.month, kept.day) == expected


# --- checklist ----------------------------------------------------------------------------------


def by(items: list[ChecklistItem], category: str) -> list[ChecklistItem]:
    return [i for i in items if i.category == category]


def test_whole_drs_checklist_never_produces_excluded_or_excepted_records() -> None:
    m = demo_map()
    items = build_checklist(m, Scope.whole())
    out = {c.code for c in m.categories if not c.in_drs}
    assert out and not out & {i.category for i in items}
    legal = by(items, "exceptions.legal_proceedings")
    assert [i.action for i in legal] == [ItemAction.REVIEW_FOR_DENIAL]
    produced = {i.category for i in items if i.action is ItemAction.PRODUCE}
    in_scope = {c.code for c in m.categories if c.in_drs and c.exception is AccessException.NONE}
    assert produced == in_scope  # every accessible category is collected somewhere


def test_same_information_in_two_systems_is_produced_once() -> None:
    scope = Scope.of({"medical.results"}, start=D(2020, 1, 1))
    items = by(build_checklist(demo_map(), scope), "medical.results")
    assert [(i.system, i.action) for i in items] == [
        ("ehr", ItemAction.PRODUCE),
        ("lab", ItemAction.SAME_AS_SOURCE),
    ]
    assert items[1].same_as == "Brightleaf Chart (hosted EHR)"
    assert "produce once" in items[1].note


def test_copy_is_produced_when_its_source_is_not_collected() -> None:
    # 2010-2012 predates the EHR, so the lab interface's copy is the one to produce.
    scope = Scope.of({"medical.results"}, D(2010, 1, 1), D(2012, 12, 31))
    items = build_checklist(demo_map(), scope)
    assert [(i.system, i.action) for i in items] == [
        ("paper", ItemAction.PRODUCE),
        ("lab", ItemAction.PRODUCE),
    ]


def test_copy_marked_as_duplicate_of_a_wrong_system_is_still_produced() -> None:
    m = demo_map()
    holdings = tuple(
        dataclasses.replace(h, duplicate_of="billing") if h.system == "portal" else h
        for h in m.holdings
    )
    m = dataclasses.replace(m, holdings=holdings)
    items = build_checklist(m, Scope.of({"medical.patient_submitted"}))
    assert [(i.system, i.action) for i in items] == [
        ("ehr", ItemAction.PRODUCE),
        ("portal", ItemAction.PRODUCE),
    ]


def test_date_range_skips_systems_that_cannot_hold_those_dates() -> None:
    m = demo_map()
    recent = build_checklist(
        m, Scope.of({"medical.clinical_notes"}, D(2020, 1, 1), D(2023, 12, 31))
    )
    old = build_checklist(m, Scope.of({"medical.clinical_notes"}, D(2010, 1, 1), D(2012, 12, 31)))
    whole = build_checklist(m, Scope.of({"medical.clinical_notes"}))
    assert [i.system for i in recent] == ["ehr"]
    assert [i.system for i in old] == ["paper"]
    assert [i.system for i in whole] == ["ehr", "paper"]
    assert (old[0].start, old[0].end) == (D(2010, 1, 1), D(2012, 12, 31))


def test_billing_items_are_business_associate_requests_with_a_due_by_date() -> None:
    received = D(2025, 2, 10)
    items = build_checklist(demo_map(), Scope.of({"billing.claims"}), received=received)
    assert len(items) == 1
    item = items[0]
    assert item.ba_request and item.business_associate is not None
    assert "Meadowlark" in item.business_associate
    assert item.turnaround_days == 7
    assert item.due_by == D(2025, 2, 17)
    assert not item.after_request_due
    assert item.who == "Billing coordinator"


def test_vendor_turnaround_past_the_federal_due_date_is_flagged() -> None:
    m = demo_map()
    ba = dataclasses.replace(ba_of(m, "billing"), turnaround_days=45)
    m = replace_system(m, "billing", business_associate=ba)
    received = D(2024, 2, 1)
    [item] = build_checklist(m, Scope.of({"billing.payments"}), received=received)
    assert item.due_by == D(2024, 3, 17)
    assert item.due_by > federal_due(received)
    assert item.after_request_due


def test_practice_held_records_are_not_vendor_requests() -> None:
    items = build_checklist(demo_map(), Scope.of({"exceptions.legal_proceedings"}), D(2025, 1, 2))
    assert [(i.system, i.ba_request, i.due_by) for i in items] == [("office", False, None)]


def test_choosing_an_out_of_drs_category_produces_nothing() -> None:
    assert build_checklist(demo_map(), Scope.of({"internal.peer_review"})) == []


def test_unknown_category_in_scope_is_an_input_error() -> None:
    with pytest.raises(InvalidInput, match=r"billing\.unicorns"):
        build_checklist(demo_map(), Scope.of({"billing.unicorns"}))


def test_scope_dates_must_be_in_order() -> None:
    with pytest.raises(InvalidInput):
        Scope.of({"billing.claims"}, D(2024, 1, 2), D(2024, 1, 1))


def test_psychotherapy_notes_kept_separate_are_reviewed_not_produced() -> None:
    scope = Scope.of({"exceptions.psychotherapy_notes"})
    [item] = build_checklist(with_psychotherapy_notes(kept_separate=True), scope)
    assert item.action is ItemAction.REVIEW_FOR_DENIAL
    assert "written denial" in item.note


def test_notes_kept_in_the_chart_are_produced_despite_the_label() -> None:
    scope = Scope.of({"exceptions.psychotherapy_notes"})
    [item] = build_checklist(with_psychotherapy_notes(kept_separate=False), scope)
    assert item.action is ItemAction.PRODUCE
    assert "164.501" in item.note


# --- serialisation --------------------------------------------------------------------------------


def test_demo_map_round_trips_through_json() -> None:
    m = demo_map()
    text = json.dumps(to_dict(m))
    assert from_dict(json.loads(text)) == m
    assert json.loads(text)["effective"] == "2025-01-01"


def test_stored_map_with_a_missing_field_is_rejected() -> None:
    d = to_dict(demo_map())
    del d["responsibilities"]
    with pytest.raises(InvalidInput) as err:
        from_dict(d)
    assert err.value.field == "responsibilities"


@pytest.mark.parametrize(
    ("path", "bad", "field"),
    [
        (("practice",), 5, "practice"),
        (("version",), "2", "version"),
        (("systems", 0, "exchange_linked"), "yes", "exchange_linked"),
        (("systems", 0, "business_associate", "turnaround_days"), 5.5, "turnaround_days"),
        (("categories", 0, "in_drs"), 1, "in_drs"),
        (("systems", 0, "kind"), "fax machine", "map"),
        (("effective",), "01/01/2025", "map"),
    ],
)
def test_stored_map_with_a_wrong_value_type_is_rejected(
    path: tuple[str | int, ...], bad: object, field: str
) -> None:
    d = json.loads(json.dumps(to_dict(demo_map())))
    target = d
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = bad
    with pytest.raises(InvalidInput) as err:
        from_dict(d)
    assert err.value.field == field


def test_stored_map_from_an_unknown_schema_is_rejected() -> None:
    d = to_dict(demo_map()) | {"schema": 99}
    with pytest.raises(InvalidInput, match="unsupported"):
        from_dict(d)


_code = st.from_regex(r"[a-z][a-z0-9_.-]{0,12}", fullmatch=True)
_text = st.text(max_size=40)
_name = _text.filter(lambda s: bool(s.strip()))
_date = st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31))


@st.composite
def _systems(draw: st.DrawFn) -> RecordSystem:
    ba = draw(
        st.none()
        | st.builds(
            BusinessAssociate,
            _name,
            _text,
            _text,
            st.none() | st.integers(min_value=0, max_value=365),
        )
    )
    dates = sorted(draw(st.lists(_date, min_size=2, max_size=2)))
    return RecordSystem(
        id=draw(_code),
        name=draw(_name),
        kind=draw(st.sampled_from(SystemKind)),
        business_associate=ba,
        exchange_linked=draw(st.booleans()),
        holds_from=draw(st.none() | st.just(dates[0])),
        holds_until=draw(st.none() | st.just(dates[1])),
        notes=draw(_text),
    )


@st.composite
def _categories(draw: st.DrawFn) -> RecordCategory:
    in_drs = draw(st.booleans())
    exception = draw(st.sampled_from(AccessException)) if in_drs else AccessException.NONE
    return RecordCategory(
        code=draw(_code),
        title=draw(_name),
        group=draw(st.sampled_from(CategoryGroup)),
        in_drs=in_drs,
        rationale=draw(_text),
        exception=exception,
        kept_separate=draw(st.booleans()),
        examples=draw(_text),
    )


@st.composite
def drs_maps(draw: st.DrawFn) -> DrsMap:
    systems = draw(st.lists(_systems(), max_size=4, unique_by=lambda s: s.id))
    categories = draw(st.lists(_categories(), max_size=6, unique_by=lambda c: c.code))
    holdings: list[Holding] = []
    if systems and categories:
        pairs = draw(
            st.lists(
                st.tuples(st.sampled_from(categories), st.sampled_from(systems)),
                unique_by=lambda p: (p[0].code, p[1].id),
                max_size=8,
            )
        )
        for c, s in pairs:
            others = [o.id for o in systems if o.id != s.id]
            dup = draw(st.none() | st.sampled_from(others)) if others else None
            holdings.append(Holding(c.code, s.id, Retrieval(draw(_text), draw(_text)), dup))
    return DrsMap(
        practice=draw(_name),
        version=draw(st.integers(min_value=1, max_value=10_000)),
        effective=draw(_date),
        responsibilities=Responsibilities(
            access_titles=tuple(draw(st.lists(_text, max_size=3))),
            complaint_contact=Contact(draw(_text), draw(_text)),
            amendment_contact=Contact(draw(_text), draw(_text)),
        ),
        systems=tuple(systems),
        categories=tuple(categories),
        holdings=tuple(holdings),
    )


@given(drs_maps())
def test_any_map_round_trips_through_json(m: DrsMap) -> None:
    assert from_dict(json.loads(json.dumps(to_dict(m)))) == m
    # Whatever the map, review and the checklist run, and nothing outside the DRS is produced.
    gaps = review(m)
    assert all(g.message for g in gaps)
    items = build_checklist(m, Scope.whole())
    assert all(m.category(i.category).in_drs for i in items)
