"""Review of reviewable denials through the services: designation, conflict of interest,
signed determinations that the practice follows (45 CFR 164.524(a)(4), (d)(4))."""

from __future__ import annotations

import datetime as dt

import pytest

from accessdesk_gui.domain.denials import GroundCode
from accessdesk_gui.domain.errors import RuleViolation
from accessdesk_gui.domain.lifecycle import Status
from accessdesk_gui.domain.review import ReviewOutcome
from accessdesk_gui.letters import LetterKind
from accessdesk_gui.services import denials, letters, requests, review
from accessdesk_gui.services.denials import DraftInput, PartInput
from accessdesk_gui.services.errors import AuthenticationFailed, PermissionDenied
from accessdesk_gui.services.review import QueueKind, ReviewStatus
from tests.conftest import PASSWORD
from tests.denialflow_support import (
    FACTS,
    Office,
    log,
    pdf_image_count,
    pdf_text,
    set_up_office,
    tiny_png,
)

ISSUE = dt.date(2026, 2, 12)


@pytest.fixture
def office(store, admin, desk) -> Office:
    return set_up_office(store, admin, desk)


def _issued(o: Office, *, participants=(), drafter=None, extra_unreviewable=False) -> int:
    """A signed, issued denial of p2 and p3 on reviewable grounds (p1 released)."""
    drafter = drafter or o.desk
    rid = log(o.store, o.desk)
    parts = [
        PartInput("p1", "Visit notes 2020-2025"),
        PartInput(
            "p2", "Note of 2024-03-05", ground="endangerment", facts=FACTS[GroundCode.ENDANGERMENT]
        ),
        PartInput(
            "p3",
            "Family history pages",
            ground="harm_to_other_person",
            facts=FACTS[GroundCode.HARM_TO_OTHER_PERSON],
        ),
    ]
    if extra_unreviewable:
        parts.append(
            PartInput(
                "p4",
                "Litigation file",
                ground="legal_proceeding",
                facts=FACTS[GroundCode.LEGAL_PROCEEDING],
            )
        )
    did = denials.draft_denial(
        o.store,
        drafter,
        rid,
        DraftInput(
            parts=tuple(parts),
            rationale="Documented risk recorded in the chart.",
            determiner_id=o.patel.user_id,
            participant_ids=tuple(participants),
        ),
    )
    denials.sign_denial(o.store, o.patel, did, PASSWORD)
    denials.issue_denial(o.store, o.desk, did, ISSUE)
    return did


# -- designation ------------------------------------------------------------------------


def test_only_licensed_professionals_can_be_designated(office) -> None:
    with pytest.raises(RuleViolation, match="not licensed"):
        review.designate_reviewer(office.store, office.admin, office.desk.user_id)
    names = [o.full_name for o in review.reviewing_officials(office.store, office.desk)]
    assert names == ["Dr. Chidi Okafor-Test", "Dr. Lee Nguyễn-Sample"]


def test_front_desk_cannot_designate_reviewers(office) -> None:
    with pytest.raises(PermissionDenied, match="privacy_officer"):
        review.designate_reviewer(office.store, office.desk, office.patel.user_id)


# -- asking for review ------------------------------------------------------------------


def test_review_rights_never_expire(office) -> None:
    did = _issued(office)
    years_later = dt.date(2031, 6, 1)
    rv = review.request_review(office.store, office.desk, did, years_later)
    assert review.get_review(office.store, office.desk, rv).requested_on == years_later


def test_an_unreviewable_denial_cannot_be_reviewed(office) -> None:
    rid = log(office.store, office.desk)
    did = denials.draft_denial(
        office.store,
        office.desk,
        rid,
        DraftInput(
            parts=(
                PartInput(
                    "p1",
                    "Litigation file",
                    ground="legal_proceeding",
                    facts=FACTS[GroundCode.LEGAL_PROCEEDING],
                ),
                PartInput("p2", "Everything else"),
            )
        ),
    )
    denials.issue_denial(office.store, office.desk, did, ISSUE)
    with pytest.raises(RuleViolation, match="without a right of review"):
        review.request_review(office.store, office.desk, did, dt.date(2026, 2, 20))


def test_only_reviewable_parts_are_under_review(office) -> None:
    did = _issued(office, extra_unreviewable=True)
    rv = review.request_review(office.store, office.desk, did, dt.date(2026, 2, 20))
    assert [p.key for p in review.get_review(office.store, office.desk, rv).parts] == ["p2", "p3"]


# -- conflict of interest, in the service ------------------------------------------------


def test_the_determining_professional_cannot_review(office) -> None:
    review.designate_reviewer(office.store, office.admin, office.patel.user_id)
    did = _issued(office)
    rv = review.request_review(office.store, office.desk, did, dt.date(2026, 2, 20))
    with pytest.raises(RuleViolation, match="made the original determination"):
        review.assign_reviewer(
            office.store, office.desk, rv, office.patel.user_id, dt.date(2026, 2, 21)
        )


def test_the_drafter_cannot_review(office) -> None:
    did = _issued(office, drafter=office.lee)  # Dr Lee drafted, Dr Patel determined
    rv = review.request_review(office.store, office.desk, did, dt.date(2026, 2, 20))
    with pytest.raises(RuleViolation, match="drafted this denial"):
        review.assign_reviewer(
            office.store, office.desk, rv, office.lee.user_id, dt.date(2026, 2, 21)
        )


def test_a_recorded_participant_cannot_review(office) -> None:
    did = _issued(office, participants=[office.okafor.user_id])
    rv = review.request_review(office.store, office.desk, did, dt.date(2026, 2, 20))
    with pytest.raises(RuleViolation, match="took part in the original decision"):
        review.assign_reviewer(
            office.store, office.desk, rv, office.okafor.user_id, dt.date(2026, 2, 21)
        )
    candidates = {c.username: c for c in review.reviewer_candidates(office.store, office.desk, rv)}
    assert candidates["drlee"].eligible
    assert "took part" in candidates["drokafor"].reason
    assert "made the original determination" in candidates["drpatel"].reason
    assert "drafted this denial" in candidates["desk"].reason


def test_unlicensed_or_undesignated_users_never_review(office) -> None:
    did = _issued(office)
    rv = review.request_review(office.store, office.desk, did, dt.date(2026, 2, 20))
    with pytest.raises(RuleViolation, match="not licensed"):
        review.assign_reviewer(
            office.store, office.desk, rv, office.admin.user_id, dt.date(2026, 2, 21)
        )
    review.revoke_reviewer(office.store, office.admin, office.okafor.user_id)
    with pytest.raises(RuleViolation, match="not designated"):
        review.assign_reviewer(
            office.store, office.desk, rv, office.okafor.user_id, dt.date(2026, 2, 21)
        )


# -- the determination -------------------------------------------------------------------


def _referred(o: Office, **kw) -> tuple[int, int]:
    did = _issued(o, **kw)
    rv = review.request_review(o.store, o.desk, did, dt.date(2026, 2, 20))
    letter = review.assign_reviewer(o.store, o.desk, rv, o.lee.user_id, dt.date(2026, 2, 21))
    text = pdf_text(letter.pdf)
    assert "Dr. Lee Nguyễn-Sample" in text and "DO, licence DO-67890" in text
    assert "did not take part in the first decision" in text
    return did, rv


def test_only_the_assigned_reviewer_decides_with_password(office) -> None:
    _, rv = _referred(office)
    decided = dt.date(2026, 3, 1)
    with pytest.raises(PermissionDenied):
        review.decide_review(office.store, office.desk, rv, {}, ["p2", "p3"], decided, PASSWORD)
    with pytest.raises(PermissionDenied, match=r"referred to Dr\. Lee"):
        review.decide_review(office.store, office.okafor, rv, {}, ["p2", "p3"], decided, PASSWORD)
    with pytest.raises(AuthenticationFailed):
        review.decide_review(office.store, office.lee, rv, {}, ["p2", "p3"], decided, "wrong")
    with pytest.raises(RuleViolation, match="Decide every part"):
        review.decide_review(office.store, office.lee, rv, {}, ["p2"], decided, PASSWORD)
    assert review.get_review(office.store, office.desk, rv).status is ReviewStatus.REFERRED


def test_upheld_only_on_the_reviewable_standards(office) -> None:
    _, rv = _referred(office)
    with pytest.raises(RuleViolation, match="only on the standards"):
        review.decide_review(
            office.store,
            office.lee,
            rv,
            {"p2": GroundCode.LEGAL_PROCEEDING, "p3": GroundCode.HARM_TO_OTHER_PERSON},
            [],
            dt.date(2026, 3, 1),
            PASSWORD,
        )


def _uphold(o: Office, rv: int) -> denials.IssuedLetter:
    return review.decide_review(
        o.store,
        o.lee,
        rv,
        {"p2": GroundCode.ENDANGERMENT, "p3": GroundCode.HARM_TO_OTHER_PERSON},
        [],
        dt.date(2026, 3, 1),
        PASSWORD,
    )


def test_review_letters_carry_the_practice_logo_and_go_where_the_denial_went(
    office, tmp_path
) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(tiny_png())
    letters.set_logo_path(office.store, office.admin, str(logo))
    did, rv = _referred(office)
    assert pdf_image_count(_uphold(office, rv).pdf) == 1
    rid = denials.get_denial(office.store, office.desk, did).request_id
    issued = letters.list_letters(office.store, office.desk, rid)
    kinds = [x.kind for x in issued]
    assert kinds == [
        LetterKind.PARTIAL_DENIAL,
        LetterKind.REVIEW_REFERRAL,
        LetterKind.REVIEW_DETERMINATION,
    ]
    for x in issued:
        assert x.postal and x.recipient_address == (
            "48 Maple Avenue, Apt 2B",
            "Springfield, OR 97000",
        )
        assert pdf_image_count(letters.original_pdf(office.store, office.desk, x.id)) == 1


def test_uphold_keeps_the_denial_and_writes_the_letter(office) -> None:
    did, rv = _referred(office)
    rid = denials.get_denial(office.store, office.desk, did).request_id
    text = pdf_text(_uphold(office, rv).pdf)
    assert "The reviewer agreed with the first decision" in text
    assert "the Privacy Officer at 555-010-0199" in text and "180 days" in text
    v = review.get_review(office.store, office.desk, rv)
    assert v.outcome is ReviewOutcome.UPHOLD and v.signed_by == "Dr. Lee Nguyễn-Sample"
    assert requests.get_request(office.store, office.desk, rid).status is Status.PARTIALLY_DENIED


def test_a_reversal_reopens_the_request_at_once(office) -> None:
    did, rv = _referred(office)
    rid = denials.get_denial(office.store, office.desk, did).request_id
    # The released part was provided before the review.
    requests.fulfil(office.store, office.desk, rid, dt.date(2026, 2, 15), "Portal")
    letter = review.decide_review(
        office.store, office.lee, rv, {}, ["p2", "p3"], dt.date(2026, 3, 1), PASSWORD
    )
    assert "did not agree with the first decision" in pdf_text(letter.pdf)
    r = requests.get_request(office.store, office.desk, rid)
    assert r.status is Status.REVERSED_ON_REVIEW
    assert "Provide at once: Note of 2024-03-05; Family history pages" in r.timeline[-1].summary
    requests.fulfil(office.store, office.desk, rid, dt.date(2026, 3, 2), "Reversed parts sent")
    assert requests.get_request(office.store, office.desk, rid).status is Status.FULFILLED


def test_a_partial_reversal_releases_only_the_reversed_part(office) -> None:
    _, rv = _referred(office)
    letter = review.decide_review(
        office.store,
        office.lee,
        rv,
        {"p2": GroundCode.ENDANGERMENT},
        ["p3"],
        dt.date(2026, 3, 1),
        PASSWORD,
        rationale="Family member no longer at risk.",
    )
    text = pdf_text(letter.pdf)
    assert "We will give you: Family history pages" in text
    v = review.get_review(office.store, office.desk, rv)
    assert v.outcome is ReviewOutcome.PARTLY_REVERSE
    assert {p.key: p.upheld for p in v.parts} == {"p2": True, "p3": False}
    with pytest.raises(RuleViolation, match="already decided"):
        review.assign_reviewer(
            office.store, office.desk, rv, office.okafor.user_id, dt.date(2026, 3, 2)
        )


def test_a_rejected_reason_cannot_uphold(office) -> None:
    _, rv = _referred(office)
    with pytest.raises(RuleViolation, match="not a lawful reason"):
        review.decide_review(
            office.store,
            office.lee,
            rv,
            {"p2": GroundCode.ENDANGERMENT, "p3": GroundCode.HARM_TO_OTHER_PERSON},
            [],
            dt.date(2026, 3, 1),
            PASSWORD,
            rationale="She would be upset by it",
        )


# -- the physician's queue ----------------------------------------------------------------


def test_queue_shows_sign_offs_and_reviews_oldest_first_with_waiting_time(office) -> None:
    _, rv = _referred(office)  # Dr Lee reviews
    rid = log(office.store, office.desk)
    did = denials.draft_denial(
        office.store,
        office.desk,
        rid,
        DraftInput(
            parts=(
                PartInput(
                    "p1", "Note", ground="endangerment", facts=FACTS[GroundCode.ENDANGERMENT]
                ),
            ),
            determiner_id=office.lee.user_id,
        ),
    )
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=3)
    items = review.my_queue(office.store, office.lee, now=later)
    assert [(i.kind, i.review_id or i.denial_id) for i in items] == [
        (QueueKind.REVIEW, rv),
        (QueueKind.SIGN_OFF, did),
    ]
    assert items[0].since <= items[1].since
    assert all(i.waited_text.startswith(("2 days", "3 days")) for i in items)
    assert review.my_queue(office.store, office.okafor) == []
    denials.sign_denial(office.store, office.lee, did, PASSWORD)
    assert [i.kind for i in review.my_queue(office.store, office.lee)] == [QueueKind.REVIEW]
