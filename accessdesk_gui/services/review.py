"""Review of a reviewable denial (45 CFR 164.524(a)(4), (d)(4); access-rules 5).

- The practice designates reviewing officials: licensed professionals only.
- The requester may ask for review at any time (no deadline, access-rules 5.4); only
  the parts denied on a 164.524(a)(3) ground are reviewed.
- The review is referred to a designated official who did not take part in the
  denial: the drafter, the determining professional and every recorded participant are
  excluded by the rules in domain/review.py, here in the service, whatever the caller.
- The reviewer decides on the (a)(3) standards only and signs by entering their
  password again. The practice must follow the determination: reversed parts reopen
  the request at once (lifecycle REVERSED_ON_REVIEW) and the determination letter is
  produced for mailing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accessdesk_gui.domain import lifecycle
from accessdesk_gui.domain import review as rules
from accessdesk_gui.domain.denials import (
    GROUNDS,
    DenialStatus,
    GroundCode,
    is_reviewable,
    licence_problem,
    reviewable_denied_parts,
)
from accessdesk_gui.domain.errors import RuleViolation
from accessdesk_gui.domain.intake import RequesterKind, check_text
from accessdesk_gui.domain.lifecycle import Action, Status

# The review's statuses and their transitions are the domain's (domain/review.py); the UI
# imports them from here.
from accessdesk_gui.domain.review import REVIEW_STATUS_LABELS as REVIEW_STATUS_LABELS
from accessdesk_gui.domain.review import (
    Involvement,
    ReviewAction,
    ReviewOutcome,
    check_review_transition,
)
from accessdesk_gui.domain.review import ReviewStatus as ReviewStatus
from accessdesk_gui.domain.roles import Role
from accessdesk_gui.letters import LetterData, LetterKind, unmet_elements
from accessdesk_gui.services import denials
from accessdesk_gui.services._common import now as _now
from accessdesk_gui.services._common import record_event, snapshot
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.services.denial_letters import (
    IssuedLetter,
    denied_parts,
    issue_pdf,
    load_denial,
    part_label,
)
from accessdesk_gui.services.denials import (
    check_reentry,
    make_signature,
    record_timeline,
    staff_of,
)
from accessdesk_gui.services.errors import NotFound, PermissionDenied
from accessdesk_gui.services.letter_parts import (
    addressee,
    letterhead,
    signature_signer,
    staff_signer,
)
from accessdesk_gui.store import audit
from accessdesk_gui.store.db import Store
from accessdesk_gui.store.denial_models import (
    Denial,
    DeterminationPart,
    ReviewDetermination,
    ReviewerAssignment,
    ReviewingOfficial,
    ReviewRequest,
)
from accessdesk_gui.store.models import User

# ---------------------------------------------------------------------------------------
# Designated reviewing officials (settings)
# ---------------------------------------------------------------------------------------


def designate_reviewer(store: Store, actor: Actor, user_id: int) -> None:
    """Designate a reviewing official: a licensed professional only (524(a)(4), (d)(4))."""
    actor.require(Role.PRIVACY_OFFICER, "designate reviewing officials")
    with store.write() as s:
        u = s.get(User, user_id)
        if u is None or not u.active:
            raise NotFound(f"There is no active user with id {user_id}.")
        problem = licence_problem(staff_of(u))
        if problem is not None:
            raise RuleViolation(
                "Only a licensed health care professional can be a reviewing official "
                f"(45 CFR 164.524(a)(4)): {problem}."
            )
        if s.get(ReviewingOfficial, u.id) is not None:
            raise RuleViolation(f"{u.full_name} is already a designated reviewing official.")
        s.add(ReviewingOfficial(user_id=u.id, designated_by_id=actor.user_id, designated_at=_now()))
        s.flush()
        audit.append(
            s,
            actor.username,
            "reviewer_designated",
            "user",
            u.id,
            None,
            {"full_name": u.full_name, "licence": f"{u.licence_type} {u.licence_number}"},
        )


def revoke_reviewer(store: Store, actor: Actor, user_id: int) -> None:
    actor.require(Role.PRIVACY_OFFICER, "change the reviewing officials")
    with store.write() as s:
        row = s.get(ReviewingOfficial, user_id)
        if row is None:
            raise NotFound(f"User {user_id} is not a designated reviewing official.")
        s.delete(row)
        audit.append(s, actor.username, "reviewer_revoked", "user", user_id, {"designated": True})


@dataclass(frozen=True)
class Official:
    user_id: int
    username: str
    full_name: str
    licence: str


def reviewing_officials(store: Store, actor: Actor) -> list[Official]:
    actor.require_staff()
    with store.read() as s:
        rows = s.scalars(select(ReviewingOfficial)).all()
        out = [
            Official(
                r.user_id,
                r.user.username,
                r.user.full_name,
                f"{r.user.licence_type} {r.user.licence_number}",
            )
            for r in rows
        ]
    return sorted(out, key=lambda o: o.full_name)


# ---------------------------------------------------------------------------------------
# Asking for review
# ---------------------------------------------------------------------------------------


def _load_review(s: Session, review_id: int) -> ReviewRequest:
    rv = s.get(ReviewRequest, review_id)
    if rv is None:
        raise NotFound(f"There is no review number {review_id}.")
    return rv


def request_review(
    store: Store, actor: Actor, denial_id: int, requested_on: dt.date, note: str = ""
) -> int:
    """Record that the requester asked for review. Never refused for lateness (5.4)."""
    actor.require_staff()
    note = check_text("note", note, limit=2000)
    with store.write() as s:
        d = load_denial(s, denial_id)
        if d.status != DenialStatus.ISSUED or d.issued_on is None:
            raise RuleViolation(
                f"Denial {d.id} has not been issued; a review is asked for after the letter."
            )
        rules.request_review(denied_parts(d), d.issued_on, requested_on)
        existing = s.scalar(select(ReviewRequest.id).where(ReviewRequest.denial_id == d.id))
        if existing is not None:
            raise RuleViolation(
                f"A review of denial {d.id} was already asked for (review {existing}); the "
                "reviewer's determination is final (45 CFR 164.524(d)(4))."
            )
        rv = ReviewRequest(
            denial_id=d.id,
            requested_on=requested_on,
            note=note,
            recorded_by_id=actor.user_id,
            status=ReviewStatus.AWAITING_REFERRAL.value,
            created_at=_now(),
        )
        s.add(rv)
        s.flush()
        record_timeline(
            s,
            actor,
            d.request,
            "review_requested",
            f"Review of denial {d.id} asked for on {requested_on.isoformat()} (review {rv.id}); "
            "refer it promptly to a reviewing official.",
            requested_on,
        )
        audit.append(
            s,
            actor.username,
            "review_requested",
            "review",
            rv.id,
            None,
            {"denial_id": d.id, "requested_on": requested_on.isoformat(), "note": note},
        )
        return rv.id


def _involvement(s: Session, d: Denial) -> Involvement:
    designated = s.scalars(select(ReviewingOfficial.user_id)).all()
    determiner = d.signature.user_id if d.signature else d.determiner_id
    return Involvement(
        designated_ids=frozenset(str(i) for i in designated),
        drafter_id=str(d.drafter_id),
        determiner_id=str(determiner) if determiner is not None else None,
        participant_ids=frozenset(str(p.user_id) for p in d.participants),
    )


@dataclass(frozen=True)
class Candidate:
    user_id: int
    username: str
    full_name: str
    eligible: bool
    reason: str  # why they may review, or every reason they may not


def reviewer_candidates(store: Store, actor: Actor, review_id: int) -> list[Candidate]:
    """Every active user, eligible first, each with the reason (524(a)(4), (d)(4))."""
    actor.require_staff()
    with store.read() as s:
        rv = _load_review(s, review_id)
        inv = _involvement(s, rv.denial)
        users = s.scalars(select(User).where(User.active).order_by(User.full_name)).all()
        out = []
        for u in users:
            e = inv.eligibility(staff_of(u))
            out.append(Candidate(u.id, u.username, u.full_name, e.ok, e.reason))
    return sorted(out, key=lambda c: (not c.eligible, c.full_name))


def _postal(d: Denial) -> bool:
    """Whether the review letters' window holds a postal address (they follow the denial's)."""
    return addressee(d.request, "en", address=d.letter_address).postal


def _referral_letter(
    s: Session, actor: Actor, rv: ReviewRequest, reviewer: User, on: dt.date
) -> LetterData:
    d, r = rv.denial, rv.denial.request
    return LetterData(
        kind=LetterKind.REVIEW_REFERRAL,
        language="en",
        letterhead=letterhead(s),
        recipient=addressee(r, "en", address=d.letter_address).recipient,
        letter_date=on,
        request_number=str(r.id),
        patient_name=r.patient_name,
        signer=staff_signer(actor, "en"),
        fields=MappingProxyType(
            {
                "review_requested_date": rv.requested_on,
                "reviewer_name": reviewer.full_name,
                "reviewer_licence": f"{reviewer.licence_type}, licence {reviewer.licence_number}",
            }
        ),
    )


def assign_reviewer(
    store: Store, actor: Actor, review_id: int, reviewer_id: int, referred_on: dt.date
) -> IssuedLetter:
    """Refer the review to an eligible reviewing official; produce the referral letter."""
    actor.require_staff()
    with store.write() as s:
        rv = _load_review(s, review_id)
        new_status = check_review_transition(
            ReviewStatus(rv.status), ReviewAction.REFER, f"Review {rv.id}"
        )
        if referred_on < rv.requested_on:
            raise RuleViolation("A review cannot be referred before it was asked for.")
        u = s.get(User, reviewer_id)
        if u is None:
            raise NotFound(f"There is no user with id {reviewer_id}.")
        e = _involvement(s, rv.denial).eligibility(staff_of(u))
        if not e.ok:
            raise RuleViolation(f"{u.full_name} cannot review this denial: {e.reason}")
        for a in rv.assignments:
            a.active = False
        data = _referral_letter(s, actor, rv, u, referred_on)
        r = rv.denial.request
        pdf, digest = issue_pdf(s, actor, r, data, _postal(rv.denial))
        a = ReviewerAssignment(
            review_id=rv.id,
            reviewer_id=u.id,
            assigned_by_id=actor.user_id,
            assigned_at=_now(),
            referred_on=referred_on,
            eligibility=e.reason,
            active=True,
            letter_sha256=digest,
            letter_pdf=pdf,
        )
        s.add(a)
        rv.status = new_status.value
        s.flush()
        record_timeline(
            s,
            actor,
            rv.denial.request,
            "review_referred",
            f"Review {rv.id} referred to {u.full_name} ({u.licence_type} {u.licence_number}), "
            "who did not take part in the denial; referral letter produced.",
            referred_on,
        )
        audit.append(
            s,
            actor.username,
            "review_referred",
            "review",
            rv.id,
            None,
            {"reviewer_id": u.id, "referred_on": referred_on.isoformat(), "letter_sha256": digest},
        )
        return IssuedLetter(LetterKind.REVIEW_REFERRAL, digest, pdf)


# ---------------------------------------------------------------------------------------
# The determination
# ---------------------------------------------------------------------------------------


def _active_assignment(rv: ReviewRequest) -> ReviewerAssignment | None:
    return next((a for a in rv.assignments if a.active), None)


def decide_review(
    store: Store,
    actor: Actor,
    review_id: int,
    upheld: Mapping[str, GroundCode],
    reversed_parts: Collection[str],
    decided_on: dt.date,
    password: str,
    rationale: str = "",
) -> IssuedLetter:
    """The reviewer's signed determination on the (a)(3) standards only (524(d)(4)).

    Every part under review is named once, as upheld (with the standard relied on) or
    reversed. Reversed parts reopen the request at once; the letter is produced.
    """
    actor.require(Role.LICENSED_PROFESSIONAL, "decide a review")
    rationale = check_text("rationale", rationale, limit=4000)
    problem = denials.reason_problem(rationale)
    if problem is not None:
        raise RuleViolation(f"This is not a lawful reason to uphold a denial. {problem}")
    with store.write() as s:
        rv = _load_review(s, review_id)
        a = _active_assignment(rv)
        if rv.status == ReviewStatus.DECIDED:
            check_review_transition(ReviewStatus(rv.status), ReviewAction.DECIDE, f"Review {rv.id}")
        if a is None or a.reviewer_id != actor.user_id:
            who = a.reviewer.full_name if a else "nobody yet"
            raise PermissionDenied(
                f"Review {rv.id} is referred to {who}; only the assigned reviewing official "
                "can decide it."
            )
        under = [p.part_id for p in reviewable_denied_parts(denied_parts(rv.denial))]
        named = list(upheld) + list(reversed_parts)
        unknown = [k for k in named if k not in under]
        if unknown:
            raise RuleViolation(
                f"Not under review: {', '.join(unknown)}. The parts under review are "
                f"{', '.join(under)} (only (a)(3) grounds are reviewed)."
            )
        twice = {k for k in named if named.count(k) > 1}
        if twice:
            raise RuleViolation(f"Decide each part once: {', '.join(sorted(twice))}.")
        missing = [k for k in under if k not in named]
        if missing:
            raise RuleViolation(
                f"Decide every part under review: say whether {', '.join(missing)} is upheld "
                "or reversed."
            )
        check_reentry(s, actor, password, f"review {review_id}")
        d, r = rv.denial, rv.denial.request
        user = s.get(User, actor.user_id)
        assert user is not None
        request = rules.request_review(denied_parts(d), d.issued_on or decided_on, rv.requested_on)
        decision = rules.decide_review(
            request,
            staff_of(user),
            _involvement(s, d),
            dict(upheld),
            decided_on,
            RequesterKind(r.requester_kind),
        )
        sig = make_signature(
            s,
            user,
            f"Review determination ({rules.OUTCOME_LABELS[decision.outcome]}) on the standards "
            "of 45 CFR 164.524(a)(3), as a designated reviewing official who did not take part "
            "in the original decision.",
        )
        det = ReviewDetermination(
            review_id=rv.id,
            reviewer_id=user.id,
            decided_on=decided_on,
            outcome=decision.outcome.value,
            rationale=rationale,
            signature_id=sig.id,
            letter_sha256="",
        )
        s.add(det)
        s.flush()
        parts_by_key = {p.part_key: p for p in d.parts}
        for key in under_review_keys(request):
            s.add(
                DeterminationPart(
                    determination_id=det.id,
                    denial_part_id=parts_by_key[key].id,
                    upheld=key in decision.upheld,
                    standard=decision.upheld[key].value if key in decision.upheld else "",
                )
            )
        released = [part_label(parts_by_key[k]) for k in decision.release_part_ids]
        fields: dict[str, object] = {
            "outcome": decision.outcome,
            "reviewer_name": sig.full_name,
            "reviewer_licence": f"{sig.licence_type}, licence {sig.licence_number}",
        }
        settings = denials.get_letter_settings_in(s)
        if decision.outcome is not ReviewOutcome.REVERSE:
            fields["complaint_contact"] = settings.complaint_contact
            fields["complaint_phone"] = settings.complaint_phone
        if decision.outcome is ReviewOutcome.PARTLY_REVERSE:
            fields["released_description"] = "; ".join(released)
        data = LetterData(
            kind=LetterKind.REVIEW_DETERMINATION,
            language="en",
            letterhead=letterhead(s),
            recipient=addressee(r, "en", address=d.letter_address).recipient,
            letter_date=decided_on,
            request_number=str(r.id),
            patient_name=r.patient_name,
            signer=signature_signer(sig),
            fields=MappingProxyType(fields),
        )
        missing = [e.sentence.rstrip(".") for e in unmet_elements(data)]
        if missing:
            raise RuleViolation(
                "The determination letter cannot be produced: it lacks " + "; ".join(missing) + "."
            )
        pdf, digest = issue_pdf(s, actor, r, data, _postal(d))
        det.letter_sha256 = digest
        det.letter_pdf = pdf
        rv.status = check_review_transition(
            ReviewStatus(rv.status), ReviewAction.DECIDE, f"Review {rv.id}"
        ).value
        label = rules.OUTCOME_LABELS[decision.outcome]
        if decision.release_part_ids:
            # The practice must follow the determination (524(d)(4)): reopen at once.
            before = snapshot(r)
            r.status = lifecycle.check_transition(Status(r.status), Action.RELEASE_ON_REVIEW).value
            r.closed_on = None
            r.close_note = ""
            record_event(
                s,
                actor,
                r,
                Action.RELEASE_ON_REVIEW.value,
                f"Review {rv.id}: {label}, signed by {sig.full_name}. Provide at once: "
                f"{'; '.join(released)}.",
                decided_on,
                before,
            )
        else:
            record_timeline(
                s,
                actor,
                r,
                "review_decided",
                f"Review {rv.id}: {label}, signed by {sig.full_name}.",
                decided_on,
            )
        audit.append(
            s,
            actor.username,
            "review_decided",
            "review",
            rv.id,
            None,
            {
                "outcome": decision.outcome.value,
                "upheld": {k: v.value for k, v in decision.upheld.items()},
                "released": list(decision.release_part_ids),
                "decided_on": decided_on.isoformat(),
                "signature_id": sig.id,
                "letter_sha256": digest,
            },
        )
        return IssuedLetter(LetterKind.REVIEW_DETERMINATION, digest, pdf)


def under_review_keys(request: rules.ReviewRequest) -> list[str]:
    return [p.part_id for p in request.parts]


# ---------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewPart:
    key: str
    description: str
    ground: GroundCode
    upheld: bool | None  # None until decided
    standard: GroundCode | None


@dataclass(frozen=True)
class ReviewView:
    id: int
    denial_id: int
    request_id: int
    patient_name: str
    status: ReviewStatus
    requested_on: dt.date
    note: str
    denial_rationale: str
    determiner: str
    parts: tuple[ReviewPart, ...]  # the parts under review (reviewable grounds only)
    reviewer: str
    reviewer_id: int | None
    referred_on: dt.date | None
    outcome: ReviewOutcome | None
    decided_on: dt.date | None
    signed_by: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "denial_id": self.denial_id,
            "request_id": self.request_id,
            "status": self.status.value,
            "requested_on": self.requested_on.isoformat(),
            "reviewer": self.reviewer or None,
            "referred_on": self.referred_on.isoformat() if self.referred_on else None,
            "outcome": self.outcome.value if self.outcome else None,
            "decided_on": self.decided_on.isoformat() if self.decided_on else None,
            "signed_by": self.signed_by or None,
            "parts": [
                {
                    "key": p.key,
                    "description": p.description,
                    "ground": p.ground.value,
                    "upheld": p.upheld,
                    "standard": p.standard.value if p.standard else None,
                }
                for p in self.parts
            ],
        }


def _view(s: Session, rv: ReviewRequest) -> ReviewView:
    d = rv.denial
    det = s.scalar(select(ReviewDetermination).where(ReviewDetermination.review_id == rv.id))
    decided = {dp.part.part_key: dp for dp in det.parts} if det else {}
    parts = tuple(
        ReviewPart(
            p.part_key,
            part_label(p),
            GroundCode(p.ground_code),
            decided[p.part_key].upheld if p.part_key in decided else None,
            (
                GroundCode(decided[p.part_key].standard)
                if p.part_key in decided and decided[p.part_key].standard
                else None
            ),
        )
        for p in d.parts
        if p.ground_code and is_reviewable(GroundCode(p.ground_code))
    )
    a = _active_assignment(rv)
    return ReviewView(
        id=rv.id,
        denial_id=d.id,
        request_id=d.request_id,
        patient_name=d.request.patient_name,
        status=ReviewStatus(rv.status),
        requested_on=rv.requested_on,
        note=rv.note,
        denial_rationale=d.rationale,
        determiner=d.signature.full_name if d.signature else "",
        parts=parts,
        reviewer=a.reviewer.full_name if a else "",
        reviewer_id=a.reviewer_id if a else None,
        referred_on=a.referred_on if a else None,
        outcome=ReviewOutcome(det.outcome) if det else None,
        decided_on=det.decided_on if det else None,
        signed_by=det.signature.full_name if det else "",
    )


def get_review(store: Store, actor: Actor, review_id: int) -> ReviewView:
    actor.require_staff()
    with store.read() as s:
        view = _view(s, _load_review(s, review_id))
    audit.record_view(store, actor.username, "review_viewed", "review", review_id, view.request_id)
    return view


def reviews_for_denial(store: Store, actor: Actor, denial_id: int) -> list[ReviewView]:
    actor.require_staff()
    with store.read() as s:
        rows = s.scalars(select(ReviewRequest).where(ReviewRequest.denial_id == denial_id)).all()
        views = [_view(s, rv) for rv in rows]
    if views:  # an empty list shows nothing of the patient's beyond the denial itself
        audit.record_view(
            store, actor.username, "reviews_viewed", "denial", denial_id, views[0].request_id
        )
    return views


def determination_pdf(store: Store, actor: Actor, review_id: int) -> bytes:
    actor.require_staff()
    with store.read() as s:
        det = s.scalar(
            select(ReviewDetermination).where(ReviewDetermination.review_id == review_id)
        )
        if det is None or det.letter_pdf is None:
            raise RuleViolation(f"Review {review_id} has not been decided yet.")
        pdf, request_id = bytes(det.letter_pdf), _load_review(s, review_id).denial.request_id
    audit.record_view(
        store, actor.username, "review_letter_viewed", "review", review_id, request_id
    )
    return pdf


# ---------------------------------------------------------------------------------------
# The physician's queue
# ---------------------------------------------------------------------------------------


class QueueKind(StrEnum):
    SIGN_OFF = "sign_off"
    REVIEW = "review"


@dataclass(frozen=True)
class QueueItem:
    kind: QueueKind
    denial_id: int
    review_id: int | None
    request_id: int
    patient_name: str
    since: dt.datetime
    waited: dt.timedelta
    summary: str

    @property
    def waited_text(self) -> str:
        days = self.waited.days
        if days >= 1:
            return f"{days} day{'s' if days != 1 else ''}"
        hours = self.waited.seconds // 3600
        if hours >= 1:
            return f"{hours} hour{'s' if hours != 1 else ''}"
        return "less than an hour"


def my_queue(store: Store, actor: Actor, now: dt.datetime | None = None) -> list[QueueItem]:
    """What awaits this professional's sign-off or review, oldest first."""
    actor.require_staff()
    now = now or _now()
    items: list[QueueItem] = []
    with store.read() as s:
        waiting = s.scalars(
            select(Denial).where(
                Denial.status == DenialStatus.AWAITING_SIGNATURE.value,
                Denial.determiner_id == actor.user_id,
            )
        ).all()
        for d in waiting:
            since = d.routed_at or d.created_at
            titles = sorted(
                {GROUNDS[GroundCode(p.ground_code)].title for p in d.parts if p.ground_code}
            )
            items.append(
                QueueItem(
                    QueueKind.SIGN_OFF,
                    d.id,
                    None,
                    d.request_id,
                    d.request.patient_name,
                    since,
                    now - since,
                    f"Sign-off: denial {d.id} ({', '.join(titles)}), drafted by "
                    f"{d.drafter.full_name}",
                )
            )
        assigned = s.scalars(
            select(ReviewerAssignment).where(
                ReviewerAssignment.reviewer_id == actor.user_id, ReviewerAssignment.active
            )
        ).all()
        for a in assigned:
            rv = a.review
            if rv.status != ReviewStatus.REFERRED:
                continue
            items.append(
                QueueItem(
                    QueueKind.REVIEW,
                    rv.denial_id,
                    rv.id,
                    rv.denial.request_id,
                    rv.denial.request.patient_name,
                    a.assigned_at,
                    now - a.assigned_at,
                    f"Review {rv.id} of denial {rv.denial_id}, asked for on "
                    f"{rv.requested_on.isoformat()}",
                )
            )
    return sorted(items, key=lambda i: (i.since, i.denial_id))


def open_reviews(store: Store, actor: Actor) -> list[ReviewView]:
    """Reviews not yet decided, oldest first (for whoever refers them)."""
    actor.require_staff()
    with store.read() as s:
        rows = s.scalars(
            select(ReviewRequest)
            .where(ReviewRequest.status != ReviewStatus.DECIDED.value)
            .order_by(ReviewRequest.requested_on, ReviewRequest.id)
        ).all()
        return [_view(s, rv) for rv in rows]
