"""164.526 as the amendment rules state it: clock, extension, grounds, acceptance, letter,
statement of disagreement and rebuttal (access-rules 8)."""

from __future__ import annotations

import datetime as dt

import pytest

from accessdesk_gui.domain import amendments as am
from accessdesk_gui.domain.errors import InvalidInput, RuleViolation
from accessdesk_gui.domain.right_clocks import AMENDMENT_CLOCK, check_extension

R = dt.date(2026, 3, 1)


def test_due_sixty_days_after_receipt_latest_ninety() -> None:
    assert AMENDMENT_CLOCK.due(R) == dt.date(2026, 4, 30)
    assert AMENDMENT_CLOCK.latest(R) == dt.date(2026, 5, 30)


def test_extension_notice_on_day_sixty_is_in_time_day_sixty_one_is_not() -> None:
    ext = check_extension(
        AMENDMENT_CLOCK, R, R + dt.timedelta(60), "Chart off-site", R + dt.timedelta(90), False
    )
    assert ext.complete_by == dt.date(2026, 5, 30)
    with pytest.raises(RuleViolation, match="within 60 days"):
        check_extension(
            AMENDMENT_CLOCK, R, R + dt.timedelta(61), "late", R + dt.timedelta(90), False
        )


@pytest.mark.parametrize(
    ("reasons", "complete_by", "already", "message"),
    [
        ("Chart off-site", R + dt.timedelta(91), False, "at most 30 days"),
        ("   ", R + dt.timedelta(80), False, "reasons"),
        ("Chart off-site", R + dt.timedelta(60), False, "after the original due date"),
        ("Chart off-site", R + dt.timedelta(80), True, "only one"),
    ],
)
def test_extension_guards(reasons: str, complete_by: dt.date, already: bool, message: str) -> None:
    with pytest.raises(RuleViolation, match=message):
        check_extension(AMENDMENT_CLOCK, R, R + dt.timedelta(10), reasons, complete_by, already)


def test_only_the_four_grounds() -> None:
    assert am.check_grounds(["accurate_and_complete"], False) == (
        am.GroundCode.ACCURATE_AND_COMPLETE,
    )
    assert len(am.GROUNDS) == 4
    with pytest.raises(RuleViolation, match="only these four"):
        am.check_grounds(["doctor_disagrees"], False)
    with pytest.raises(RuleViolation, match="needs its ground"):
        am.check_grounds([], False)


def test_not_created_here_is_no_ground_when_the_originator_is_gone() -> None:
    assert am.check_grounds(["not_created_by_practice"], False)
    with pytest.raises(RuleViolation, match="no longer"):
        am.check_grounds(["not_created_by_practice"], True)


def test_written_request_only_when_patients_were_told() -> None:
    am.check_written(False, writing_required=True, patients_told=False)
    am.check_written(True, writing_required=True, patients_told=True)
    with pytest.raises(RuleViolation, match="in writing"):
        am.check_written(False, writing_required=True, patients_told=True)


def test_a_decided_request_cannot_be_decided_again_and_statements_follow_denials() -> None:
    assert (
        am.check_transition(am.Status.RECEIVED, am.Action.ACCEPT_PART) is am.Status.PARTLY_ACCEPTED
    )
    with pytest.raises(RuleViolation, match="already denied"):
        am.check_transition(am.Status.DENIED, am.Action.ACCEPT)
    with pytest.raises(RuleViolation, match="follows a denial"):
        am.check_transition(am.Status.ACCEPTED, am.Action.DISAGREE)
    assert (
        am.check_transition(am.Status.PARTLY_ACCEPTED, am.Action.DISAGREE)
        is am.Status.PARTLY_ACCEPTED
    )


def test_acceptance_names_records_from_the_map_and_needs_agreement_to_notify() -> None:
    change = am.RecordChange("Chart EHR", "Allergy list", am.Change.AMENDED)
    relier = am.Notifyee("Lakeside Lab", am.NotifyWhy.KNOWN_RELIER)
    am.check_acceptance([change], [relier], True, ["chart ehr", "Billing"])
    with pytest.raises(RuleViolation, match=r"164\.526\(c\)\(1\)"):
        am.check_acceptance([], [], True, None)
    with pytest.raises(InvalidInput, match="not a system"):
        am.check_acceptance(
            [am.RecordChange("Shoebox", "x", am.Change.LINKED)], [], True, ["Chart EHR"]
        )
    with pytest.raises(RuleViolation, match="agreement"):
        am.check_acceptance([change], [relier], False, None)


def _facts(**kw: object) -> am.DenialLetterFacts:
    base: dict[str, object] = dict(
        grounds=(am.GroundCode.ACCURATE_AND_COMPLETE,),
        basis_detail="The blood pressure reading was checked against the device log.",
        disagreement_how="Write to the Privacy Officer at 1 Main St.",
        no_statement_option=True,
        complaint_contact="Privacy Officer",
        complaint_phone="555-010-0199",
        hhs_complaint=True,
    )
    base.update(kw)
    return am.DenialLetterFacts(**base)  # type: ignore[arg-type]


def test_letter_complete_has_no_missing_element() -> None:
    assert am.missing_letter_elements(_facts()) == []


@pytest.mark.parametrize(
    ("change", "element"),
    [
        ({"grounds": ()}, am.LetterElement.BASIS),
        ({"basis_detail": " "}, am.LetterElement.BASIS),
        ({"disagreement_how": ""}, am.LetterElement.DISAGREEMENT_HOW),
        ({"no_statement_option": False}, am.LetterElement.NO_STATEMENT_OPTION),
        ({"complaint_contact": ""}, am.LetterElement.COMPLAINT_CONTACT),
        ({"complaint_phone": "555-01"}, am.LetterElement.COMPLAINT_PHONE),
        ({"hhs_complaint": False}, am.LetterElement.HHS_COMPLAINT),
    ],
)
def test_each_element_of_164_526_d_1_is_checked(
    change: dict[str, object], element: am.LetterElement
) -> None:
    assert am.missing_letter_elements(_facts(**change)) == [element]


def test_statement_of_disagreement_length_limit_at_its_edge() -> None:
    assert am.check_statement("x" * 500, 500) == "x" * 500
    with pytest.raises(InvalidInput, match="limits statements of disagreement to 500"):
        am.check_statement("x" * 501, 500)
    with pytest.raises(InvalidInput, match="empty"):
        am.check_statement("  ", None)
    assert am.check_statement("y" * 5000, None)


def test_rebuttal_needs_a_statement_and_what_goes_with_later_disclosures() -> None:
    with pytest.raises(RuleViolation, match="there is none"):
        am.check_rebuttal("We stand by it.", has_statement=False)
    assert am.check_rebuttal(" We stand by it. ", has_statement=True) == "We stand by it."
    carried = am.carried_with_disclosures(am.Status.DENIED, True, True, False)
    assert carried[-1] == "the rebuttal" and "the statement of disagreement" in carried
    assert am.carried_with_disclosures(am.Status.DENIED, False, False, True) == (
        "the amendment request",
        "the denial",
    )
    assert am.carried_with_disclosures(am.Status.DENIED, False, False, False) == ()
    with pytest.raises(RuleViolation, match="already go with"):
        am.check_ask_to_carry(has_statement=True)


def test_late_decision_counts_its_days_late() -> None:
    due = AMENDMENT_CLOCK.due(R)
    assert am.check_action_date(due, R, due) == 0
    assert am.check_action_date(due + dt.timedelta(1), R, due) == 1
    with pytest.raises(RuleViolation, match="before the request was received"):
        am.check_action_date(R - dt.timedelta(1), R, due)
