"""Review of reviewable denials: who may review, what may be reviewed, outcomes."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accessdesk_gui.domain.deadlines import AccessKind
from accessdesk_gui.domain.denials import DeniedPart, GroundCode, GroundSelection, Staff
from accessdesk_gui.domain.errors import RuleViolation
from accessdesk_gui.domain.intake import RequesterKind
from accessdesk_gui.domain.review import (
    REVIEW_REQUEST_DEADLINE_DAYS,
    Involvement,
    ReviewDecision,
    ReviewOutcome,
    decide_review,
    eligible_reviewers,
    request_review,
    reviewer_eligibility,
)
from accessdesk_gui.domain.roles import Role

LP = frozenset({Role.LICENSED_PROFESSIONAL})


def pro(uid: str, name: str, **kw: object) -> Staff:
    fields: dict[str, object] = {"licence_type": "MD", "licence_number": f"N-{uid}"}
    fields.update(kw)
    return Staff(uid, name, LP, **fields)  # type: ignore[arg-type]


DR_A = pro("a", "Dr A")  # determined the denial
DR_B = pro("b", "Dr B")  # drafted the letter
DR_C = pro("c", "Dr C")  # consulted on the decision
DR_D = pro("d", "Dr D")  # uninvolved, designated
DR_E = pro("e", "Dr E")  # uninvolved, not designated
NURSE = Staff("n", "Nurse N", frozenset({Role.FRONT_DESK}))
NO_LICENCE = Staff("x", "Dr X", LP)

INVOLVEMENT = Involvement(
    designated_ids=frozenset({"a", "b", "c", "d", "n", "x"}),
    drafter_id="b",
    determiner_id="a",
    participant_ids=frozenset({"a", "b", "c"}),
)


def elig(candidate: Staff) -> tuple[bool, str]:
    e = reviewer_eligibility(
        candidate,
        INVOLVEMENT.designated_ids,
        INVOLVEMENT.drafter_id,
        INVOLVEMENT.determiner_id,
        INVOLVEMENT.participant_ids,
    )
    return e.ok, e.reason


def test_uninvolved_designated_licensed_professional_is_eligible() -> None:
    ok, reason = elig(DR_D)
    assert ok
    assert "Dr D" in reason and "MD N-d" in reason


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (DR_A, "Dr A made the original determination"),
        (DR_B, "Dr B drafted this denial"),
        (DR_C, "Dr C took part in the original decision"),
        (DR_E, "Dr E is not designated as a reviewing official"),
        (NURSE, "Nurse N is not licensed"),
        (NO_LICENCE, "Dr X has no licence type and number on file"),
        (pro("z", "Dr Z", licence_number=" "), "no licence type and number"),
    ],
)
def test_each_conflict_excludes_with_a_readable_reason(who: Staff, expected: str) -> None:
    ok, reason = elig(who)
    assert not ok
    assert expected in reason
    assert "164.524(a)(4)" in reason


def test_deactivated_account_is_excluded() -> None:
    ok, reason = elig(pro("d", "Dr D", active=False))
    assert not ok and "deactivated" in reason


def test_all_reasons_are_listed_together() -> None:
    ok, reason = elig(Staff("b", "Dr B", frozenset()))
    assert not ok
    assert "not licensed" in reason and "drafted this denial" in reason


def test_participant_only_via_participant_ids_without_drafter_or_determiner() -> None:
    e = reviewer_eligibility(DR_D, {"d"}, None, None, {"d"})
    assert not e.ok and "took part" in e.reason


def test_eligible_reviewers_lists_exclusions_with_reasons() -> None:
    choice = eligible_reviewers([DR_A, DR_B, DR_D, DR_E, NURSE], INVOLVEMENT)
    assert choice.eligible == (DR_D,)
    excluded = dict((s.id, r) for s, r in choice.excluded)
    assert set(excluded) == {"a", "b", "e", "n"}
    assert "drafted" in excluded["b"] and "not designated" in excluded["e"]


# --- asking for review -----------------------------------------------------------

ISSUED = dt.date(2024, 5, 1)
REVIEWABLE_PART = DeniedPart(
    "p1", GroundSelection(GroundCode.ENDANGERMENT, {}, AccessKind.BOTH, DR_A)
)
REVIEWABLE_PART_2 = DeniedPart(
    "p2", GroundSelection(GroundCode.HARM_TO_OTHER_PERSON, {}, AccessKind.BOTH, DR_A)
)
UNREVIEWABLE_PART = DeniedPart("p3", GroundSelection(GroundCode.PSYCHOTHERAPY_NOTES, {}))


def test_unreviewable_denial_cannot_be_reviewed() -> None:
    with pytest.raises(RuleViolation, match=r"cannot be reviewed.*Psychotherapy notes"):
        request_review([UNREVIEWABLE_PART], ISSUED, ISSUED)


def test_mixed_denial_reviews_only_reviewable_parts() -> None:
    r = request_review([UNREVIEWABLE_PART, REVIEWABLE_PART], ISSUED, ISSUED)
    assert [p.part_id for p in r.parts] == ["p1"]


def test_review_rights_never_expire() -> None:
    assert REVIEW_REQUEST_DEADLINE_DAYS is None
    years_later = ISSUED.replace(year=ISSUED.year + 12)
    r = request_review([REVIEWABLE_PART], ISSUED, years_later)
    assert r.requested_on == years_later


@given(st.integers(min_value=0, max_value=365 * 50))
def test_review_request_accepted_any_time_after_denial(days: int) -> None:
    later = ISSUED + dt.timedelta(days=days)
    assert request_review([REVIEWABLE_PART], ISSUED, later).requested_on == later


def test_review_cannot_be_requested_before_denial_issued() -> None:
    with pytest.raises(RuleViolation, match="before the denial"):
        request_review([REVIEWABLE_PART], ISSUED, ISSUED - dt.timedelta(days=1))


# --- outcomes --------------------------------------------------------------------

REVIEW = request_review([REVIEWABLE_PART, REVIEWABLE_PART_2], ISSUED, dt.date(2024, 6, 1))
DECIDED = dt.date(2024, 6, 10)


def decide(
    upheld: dict[str, GroundCode],
    reviewer: Staff = DR_D,
    requester_kind: RequesterKind = RequesterKind.INDIVIDUAL,
) -> ReviewDecision:
    return decide_review(REVIEW, reviewer, INVOLVEMENT, upheld, DECIDED, requester_kind)


def test_uphold_all_parts() -> None:
    d = decide_review(
        REVIEW,
        DR_D,
        INVOLVEMENT,
        {"p1": GroundCode.ENDANGERMENT, "p2": GroundCode.HARM_TO_OTHER_PERSON},
        DECIDED,
        RequesterKind.INDIVIDUAL,
    )
    assert d.outcome is ReviewOutcome.UPHOLD
    assert d.release_part_ids == ()


def test_reverse_all_parts() -> None:
    d = decide_review(REVIEW, DR_D, INVOLVEMENT, {}, DECIDED, RequesterKind.INDIVIDUAL)
    assert d.outcome is ReviewOutcome.REVERSE
    assert d.release_part_ids == ("p1", "p2")


def test_partly_reverse() -> None:
    d = decide_review(
        REVIEW,
        DR_D,
        INVOLVEMENT,
        {"p2": GroundCode.ENDANGERMENT},  # reviewer may rely on another (a)(3) standard
        DECIDED,
        RequesterKind.INDIVIDUAL,
    )
    assert d.outcome is ReviewOutcome.PARTLY_REVERSE
    assert d.release_part_ids == ("p1",)


def test_review_may_not_uphold_on_unreviewable_ground() -> None:
    with pytest.raises(RuleViolation, match=r"164.524\(a\)\(3\)"):
        decide({"p1": GroundCode.LEGAL_PROCEEDING})


def test_review_may_not_uphold_pr_ground_when_individual_asked() -> None:
    with pytest.raises(RuleViolation, match="personal representative"):
        decide({"p1": GroundCode.PERSONAL_REPRESENTATIVE_HARM})
    d = decide_review(
        REVIEW,
        DR_D,
        INVOLVEMENT,
        {"p1": GroundCode.PERSONAL_REPRESENTATIVE_HARM},
        DECIDED,
        RequesterKind.PERSONAL_REPRESENTATIVE,
    )
    assert d.outcome is ReviewOutcome.PARTLY_REVERSE


def test_review_refuses_part_not_under_review() -> None:
    with pytest.raises(RuleViolation, match="not under review"):
        decide({"p3": GroundCode.ENDANGERMENT})


@pytest.mark.parametrize("who", [DR_A, DR_B, DR_C, DR_E, NURSE])
def test_ineligible_reviewer_cannot_decide(who: Staff) -> None:
    with pytest.raises(RuleViolation, match="may not review"):
        decide({}, reviewer=who)


def test_decision_cannot_predate_request() -> None:
    with pytest.raises(RuleViolation, match="before it was requested"):
        decide_review(REVIEW, DR_D, INVOLVEMENT, {}, dt.date(2024, 5, 2), RequesterKind.INDIVIDUAL)
