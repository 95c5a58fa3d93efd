"""42 CFR Part 2 records in the record set map, the checklist and directives (11.5)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from accessdesk_gui.domain import drs
from accessdesk_gui.domain.drs import (
    GapCode,
    Holding,
    ItemAction,
    RecordSystem,
    Retrieval,
    Scope,
    SystemKind,
    build_checklist,
    check_part2_release,
    from_dict,
    review,
    to_dict,
)
from accessdesk_gui.domain.drs_catalogue import demo_map, sud_counseling_notes
from accessdesk_gui.domain.errors import InvalidInput, RuleViolation

WHO = Retrieval("SUD program clerk", "Export from the program's record")


def part2_map(kept_separate: bool = True) -> drs.DrsMap:
    m = demo_map()
    program = RecordSystem("sud", "Hillside SUD program record", SystemKind.EHR, part2=True)
    return dataclasses.replace(
        m,
        systems=(*m.systems, program),
        categories=(*m.categories, sud_counseling_notes(kept_separate)),
        holdings=(
            *m.holdings,
            Holding("medical.sud_counseling_notes", "sud", WHO),
            Holding("medical.clinical_notes", "sud", WHO),
        ),
    )


def test_part2_items_are_flagged_and_kept_apart_after_the_rest() -> None:
    items = build_checklist(part2_map(), Scope.whole())
    flags = [it.part2 for it in items]
    assert any(flags) and flags == sorted(flags)  # every Part 2 item after every other
    part2 = [it for it in items if it.part2]
    assert {(it.category, it.system) for it in part2} == {
        ("medical.sud_counseling_notes", "sud"),
        ("medical.clinical_notes", "sud"),  # a plain category, but in the Part 2 system
    }
    assert all("42 CFR Part 2" in it.note and "2.31" in it.note for it in part2)
    assert not any(it.part2 for it in build_checklist(demo_map(), Scope.whole()))


def test_sud_counseling_notes_are_produced_never_offered_as_a_denial_ground() -> None:
    # Digest 11.5: whether they may be withheld is unverified.
    items = build_checklist(part2_map(), Scope.of(["medical.sud_counseling_notes"]))
    assert [it.action for it in items] == [ItemAction.PRODUCE]
    assert "SUD" not in " ".join(e.value for e in drs.AccessException).upper()


def test_sud_counseling_notes_in_the_chart_are_a_gap() -> None:
    codes = {g.code for g in review(part2_map(kept_separate=False))}
    assert GapCode.SUD_COUNSELING_NOTES_IN_CHART in codes
    assert GapCode.SUD_COUNSELING_NOTES_IN_CHART not in {g.code for g in review(part2_map())}


def test_sud_counseling_notes_are_part2_and_carry_no_access_exception() -> None:
    notes = sud_counseling_notes()
    with pytest.raises(InvalidInput, match="Part 2"):
        dataclasses.replace(notes, part2=False)
    with pytest.raises(InvalidInput, match="not an access exception"):
        dataclasses.replace(notes, exception=drs.AccessException.PSYCHOTHERAPY_NOTES)


def test_part2_marks_survive_storage_and_old_maps_read_as_none() -> None:
    m = part2_map()
    assert from_dict(to_dict(m)) == m
    plain = to_dict(demo_map())
    assert all("part2" not in c for c in plain["categories"])  # stored form unchanged
    assert all("part2" not in s for s in plain["systems"])


@pytest.mark.parametrize(
    ("directive", "part2", "consent", "refused"),
    [
        (True, True, False, True),
        (True, True, True, False),
        (True, False, False, False),
        (False, True, False, False),  # the patient's own access: no Part 2 consent needed
    ],
)
def test_a_directive_needs_part2_consent_for_part2_records(
    directive: bool, part2: bool, consent: bool, refused: bool
) -> None:
    if refused:
        with pytest.raises(RuleViolation, match=r"2\.31"):
            check_part2_release(directive, part2, consent)
    else:
        check_part2_release(directive, part2, consent)


def test_scope_has_part2_follows_the_categories_and_dates() -> None:
    m = part2_map()
    assert drs.scope_has_part2(m, Scope.whole())
    assert not drs.scope_has_part2(m, Scope.of(["billing.statements"]))
    assert drs.scope_has_part2(m, Scope.of(["medical.clinical_notes"], dt.date(2025, 1, 1)))
