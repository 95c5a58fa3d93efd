"""Denial grounds, rejected reasons, partial denials, letter elements and issue date."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accessdesk_gui.domain.deadlines import AccessKind
from accessdesk_gui.domain.denials import (
    EXPLANATIONS_ES,
    GROUNDS,
    INVALID_REASONS,
    LETTER_ELEMENT_RULES,
    REVIEWABLE,
    UNREVIEWABLE,
    DenialLetterFacts,
    DeniedPart,
    Extent,
    FactKind,
    GroundCode,
    GroundSelection,
    PartKind,
    RequestPart,
    Staff,
    ValidatedGround,
    check_denial_issue_date,
    denial_extent,
    explain_invalid_reason,
    find_invalid_reasons,
    ground,
    missing_letter_elements,
    released_parts,
    reviewable_denied_parts,
    validate_ground,
)
from accessdesk_gui.domain.errors import InvalidInput, RuleViolation
from accessdesk_gui.domain.intake import RequesterKind
from accessdesk_gui.domain.roles import Role

DR_LEE = Staff(
    "u-lee",
    "Dr Lee",
    frozenset({Role.LICENSED_PROFESSIONAL}),
    licence_type="MD",
    licence_number="A12345",
)
CLERK = Staff("u-clerk", "Pat Clerk", frozenset({Role.FRONT_DESK}))
UNLICENSED_ROLE_NO_NUMBER = Staff(
    "u-nn", "Dr Nonum", frozenset({Role.LICENSED_PROFESSIONAL}), licence_type="MD"
)

# Complete facts for each ground, as a user would record them.
GOOD_FACTS: dict[GroundCode, dict[str, str | bool]] = {
    GroundCode.PSYCHOTHERAPY_NOTES: {
        "kept_separately": True,
        "session_notes_only": True,
        "kept_by": "Dr Ng, PsyD",
    },
    GroundCode.LEGAL_PROCEEDING: {
        "proceeding": "Civil suit Doe v. Practice, County Court",
        "compiled_for_proceeding": True,
    },
    GroundCode.INMATE_COPY: {
        "institution": "County Jail",
        "acting_for_institution": True,
        "jeopardy": "Copy would identify staff and jeopardize security",
    },
    GroundCode.RESEARCH_IN_PROGRESS: {
        "study": "Protocol 22-114",
        "includes_treatment": True,
        "in_progress": True,
        "agreed_at_consent": True,
        "told_access_resumes": True,
    },
    GroundCode.PRIVACY_ACT: {
        "system_of_records": "VA 24VA10A7",
        "privacy_act_basis": "5 U.S.C. 552a(d)(5)",
    },
    GroundCode.CONFIDENTIAL_SOURCE: {
        "source": "Neighbour who called in confidence",
        "source_not_provider": True,
        "promise_of_confidentiality": True,
        "would_reveal_source": True,
    },
    GroundCode.ENDANGERMENT: {
        "endangered": "The patient's former partner",
        "danger": "Patient stated intent to locate and assault the partner named in the notes",
        "physical_not_emotional": True,
        "professional_judgment": True,
    },
    GroundCode.HARM_TO_OTHER_PERSON: {
        "other_person": "Patient's sibling",
        "other_not_provider": True,
        "harm": "Disclosure of the sibling's reports of abuse",
        "professional_judgment": True,
    },
    GroundCode.PERSONAL_REPRESENTATIVE_HARM: {
        "representative_name": "Sam Roe",
        "harmed_person": "The patient (a minor)",
        "harm": "Representative is under investigation for abuse of the patient",
        "professional_judgment": True,
    },
}


def selection(code: GroundCode, **overrides: object) -> GroundSelection:
    g = GROUNDS[code]
    withholds = AccessKind.COPY if g.copy_only else AccessKind.BOTH
    sel = GroundSelection(
        code=code,
        facts=dict(GOOD_FACTS[code]),
        withholds=withholds,
        determined_by=DR_LEE if g.reviewable else None,
    )
    return replace(sel, **overrides)  # type: ignore[arg-type]


def requester_for(code: GroundCode) -> RequesterKind:
    if GROUNDS[code].personal_representative_only:
        return RequesterKind.PERSONAL_REPRESENTATIVE
    return RequesterKind.INDIVIDUAL


def validate(
    sel: GroundSelection,
    *,
    requester_kind: RequesterKind | None = None,
    psychotherapy_notes_kept_separately: bool | None = True,
) -> ValidatedGround:
    return validate_ground(
        sel,
        requester_kind=requester_kind or requester_for(sel.code),
        psychotherapy_notes_kept_separately=psychotherapy_notes_kept_separately,
    )


# --- the catalogue -----------------------------------------------------------


def test_catalogue_holds_exactly_the_nine_lawful_grounds() -> None:
    assert set(GROUNDS) == set(GroundCode)
    assert len(GROUNDS) == 9
    assert set(UNREVIEWABLE) == {
        GroundCode.PSYCHOTHERAPY_NOTES,
        GroundCode.LEGAL_PROCEEDING,
        GroundCode.INMATE_COPY,
        GroundCode.RESEARCH_IN_PROGRESS,
        GroundCode.PRIVACY_ACT,
        GroundCode.CONFIDENTIAL_SOURCE,
    }
    assert set(REVIEWABLE) == {
        GroundCode.ENDANGERMENT,
        GroundCode.HARM_TO_OTHER_PERSON,
        GroundCode.PERSONAL_REPRESENTATIVE_HARM,
    }


@pytest.mark.parametrize("code", list(GroundCode))
def test_each_ground_is_fully_described(code: GroundCode) -> None:
    g = GROUNDS[code]
    assert g.code is code
    assert g.citation.startswith("45 CFR 164.524(a)")
    expected_para = (
        "(a)(3)"
        if g.reviewable
        else (
            "(a)(1)"
            if code in (GroundCode.PSYCHOTHERAPY_NOTES, GroundCode.LEGAL_PROCEEDING)
            else "(a)(2)"
        )
    )
    assert expected_para in g.citation
    assert len(g.scope) > 40 and len(g.explanation) > 40
    assert g.facts, "every ground records at least one fact"
    assert len({f.name for f in g.facts}) == len(g.facts)
    assert all(f.label.strip() for f in g.facts)
    assert EXPLANATIONS_ES[code].strip() and EXPLANATIONS_ES[code] != g.explanation
    if g.reviewable:
        assert "review" in g.explanation


def test_explanations_do_not_leak_internal_facts_into_letter() -> None:
    v = validate(selection(GroundCode.CONFIDENTIAL_SOURCE))
    assert "source" not in v.letter_facts
    v2 = validate(selection(GroundCode.PSYCHOTHERAPY_NOTES))
    assert v2.letter_facts == {"kept_by": "Dr Ng, PsyD"}


def test_unknown_ground_code_is_not_a_ground() -> None:
    with pytest.raises(RuleViolation, match="not a lawful ground"):
        ground("unpaid_bill")
    assert ground("privacy_act") is GROUNDS[GroundCode.PRIVACY_ACT]


# --- each ground accepted, and refused for each missing fact ---------------------


@pytest.mark.parametrize("code", list(GroundCode))
def test_each_ground_accepted_with_its_facts(code: GroundCode) -> None:
    v = validate(selection(code))
    assert v.ground is GROUNDS[code]
    assert set(v.facts) == {f.name for f in GROUNDS[code].facts}


_EACH_FACT = [(code, spec.name) for code, g in GROUNDS.items() for spec in g.facts]


@pytest.mark.parametrize(("code", "fact"), _EACH_FACT)
def test_each_ground_refused_with_each_fact_missing(code: GroundCode, fact: str) -> None:
    facts = dict(GOOD_FACTS[code])
    del facts[fact]
    label = next(f.label for f in GROUNDS[code].facts if f.name == fact)
    with pytest.raises(RuleViolation) as exc:
        validate(selection(code, facts=facts))
    assert label in exc.value.message
    assert GROUNDS[code].citation in exc.value.message


@pytest.mark.parametrize(("code", "fact"), _EACH_FACT)
def test_blank_text_or_unconfirmed_fact_refused(code: GroundCode, fact: str) -> None:
    spec = next(f for f in GROUNDS[code].facts if f.name == fact)
    facts = dict(GOOD_FACTS[code])
    facts[fact] = False if spec.kind is FactKind.CONFIRM else "   "
    with pytest.raises(
        RuleViolation, match="confirmed" if spec.kind is FactKind.CONFIRM else "recorded"
    ):
        validate(selection(code, facts=facts))


def test_text_facts_are_trimmed() -> None:
    facts = dict(GOOD_FACTS[GroundCode.PSYCHOTHERAPY_NOTES], kept_by="  Dr Ng  ")
    v = validate(selection(GroundCode.PSYCHOTHERAPY_NOTES, facts=facts))
    assert v.facts["kept_by"] == "Dr Ng"


def test_unknown_fact_name_is_refused_as_input() -> None:
    facts = dict(GOOD_FACTS[GroundCode.PRIVACY_ACT], colour="blue")
    with pytest.raises(InvalidInput) as exc:
        validate(selection(GroundCode.PRIVACY_ACT, facts=facts))
    assert exc.value.field == "colour"


# --- ground-specific conditions -----------------------------------------------------


def test_psychotherapy_notes_refused_when_kept_in_regular_chart() -> None:
    with pytest.raises(RuleViolation, match="regular chart"):
        validate(
            selection(GroundCode.PSYCHOTHERAPY_NOTES), psychotherapy_notes_kept_separately=False
        )


def test_psychotherapy_notes_refused_when_drs_map_is_silent() -> None:
    with pytest.raises(RuleViolation, match="designated record set map"):
        validate(
            selection(GroundCode.PSYCHOTHERAPY_NOTES), psychotherapy_notes_kept_separately=None
        )


def test_drs_flag_does_not_matter_for_other_grounds() -> None:
    v = validate(selection(GroundCode.LEGAL_PROCEEDING), psychotherapy_notes_kept_separately=False)
    assert v.ground.code is GroundCode.LEGAL_PROCEEDING


@pytest.mark.parametrize("withholds", [AccessKind.INSPECT, AccessKind.BOTH])
def test_inmate_ground_refused_for_inspection(withholds: AccessKind) -> None:
    with pytest.raises(RuleViolation, match="inspection must stay open"):
        validate(selection(GroundCode.INMATE_COPY, withholds=withholds))


def test_inmate_ground_accepted_for_copy_only() -> None:
    v = validate(selection(GroundCode.INMATE_COPY, withholds=AccessKind.COPY))
    assert v.withholds is AccessKind.COPY


def test_personal_representative_ground_refused_when_individual_asks() -> None:
    with pytest.raises(RuleViolation, match="personal representative"):
        validate(
            selection(GroundCode.PERSONAL_REPRESENTATIVE_HARM),
            requester_kind=RequesterKind.INDIVIDUAL,
        )


@pytest.mark.parametrize("code", REVIEWABLE)
def test_reviewable_grounds_need_a_determining_professional(code: GroundCode) -> None:
    with pytest.raises(RuleViolation, match="licensed health care professional"):
        validate(selection(code, determined_by=None))


@pytest.mark.parametrize("code", REVIEWABLE)
@pytest.mark.parametrize(
    ("who", "reason"),
    [(CLERK, "not licensed"), (UNLICENSED_ROLE_NO_NUMBER, "no licence type and number")],
)
def test_reviewable_grounds_refuse_unlicensed_determiner(
    code: GroundCode, who: Staff, reason: str
) -> None:
    with pytest.raises(RuleViolation, match=reason):
        validate(selection(code, determined_by=who))


def test_unreviewable_ground_keeps_no_determiner() -> None:
    v = validate(selection(GroundCode.PRIVACY_ACT, determined_by=DR_LEE))
    assert v.determined_by is None


# --- rejected reasons -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "cite"),
    [
        ("Reading this would cause her emotional distress", "emotional_harm", "FAQ 2046"),
        ("Risk of PSYCHOLOGICAL HARM to the patient", "emotional_harm", "FAQ 2046"),
        ("The patient seemed distressed at the last visit", "emotional_harm", "FAQ 2046"),
        ("He may not understand the terminology", "may_not_understand", "FAQ 2046"),
        ("Patient won't be able to understand it", "may_not_understand", "FAQ 2046"),
        ("She would be upset by the findings", "may_not_understand", "FAQ 2046"),
        ("The records might confuse him", "may_not_understand", "FAQ 2046"),
        ("Too technical for a layperson", "may_not_understand", "FAQ 2046"),
        ("Access could possibly cause harm", "mere_possibility_of_harm", "FAQ 2046"),
        ("There is a potential for harm", "mere_possibility_of_harm", "FAQ 2046"),
        ("Withholding just in case", "mere_possibility_of_harm", "FAQ 2046"),
        ("Patient has an unpaid bill", "unpaid_bill", "3.7"),
        ("Outstanding balance of $240", "unpaid_bill", "3.7"),
        ("He hasn’t paid for his last three visits", "unpaid_bill", "3.7"),
        ("Account past-due; owes the practice", "unpaid_bill", "3.7"),
        ("Account sent to collections", "unpaid_bill", "3.7"),
        ("These are records from another provider", "other_provider_records", "10.1"),
        ("Received from the previous hospital", "other_provider_records", "10.1"),
        ("Outside records, not our records", "other_provider_records", "10.1"),
        ("We didn't create these documents", "other_provider_records", "10.1"),
        ("CLIA lab exception", "clia_lab", "79 FR 7290"),
        ("Laboratory results must come from the lab", "clia_lab", "164.524"),
        ("Lab reports are excluded", "clia_lab", "164.524"),
    ],
)
def test_rejected_reasons_recognised_with_explanation(text: str, code: str, cite: str) -> None:
    assert code in {r.code for r in find_invalid_reasons(text)}
    explanation = explain_invalid_reason(text)
    assert explanation is not None
    assert "not" in explanation
    assert cite in explanation


def test_several_rejected_reasons_all_explained() -> None:
    text = "Unpaid bill, and she may not understand the lab results"
    codes = [r.code for r in find_invalid_reasons(text)]
    assert codes == ["may_not_understand", "unpaid_bill", "clia_lab"]
    explanation = explain_invalid_reason(text)
    assert explanation is not None and "3.7" in explanation and "FAQ 2046" in explanation


@pytest.mark.parametrize(
    "text",
    [
        "Psychotherapy notes kept separately by Dr Ng",
        "Information compiled for use in the pending lawsuit Doe v. Roe",
        "Dr Lee determined access is reasonably likely to endanger the life of the "
        "patient's former partner",
        "Inmate at County Jail; a copy would jeopardize security",
        "Research protocol 22-114 still in progress; patient agreed at consent",
        "Obtained from a neighbour under a promise of confidentiality",
        "Admitted with respiratory distress",
        "",
    ],
)
def test_ordinary_lawful_text_not_flagged(text: str) -> None:
    assert explain_invalid_reason(text) is None
    assert find_invalid_reasons(text) == []


def test_every_rejected_reason_cites_a_source() -> None:
    for r in INVALID_REASONS:
        assert (
            "45 CFR" in r.explanation or "FAQ" in r.explanation or "access-rules" in r.explanation
        )


@given(st.text(max_size=200))
def test_explain_invalid_reason_never_crashes(text: str) -> None:
    result = explain_invalid_reason(text)
    assert result is None or result.strip()


# --- partial denials ------------------------------------------------------------------

PARTS = (
    RequestPart("p1", PartKind.CATEGORY, "Therapy notes"),
    RequestPart(
        "p2", PartKind.DATE_RANGE, "Visits 2023", dt.date(2023, 1, 1), dt.date(2023, 12, 31)
    ),
    RequestPart("p3", PartKind.DOCUMENT, "Discharge summary 2024-03-02"),
)


def denied(
    part_id: str, code: GroundCode = GroundCode.LEGAL_PROCEEDING, **kw: object
) -> DeniedPart:
    return DeniedPart(part_id, selection(code, **kw))


def test_denial_of_some_parts_is_partial_and_rest_is_released() -> None:
    d = [denied("p1", GroundCode.PSYCHOTHERAPY_NOTES)]
    assert denial_extent(PARTS, d, AccessKind.BOTH) is Extent.PARTIAL
    assert [p.id for p in released_parts(PARTS, d, AccessKind.BOTH)] == ["p2", "p3"]


def test_denial_of_all_parts_is_full() -> None:
    d = [denied("p1"), denied("p2"), denied("p3")]
    assert denial_extent(PARTS, d, AccessKind.COPY) is Extent.FULL
    assert released_parts(PARTS, d, AccessKind.COPY) == []


def test_inmate_copy_denial_leaves_inspection_so_is_partial() -> None:
    d = [denied(p.id, GroundCode.INMATE_COPY, withholds=AccessKind.COPY) for p in PARTS]
    assert denial_extent(PARTS, d, AccessKind.BOTH) is Extent.PARTIAL
    assert len(released_parts(PARTS, d, AccessKind.BOTH)) == 3
    # When only a copy was asked for, withholding the copy withholds everything.
    assert denial_extent(PARTS, d, AccessKind.COPY) is Extent.FULL


def test_denial_must_name_known_parts_once() -> None:
    with pytest.raises(RuleViolation, match="not in the request"):
        denial_extent(PARTS, [denied("p9")], AccessKind.BOTH)
    with pytest.raises(RuleViolation, match="twice"):
        denial_extent(PARTS, [denied("p1"), denied("p1")], AccessKind.BOTH)
    with pytest.raises(RuleViolation, match="at least one part"):
        denial_extent(PARTS, [], AccessKind.BOTH)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"id": "p", "kind": PartKind.CATEGORY, "description": " "}, "description"),
        ({"id": " ", "kind": PartKind.CATEGORY, "description": "x"}, "part"),
        ({"id": "p", "kind": PartKind.DATE_RANGE, "description": "x"}, "dates"),
        (
            {
                "id": "p",
                "kind": PartKind.DATE_RANGE,
                "description": "x",
                "start": dt.date(2024, 2, 1),
                "end": dt.date(2024, 1, 1),
            },
            "dates",
        ),
    ],
)
def test_request_part_checks_its_input(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        RequestPart(**kwargs)  # type: ignore[arg-type]
    assert exc.value.field == field


def test_reviewable_denied_parts_picks_reviewable_grounds() -> None:
    d = [denied("p1", GroundCode.PSYCHOTHERAPY_NOTES), denied("p2", GroundCode.ENDANGERMENT)]
    assert [x.part_id for x in reviewable_denied_parts(d)] == ["p2"]


# --- letter elements -----------------------------------------------------------------

COMPLETE_LETTER = DenialLetterFacts(
    basis="The notes are psychotherapy notes kept separately.",
    grounds=(GroundCode.ENDANGERMENT,),
    review_instructions="Write to the Privacy Officer to ask for a review.",
    practice_contact="Privacy Officer",
    practice_phone="(555) 123-4567",
    hhs_complaint_included=True,
    hhs_180_day_limit_included=True,
)


def test_complete_letter_has_nothing_missing() -> None:
    assert missing_letter_elements(COMPLETE_LETTER) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"basis": " "}, "164.524(d)(2)(i)"),
        ({"grounds": ()}, "ground for the denial"),
        ({"review_instructions": ""}, "164.524(d)(2)(ii)"),
        ({"practice_contact": ""}, "name or title"),
        ({"practice_phone": ""}, "telephone"),
        ({"practice_phone": "ext 12"}, "telephone"),
        ({"hhs_complaint_included": False}, "160.306"),
        ({"hhs_180_day_limit_included": False}, "180 days"),
        ({"not_held_but_holder_known": True}, "164.524(d)(3)"),
        ({"partial": True}, "164.524(d)(1)"),
    ],
)
def test_each_missing_letter_element_reported(change: dict[str, object], expected: str) -> None:
    missing = missing_letter_elements(replace(COMPLETE_LETTER, **change))  # type: ignore[arg-type]
    assert len(missing) == 1
    assert expected in LETTER_ELEMENT_RULES[missing[0]]


def test_review_right_not_required_for_unreviewable_only_letter() -> None:
    letter = replace(
        COMPLETE_LETTER, grounds=(GroundCode.PSYCHOTHERAPY_NOTES,), review_instructions=""
    )
    assert missing_letter_elements(letter) == []


def test_partial_letter_with_release_and_holder_directions_is_complete() -> None:
    letter = replace(
        COMPLETE_LETTER,
        partial=True,
        released_description="All visit notes for 2023 are enclosed.",
        not_held_but_holder_known=True,
        holder_directions="Imaging is held by City Radiology, 1 Main St.",
    )
    assert missing_letter_elements(letter) == []


# --- issue deadline ------------------------------------------------------------------


def test_denial_issued_on_or_before_due_date_is_accepted() -> None:
    due = dt.date(2025, 3, 31)
    assert check_denial_issue_date(due, due) == 0
    assert check_denial_issue_date(dt.date(2025, 3, 1), due) == 30


def test_late_denial_refused_with_dates() -> None:
    with pytest.raises(RuleViolation) as exc:
        check_denial_issue_date(dt.date(2025, 4, 1), dt.date(2025, 3, 31))
    assert "2025-03-31" in exc.value.message and "2025-04-01" in exc.value.message
