"""Review of a reviewable denial (45 CFR 164.524(a)(4), (d)(4); access-rules 5).

Only denials on the grounds of 164.524(a)(3) may be reviewed. The reviewer is a
licensed health care professional, designated by the practice as reviewing
official, who did not participate in the original decision. The reviewer decides
on the (a)(3) standards only, and the practice must follow the determination.

The patient may ask for review at any time: the rule sets no deadline, so review
rights never expire here (access-rules 5.4, our reading).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from accessdesk_gui.domain.denials import (
    GROUNDS,
    DeniedPart,
    GroundCode,
    Staff,
    ground,
    licence_problem,
    reviewable_denied_parts,
)
from accessdesk_gui.domain.errors import RuleViolation
from accessdesk_gui.domain.intake import RequesterKind

# No time limit for asking for a review (access-rules 5.4). Kept as an explicit
# constant so that nobody adds one by accident.
REVIEW_REQUEST_DEADLINE_DAYS: int | None = None


# ---------------------------------------------------------------------------
# Who may review
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    ok: bool
    reason: str


def reviewer_eligibility(
    candidate: Staff,
    designated_ids: Collection[str],
    drafter_id: str | None,
    determiner_id: str | None,
    participant_ids: Collection[str],
) -> Eligibility:
    """Whether ``candidate`` may review this denial, with every reason they may not."""
    reasons: list[str] = []
    if not candidate.active:
        reasons.append(f"{candidate.name}'s account is deactivated")
    problem = licence_problem(candidate)
    if problem is not None:
        reasons.append(problem)
    if candidate.id not in designated_ids:
        reasons.append(f"{candidate.name} is not designated as a reviewing official")
    if candidate.id == determiner_id:
        reasons.append(f"{candidate.name} made the original determination")
    if candidate.id == drafter_id:
        reasons.append(f"{candidate.name} drafted this denial")
    if candidate.id in participant_ids and candidate.id not in (determiner_id, drafter_id):
        reasons.append(f"{candidate.name} took part in the original decision")
    if reasons:
        return Eligibility(False, "; ".join(reasons) + " (45 CFR 164.524(a)(4)).")
    return Eligibility(
        True,
        f"{candidate.name} ({candidate.licence_type} {candidate.licence_number}) is a "
        "designated reviewing official who did not take part in the decision.",
    )


@dataclass(frozen=True)
class Involvement:
    """Who had a hand in the original denial, and who the practice designated to review."""

    designated_ids: frozenset[str]
    drafter_id: str | None = None
    determiner_id: str | None = None
    participant_ids: frozenset[str] = frozenset()

    def eligibility(self, candidate: Staff) -> Eligibility:
        return reviewer_eligibility(
            candidate,
            self.designated_ids,
            self.drafter_id,
            self.determiner_id,
            self.participant_ids,
        )


@dataclass(frozen=True)
class ReviewerChoice:
    eligible: tuple[Staff, ...]
    excluded: tuple[tuple[Staff, str], ...]  # each with the reason it is excluded


def eligible_reviewers(candidates: Iterable[Staff], involvement: Involvement) -> ReviewerChoice:
    """Split candidates into those who may review and those who may not, with reasons."""
    eligible: list[Staff] = []
    excluded: list[tuple[Staff, str]] = []
    for c in candidates:
        e = involvement.eligibility(c)
        if e.ok:
            eligible.append(c)
        else:
            excluded.append((c, e.reason))
    return ReviewerChoice(tuple(eligible), tuple(excluded))


# ---------------------------------------------------------------------------
# Asking for review
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRequest:
    denial_issued: dt.date
    requested_on: dt.date
    parts: tuple[DeniedPart, ...]  # the reviewable parts under review


def request_review(
    denied: Collection[DeniedPart], denial_issued: dt.date, requested_on: dt.date
) -> ReviewRequest:
    """Open a review of the reviewable parts of a denial. Never refused for lateness."""
    if requested_on < denial_issued:
        raise RuleViolation(
            f"A review cannot be requested on {requested_on.isoformat()}, before the denial "
            f"was issued on {denial_issued.isoformat()}."
        )
    parts = reviewable_denied_parts(denied)
    if not parts:
        titles = sorted({GROUNDS[d.selection.code].title for d in denied})
        raise RuleViolation(
            "This denial cannot be reviewed: it rests only on grounds without a right of "
            f"review ({', '.join(titles)}; 45 CFR 164.524(a)(1)-(2)). Only denials under "
            "164.524(a)(3) may be reviewed."
        )
    # Deliberately no upper limit: REVIEW_REQUEST_DEADLINE_DAYS is None.
    return ReviewRequest(denial_issued, requested_on, parts)


# ---------------------------------------------------------------------------
# The reviewer's determination
# ---------------------------------------------------------------------------


class ReviewOutcome(StrEnum):
    UPHOLD = "uphold"
    REVERSE = "reverse"
    PARTLY_REVERSE = "partly_reverse"


OUTCOME_LABELS = {
    ReviewOutcome.UPHOLD: "Denial upheld",
    ReviewOutcome.REVERSE: "Denial reversed: provide access",
    ReviewOutcome.PARTLY_REVERSE: "Denial partly reversed: provide the reversed parts",
}


@dataclass(frozen=True)
class ReviewDecision:
    outcome: ReviewOutcome
    reviewer: Staff
    decided_on: dt.date
    upheld: Mapping[str, GroundCode]  # part id -> (a)(3) standard relied on
    release_part_ids: tuple[str, ...]  # the practice must now provide these


def decide_review(
    review: ReviewRequest,
    reviewer: Staff,
    involvement: Involvement,
    upheld: Mapping[str, GroundCode],
    decided_on: dt.date,
    requester_kind: RequesterKind,
) -> ReviewDecision:
    """Record the reviewer's determination; parts not upheld are reversed.

    Each upheld part must rest on a standard of 164.524(a)(3); nothing else may
    support the denial on review (164.524(d)(4)).
    """
    eligibility = involvement.eligibility(reviewer)
    if not eligibility.ok:
        raise RuleViolation(f"This person may not review the denial: {eligibility.reason}")
    if decided_on < review.requested_on:
        raise RuleViolation("The review cannot be decided before it was requested.")
    under_review = [p.part_id for p in review.parts]
    for part_id, code in upheld.items():
        if part_id not in under_review:
            raise RuleViolation(f"The part {part_id} is not under review.")
        g = ground(code)
        if not g.reviewable:
            raise RuleViolation(
                f"On review a denial may be upheld only on the standards of 45 CFR "
                f"164.524(a)(3); '{g.title}' is not one of them."
            )
        if g.personal_representative_only and (
            requester_kind is not RequesterKind.PERSONAL_REPRESENTATIVE
        ):
            raise RuleViolation(
                f"'{g.title}' ({g.citation}) applies only when a personal representative asked."
            )
    released = tuple(p for p in under_review if p not in upheld)
    if not released:
        outcome = ReviewOutcome.UPHOLD
    elif len(released) == len(under_review):
        outcome = ReviewOutcome.REVERSE
    else:
        outcome = ReviewOutcome.PARTLY_REVERSE
    return ReviewDecision(outcome, reviewer, decided_on, dict(upheld), released)


# ---------------------------------------------------------------------------
# A review's own lifecycle
# ---------------------------------------------------------------------------


class ReviewStatus(StrEnum):
    AWAITING_REFERRAL = "awaiting_referral"
    REFERRED = "referred"
    DECIDED = "decided"


class ReviewAction(StrEnum):
    REFER = "refer"  # to a designated official who took no part (164.524(d)(4))
    DECIDE = "decide"  # the reviewer's signed determination


REVIEW_STATUS_LABELS: dict[ReviewStatus, str] = {
    ReviewStatus.AWAITING_REFERRAL: "Asked for; to be referred",
    ReviewStatus.REFERRED: "With the reviewer",
    ReviewStatus.DECIDED: "Decided",
}

# (from, action) -> to. A referred review may be referred again (another official); the
# determination is final: the practice must follow it (164.524(d)(4)).
REVIEW_TRANSITIONS: dict[tuple[ReviewStatus, ReviewAction], ReviewStatus] = {
    (ReviewStatus.AWAITING_REFERRAL, ReviewAction.REFER): ReviewStatus.REFERRED,
    (ReviewStatus.REFERRED, ReviewAction.REFER): ReviewStatus.REFERRED,
    (ReviewStatus.REFERRED, ReviewAction.DECIDE): ReviewStatus.DECIDED,
}


def check_review_transition(
    status: ReviewStatus, action: ReviewAction, review: str = "This review"
) -> ReviewStatus:
    """Return the review's new status or refuse with a reason a user can read."""
    target = REVIEW_TRANSITIONS.get((status, action))
    if target is not None:
        return target
    if status is ReviewStatus.DECIDED:
        reason = "is already decided; the determination is final (45 CFR 164.524(d)(4))"
    else:  # deciding before a referral
        reason = "is not referred to a reviewing official yet; refer it first"
    raise RuleViolation(f"{review} {reason}.")
