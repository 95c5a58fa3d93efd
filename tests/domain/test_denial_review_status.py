"""The denial's and the review's own lifecycles: every (status, action) pair is either in
the table or refused with a reason (45 CFR 164.524(a)(3), (d), (d)(4))."""

from __future__ import annotations

import itertools

import pytest

from accessdesk_gui.domain.denials import (
    DENIAL_IN_PREPARATION,
    DENIAL_TRANSITIONS,
    DenialAction,
    DenialStatus,
    check_denial_transition,
    initial_denial_status,
)
from accessdesk_gui.domain.errors import RuleViolation
from accessdesk_gui.domain.review import (
    REVIEW_TRANSITIONS,
    ReviewAction,
    ReviewStatus,
    check_review_transition,
)

D, DA = DenialStatus, DenialAction
ALLOWED_DENIAL = {
    (D.DRAFT, DA.ROUTE): D.AWAITING_SIGNATURE,
    (D.AWAITING_SIGNATURE, DA.ROUTE): D.AWAITING_SIGNATURE,  # to another professional
    (D.AWAITING_SIGNATURE, DA.SIGN): D.SIGNED,
    (D.DRAFT, DA.ISSUE): D.ISSUED,
    (D.SIGNED, DA.ISSUE): D.ISSUED,
    (D.DRAFT, DA.DISCARD): D.DISCARDED,
    (D.AWAITING_SIGNATURE, DA.DISCARD): D.DISCARDED,
    (D.SIGNED, DA.DISCARD): D.DISCARDED,
}
REFUSED_DENIAL = {
    (D.DRAFT, DA.SIGN): "nothing to sign",
    (D.AWAITING_SIGNATURE, DA.ISSUE): "awaits the signed determination",
    (D.SIGNED, DA.ROUTE): "cannot be routed",
    (D.SIGNED, DA.SIGN): "nothing to sign",
    (D.ISSUED, DA.ROUTE): "already issued",
    (D.ISSUED, DA.SIGN): "nothing to sign",
    (D.ISSUED, DA.ISSUE): "already issued",
    (D.ISSUED, DA.DISCARD): "already issued",
    (D.DISCARDED, DA.ROUTE): "already discarded",
    (D.DISCARDED, DA.SIGN): "nothing to sign",
    (D.DISCARDED, DA.ISSUE): "already discarded",
    (D.DISCARDED, DA.DISCARD): "already discarded",
}


def test_every_denial_pair_is_classified_once() -> None:
    pairs = set(itertools.product(DenialStatus, DenialAction))
    assert set(ALLOWED_DENIAL) | set(REFUSED_DENIAL) == pairs
    assert not set(ALLOWED_DENIAL) & set(REFUSED_DENIAL)
    assert dict(DENIAL_TRANSITIONS) == ALLOWED_DENIAL


@pytest.mark.parametrize(("pair", "target"), ALLOWED_DENIAL.items(), ids=str)
def test_allowed_denial_transitions(pair, target) -> None:
    assert check_denial_transition(*pair) is target


@pytest.mark.parametrize(("pair", "why"), REFUSED_DENIAL.items(), ids=str)
def test_refused_denial_transitions_say_why(pair, why) -> None:
    with pytest.raises(RuleViolation, match=why) as exc:
        check_denial_transition(*pair, denial="Denial 7")
    assert exc.value.message.startswith("Denial 7 ")


def test_an_unsigned_reviewable_denial_names_who_must_sign() -> None:
    with pytest.raises(RuleViolation, match=r"of Dr\. Example \(45 CFR 164\.524\(a\)\(3\)\)"):
        check_denial_transition(D.AWAITING_SIGNATURE, DA.ISSUE, determiner="Dr. Example")


def test_a_reviewable_draft_starts_awaiting_the_determination() -> None:
    assert initial_denial_status(reviewable=True) is D.AWAITING_SIGNATURE
    assert initial_denial_status(reviewable=False) is D.DRAFT
    # Issued and discarded are final; everything else is still in preparation.
    assert {D.DRAFT, D.AWAITING_SIGNATURE, D.SIGNED} == DENIAL_IN_PREPARATION


R, RA = ReviewStatus, ReviewAction
ALLOWED_REVIEW = {
    (R.AWAITING_REFERRAL, RA.REFER): R.REFERRED,
    (R.REFERRED, RA.REFER): R.REFERRED,  # to another eligible official
    (R.REFERRED, RA.DECIDE): R.DECIDED,
}
REFUSED_REVIEW = {
    (R.AWAITING_REFERRAL, RA.DECIDE): "not referred",
    (R.DECIDED, RA.REFER): "already decided",
    (R.DECIDED, RA.DECIDE): "already decided",
}


def test_every_review_pair_is_classified_once() -> None:
    pairs = set(itertools.product(ReviewStatus, ReviewAction))
    assert set(ALLOWED_REVIEW) | set(REFUSED_REVIEW) == pairs
    assert dict(REVIEW_TRANSITIONS) == ALLOWED_REVIEW


@pytest.mark.parametrize(("pair", "target"), ALLOWED_REVIEW.items(), ids=str)
def test_allowed_review_transitions(pair, target) -> None:
    assert check_review_transition(*pair) is target


@pytest.mark.parametrize(("pair", "why"), REFUSED_REVIEW.items(), ids=str)
def test_refused_review_transitions_say_why(pair, why) -> None:
    with pytest.raises(RuleViolation, match=why):
        check_review_transition(*pair, review="Review 3")
