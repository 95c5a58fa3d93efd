"""Denials of access, in whole or in part, on the lawful grounds only (45 CFR 164.524(a), (d)).

The rules live in domain/denials.py and are applied here, never rewritten:

- every denied part rests on a ground of the catalogue (``validate_ground``); a reason
  typed as free text that is not a ground is refused with the reason why
  (``explain_invalid_reason``, access-rules 4.3);
- a reviewable ground (164.524(a)(3)) is routed to a licensed professional, who signs the
  determination by entering their password again; the signature (who, licence, when) is
  recorded and printed in the letter;
- the letter is composed from the grounds and the practice's settings
  (services/denial_letters.py, with the parts every letter shares) and is refused while
  any 164.524(d)(2)-(3) element is missing, or after the request's effective due date
  (access-rules 4.4-4.7);
- a denial's own status moves only along the domain's table (``check_denial_transition``);
- issuing moves the request to DENIED or PARTIALLY_DENIED through the lifecycle, with
  its timeline event and audit entries in the same transaction; a partly denied request
  stays open for the rest (164.524(d)(1)).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accessdesk_gui.domain import lifecycle
from accessdesk_gui.domain.deadlines import AccessKind
from accessdesk_gui.domain.denials import (
    DENIAL_IN_PREPARATION,
    DENIAL_STATUS_LABELS,
    GROUNDS,
    DenialAction,
    DenialStatus,
    DeniedPart,
    Extent,
    FactKind,
    FactValue,
    GroundCode,
    GroundSelection,
    PartKind,
    RequestPart,
    Staff,
    check_denial_issue_date,
    check_denial_transition,
    denial_extent,
    explain_invalid_reason,
    ground,
    initial_denial_status,
    is_reviewable,
    licence_problem,
    validate_ground,
)
from accessdesk_gui.domain.errors import InvalidInput, RuleViolation
from accessdesk_gui.domain.intake import RequesterKind, check_text
from accessdesk_gui.domain.lifecycle import Action, Status
from accessdesk_gui.domain.roles import Role
from accessdesk_gui.letters import LetterKind

# Letter composition lives in services/denial_letters.py; its public names are the
# denial service's too (the UI and the CLI import them from here).
from accessdesk_gui.services import drs as drs_service
from accessdesk_gui.services._common import load_request, record_event, snapshot
from accessdesk_gui.services.auth import Actor, parse_roles, password_matches
from accessdesk_gui.services.denial_letters import (
    ComposedLetter,
    IssuedLetter,
    LetterSettings,
    compose,
    get_letter_settings_in,
    issue_pdf,
    join_parts,
    letter_settings_row,
    load_denial,
    missing_message,
)
from accessdesk_gui.services.errors import AuthenticationFailed, NotFound, PermissionDenied
from accessdesk_gui.store import audit
from accessdesk_gui.store.db import Store
from accessdesk_gui.store.denial_models import (
    Denial,
    DenialPart,
    DenialParticipant,
    DenialSettings,
    Signature,
)
from accessdesk_gui.store.models import AccessRequest, TimelineEvent, User

# Public names, with those of the domain and of denial_letters that callers take from here.
__all__ = [
    "STATUS_LABELS",
    "ComposedLetter",
    "DenialStatus",
    "DenialView",
    "DraftInput",
    "IssuedLetter",
    "LetterSettings",
    "PartInput",
    "PartView",
    "SignatureView",
    "StaffOption",
    "check_reentry",
    "compose_draft",
    "compose_letter",
    "denials_for_request",
    "determiner_options",
    "discard_denial",
    "draft_denial",
    "get_denial",
    "get_letter_settings",
    "get_letter_settings_in",
    "issue_denial",
    "letter_pdf",
    "make_signature",
    "preview_letter",
    "reason_problem",
    "record_timeline",
    "route_denial",
    "set_complaint_contact",
    "sign_denial",
    "staff_of",
    "user_id_by_name",
    "verify_reentry",
    "view_of",
]

# The denial's statuses and their transitions are the domain's (domain/denials.py).
STATUS_LABELS = DENIAL_STATUS_LABELS

_OPEN_REQUEST = (Status.RECEIVED, Status.IN_PROGRESS, Status.EXTENDED)
_JUDGMENT = "professional_judgment"  # the fact the licensed professional's signature supplies


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# ---------------------------------------------------------------------------------------
# Practice settings the letters need
# ---------------------------------------------------------------------------------------


def get_letter_settings(store: Store) -> LetterSettings:
    with store.read() as s:
        return get_letter_settings_in(s)


def set_complaint_contact(
    store: Store, actor: Actor, contact: str, phone: str, review_how: str = ""
) -> LetterSettings:
    """Who takes complaints, by name or title, and their phone (164.524(d)(2)(iii), 530(d))."""
    actor.require(Role.PRIVACY_OFFICER, "change the complaint contact")
    contact = check_text("complaint_contact", contact, required=True, limit=200)
    phone = check_text("complaint_phone", phone, required=True, limit=40)
    if sum(c.isdigit() for c in phone) < 7:
        raise InvalidInput("complaint_phone", "needs at least 7 digits.")
    review_how = check_text("review_how", review_how, limit=2000)
    with store.write() as s:
        row = letter_settings_row(s)
        before = None
        if row is None:
            row = DenialSettings(updated_at=_now())
            s.add(row)
        else:
            before = {
                "complaint_contact": row.complaint_contact,
                "complaint_phone": row.complaint_phone,
                "review_how": row.review_how,
            }
        row.complaint_contact, row.complaint_phone, row.review_how = contact, phone, review_how
        row.updated_at = _now()
        s.flush()
        after = {"complaint_contact": contact, "complaint_phone": phone, "review_how": review_how}
        audit.append(s, actor.username, "letter_settings_set", "settings", row.id, before, after)
    return LetterSettings(contact, phone, review_how)


# ---------------------------------------------------------------------------------------
# Drafting
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartInput:
    """One named part of what was asked. ``ground`` blank: the part is released."""

    key: str
    description: str
    kind: PartKind = PartKind.CATEGORY
    start: dt.date | None = None
    end: dt.date | None = None
    ground: str = ""  # a GroundCode value; anything else is checked and refused
    facts: Mapping[str, FactValue] = field(default_factory=dict)
    withholds: AccessKind = AccessKind.BOTH


@dataclass(frozen=True)
class DraftInput:
    parts: tuple[PartInput, ...]
    rationale: str = ""  # internal, shown to the reviewer
    letter_detail: str = ""  # optional plain-language detail printed in the letter
    other_holder: str = ""  # 164.524(d)(3)
    letter_address: str = ""  # blank: the request's mailing address
    # Whether psychotherapy notes are kept separately from the chart (access-rules 10.3).
    # None: unknown, and the psychotherapy-notes ground is refused. The DRS map will
    # supply this; until then the caller states it explicitly.
    psychotherapy_notes_kept_separately: bool | None = None
    determiner_id: int | None = None  # licensed professional, for reviewable grounds
    participant_ids: tuple[int, ...] = ()


def reason_problem(text: str) -> str | None:
    """Why a free-text reason is not a ground for denial, or None (access-rules 4.3)."""
    return explain_invalid_reason(text) if text.strip() else None


def _check_reason(field_name: str, text: str) -> None:
    problem = reason_problem(text)
    if problem is not None:
        raise InvalidInput(field_name, f"this is not a lawful reason to deny access. {problem}")


def _code_or_none(text: str) -> GroundCode | None:
    try:
        return GroundCode(text.strip())
    except ValueError:
        return None


def _ground_code(part: PartInput) -> GroundCode:
    text = part.ground.strip()
    try:
        return GroundCode(text)
    except ValueError:
        pass
    problem = reason_problem(text)
    if problem is not None:
        raise RuleViolation(
            f"Part {part.key}: '{text}' is not a ground for denying access. {problem}"
        )
    ground(text)  # raises: not in the catalogue of 164.524(a)(1)-(3)
    raise AssertionError("unreachable")


def staff_of(user: User) -> Staff:
    return Staff(
        id=str(user.id),
        name=user.full_name,
        roles=parse_roles(user.roles),
        licence_type=user.licence_type,
        licence_number=user.licence_number,
        active=user.active,
    )


def _user(s: Session, user_id: int, what: str) -> User:
    u = s.get(User, user_id)
    if u is None or not u.active:
        raise NotFound(f"There is no active user with id {user_id} ({what}).")
    return u


def _facts_for_validation(code: GroundCode, facts: Mapping[str, FactValue]) -> dict[str, Any]:
    """The drafter's facts; the licensed judgment is supplied by the signature, not typed."""
    out = dict(facts)
    if GROUNDS[code].reviewable:
        out[_JUDGMENT] = True
    return out


def _validate_parts(
    parts: Sequence[PartInput],
    requester_kind: RequesterKind,
    access: AccessKind,
    notes_separate: bool | None,
    determiner: Staff | None,
) -> Extent:
    if not parts:
        raise InvalidInput("parts", "name the parts of the request (at least one is denied).")
    keys = [p.key.strip() for p in parts]
    if len(set(keys)) != len(keys):
        raise InvalidInput("parts", "each part needs its own identifier.")
    request_parts = [
        RequestPart(p.key.strip(), p.kind, p.description, p.start, p.end) for p in parts
    ]
    denied: list[DeniedPart] = []
    for p in parts:
        if not p.ground.strip():
            continue
        code = _ground_code(p)
        selection = GroundSelection(
            code,
            _facts_for_validation(code, p.facts),
            p.withholds,
            determiner if GROUNDS[code].reviewable else None,
        )
        try:
            validate_ground(
                selection,
                requester_kind=requester_kind,
                psychotherapy_notes_kept_separately=notes_separate,
            )
        except RuleViolation as exc:
            raise RuleViolation(f"Part {p.key}: {exc.message}") from None
        for spec in GROUNDS[code].facts:
            value = p.facts.get(spec.name)
            if spec.kind is FactKind.TEXT and isinstance(value, str):
                problem = reason_problem(value)
                if problem is not None and GROUNDS[code].reviewable:
                    raise RuleViolation(
                        f"Part {p.key}, {spec.label.lower()}: this is not a lawful reason to "
                        f"deny access. {problem}"
                    )
        denied.append(DeniedPart(p.key.strip(), selection))
    return denial_extent(request_parts, denied, access)


def record_timeline(
    s: Session,
    actor: Actor,
    r: AccessRequest,
    kind: str,
    summary: str,
    event_date: dt.date | None = None,
) -> None:
    s.add(
        TimelineEvent(
            request_id=r.id,
            event_date=event_date or dt.date.today(),
            recorded_at=_now(),
            kind=kind,
            summary=summary,
            user_id=actor.user_id,
        )
    )


def _denial_snapshot(d: Denial) -> dict[str, Any]:
    return {
        "request_id": d.request_id,
        "status": d.status,
        "extent": d.extent,
        "drafter_id": d.drafter_id,
        "determiner_id": d.determiner_id,
        "signature_id": d.signature_id,
        "issued_on": d.issued_on.isoformat() if d.issued_on else None,
        "letter_kind": d.letter_kind,
        "letter_sha256": d.letter_sha256,
        "parts": [
            {
                "key": p.part_key,
                "description": p.description,
                "ground": p.ground_code,
                "withholds": p.withholds,
            }
            for p in d.parts
        ],
        "participants": sorted(x.user_id for x in d.participants),
    }


def draft_denial(store: Store, actor: Actor, request_id: int, draft: DraftInput) -> int:
    """Record a denial of named parts with their grounds; route it if a ground is reviewable."""
    actor.require_staff()
    rationale = check_text("rationale", draft.rationale, limit=4000)
    letter_detail = check_text("letter_detail", draft.letter_detail, limit=2000)
    other_holder = check_text("other_holder", draft.other_holder, limit=500)
    letter_address = check_text("letter_address", draft.letter_address, limit=500)
    _check_reason("rationale", rationale)
    _check_reason("letter_detail", letter_detail)
    with store.write() as s:
        r = load_request(s, request_id)
        if Status(r.status) not in _OPEN_REQUEST:
            raise RuleViolation(
                f"Request {r.id} is {lifecycle.LABELS[Status(r.status)].lower()}; only an open "
                "request can be denied."
            )
        pending = s.scalar(
            select(Denial.id).where(
                Denial.request_id == r.id,
                Denial.status.in_([st.value for st in DENIAL_IN_PREPARATION]),
            )
        )
        if pending is not None:
            raise RuleViolation(
                f"Request {r.id} already has denial {pending} in preparation; finish or discard "
                "it first."
            )
        codes = [_code_or_none(p.ground) for p in draft.parts]
        reviewable = any(c is not None and is_reviewable(c) for c in codes)
        determiner: Staff | None = None
        if draft.determiner_id is not None:
            determiner = staff_of(_user(s, draft.determiner_id, "determining professional"))
        # Without one, validate_ground says a licensed professional must make the determination.
        notes_separate = draft.psychotherapy_notes_kept_separately
        if notes_separate is None:
            # 10.3: the record-set map says whether therapy notes are kept apart from the chart.
            notes_separate = drs_service.psychotherapy_notes_kept_separately(s, r.id)
        extent = _validate_parts(
            draft.parts,
            RequesterKind(r.requester_kind),
            AccessKind(r.access),
            notes_separate,
            determiner,
        )
        participants = []
        for uid in dict.fromkeys(draft.participant_ids):
            participants.append(_user(s, uid, "participant"))
        d = Denial(
            request_id=r.id,
            drafter_id=actor.user_id,
            status=initial_denial_status(reviewable).value,
            extent=extent.value,
            rationale=rationale,
            letter_detail=letter_detail,
            other_holder=other_holder,
            letter_address=letter_address,
            psychotherapy_notes_kept_separately=notes_separate,
            determiner_id=int(determiner.id) if reviewable and determiner else None,
            routed_at=_now() if reviewable else None,
            letter_kind="",
            letter_sha256="",
            created_at=_now(),
        )
        s.add(d)
        s.flush()
        for n, p in enumerate(draft.parts):
            facts = {k: v for k, v in p.facts.items() if k != _JUDGMENT}
            s.add(
                DenialPart(
                    denial_id=d.id,
                    position=n,
                    part_key=p.key.strip(),
                    kind=p.kind.value,
                    description=p.description.strip(),
                    start=p.start,
                    end=p.end,
                    ground_code=p.ground.strip(),
                    facts_json=json.dumps(facts, ensure_ascii=False, sort_keys=True),
                    withholds=p.withholds.value,
                )
            )
        for u in participants:
            s.add(DenialParticipant(denial_id=d.id, user_id=u.id, note=""))
        s.flush()
        s.refresh(d)
        denied = [p for p in d.parts if p.ground_code]
        summary = (
            f"Denial {d.id} drafted ({extent.value}): "
            + "; ".join(
                f"{p.description} — {GROUNDS[GroundCode(p.ground_code)].title}" for p in denied
            )
            + "."
        )
        if reviewable and determiner is not None:
            summary += f" Awaiting the determination of {determiner.name}."
        record_timeline(s, actor, r, "denial_drafted", summary)
        audit.append(s, actor.username, "denial_drafted", "denial", d.id, None, _denial_snapshot(d))
        return d.id


def route_denial(store: Store, actor: Actor, denial_id: int, determiner_id: int) -> None:
    """Send (or re-send) a draft with a reviewable ground to a licensed professional."""
    actor.require_staff()
    with store.write() as s:
        d = load_denial(s, denial_id)
        new_status = check_denial_transition(
            DenialStatus(d.status), DenialAction.ROUTE, f"Denial {d.id}"
        )
        if not any(p.ground_code and is_reviewable(GroundCode(p.ground_code)) for p in d.parts):
            raise RuleViolation(
                "This denial rests only on unreviewable grounds; it needs no professional's "
                "determination."
            )
        u = _user(s, determiner_id, "determining professional")
        problem = licence_problem(staff_of(u))
        if problem is not None:
            raise RuleViolation(
                "A reviewable ground needs a licensed health care professional's determination "
                f"(45 CFR 164.524(a)(3)): {problem}."
            )
        before = _denial_snapshot(d)
        d.determiner_id = u.id
        d.routed_at = _now()
        d.status = new_status.value
        record_timeline(
            s,
            actor,
            d.request,
            "denial_routed",
            f"Denial {d.id} sent to {u.full_name} for sign-off.",
        )
        audit.append(
            s, actor.username, "denial_routed", "denial", d.id, before, _denial_snapshot(d)
        )


def discard_denial(store: Store, actor: Actor, denial_id: int, reason: str) -> None:
    actor.require_staff()
    reason = check_text("reason", reason, required=True, limit=2000)
    with store.write() as s:
        d = load_denial(s, denial_id)
        new_status = check_denial_transition(
            DenialStatus(d.status), DenialAction.DISCARD, f"Denial {d.id}"
        )
        before = _denial_snapshot(d)
        d.status = new_status.value
        record_timeline(
            s, actor, d.request, "denial_discarded", f"Denial {d.id} discarded: {reason}"
        )
        audit.append(
            s, actor.username, "denial_discarded", "denial", d.id, before, _denial_snapshot(d)
        )


# ---------------------------------------------------------------------------------------
# Signing (password re-entry)
# ---------------------------------------------------------------------------------------


def verify_reentry(store: Store, actor: Actor, password: str, doing: str) -> None:
    """Check the acting user's password again before a signature; failures are audited."""
    with store.write() as s:
        check_reentry(s, actor, password, doing)


def check_reentry(s: Session, actor: Actor, password: str, doing: str) -> None:
    """verify_reentry inside the signing command's own write transaction. A refusal is
    committed with its audit entry (nothing else of the command was written before it)
    and AuthenticationFailed raised.
    """
    u = s.get(User, actor.user_id)
    if u is not None and u.active and password_matches(u.password_hash, password):
        return
    audit.append(
        s, actor.username, "signature_refused", "user", actor.user_id, None, {"doing": doing}
    )
    s.commit()
    raise AuthenticationFailed(f"The password does not match; {doing} was not signed.")


def make_signature(s: Session, user: User, statement: str) -> Signature:
    problem = licence_problem(staff_of(user))
    if problem is not None:
        raise RuleViolation(f"Only a licensed health care professional can sign this: {problem}.")
    sig = Signature(
        user_id=user.id,
        full_name=user.full_name,
        licence_type=user.licence_type,
        licence_number=user.licence_number,
        signed_at=_now(),
        statement=statement,
    )
    s.add(sig)
    s.flush()
    return sig


def sign_denial(store: Store, actor: Actor, denial_id: int, password: str) -> None:
    """The licensed professional's determination on the reviewable grounds (524(a)(3))."""
    actor.require(Role.LICENSED_PROFESSIONAL, "sign a denial determination")
    with store.write() as s:
        d = load_denial(s, denial_id)
        check_denial_transition(DenialStatus(d.status), DenialAction.SIGN, f"Denial {d.id}")
        if d.determiner_id != actor.user_id:
            name = d.determiner.full_name if d.determiner else "nobody"
            raise PermissionDenied(
                f"Denial {d.id} was routed to {name}; only they can sign it (or route it to you)."
            )
        check_reentry(s, actor, password, f"denial {denial_id}")
        user = _user(s, actor.user_id, "signer")
        me = staff_of(user)
        r = d.request
        # Validate again with the signer as the determining professional (524(a)(3)).
        for p in d.parts:
            if not p.ground_code:
                continue
            code = GroundCode(p.ground_code)
            facts = json.loads(p.facts_json)
            if GROUNDS[code].reviewable:
                facts[_JUDGMENT] = True
            validate_ground(
                GroundSelection(
                    code, facts, AccessKind(p.withholds), me if GROUNDS[code].reviewable else None
                ),
                requester_kind=RequesterKind(r.requester_kind),
                psychotherapy_notes_kept_separately=d.psychotherapy_notes_kept_separately,
            )
            p.facts_json = json.dumps(facts, ensure_ascii=False, sort_keys=True)
        titles = sorted(
            {
                GROUNDS[GroundCode(p.ground_code)].title
                for p in d.parts
                if p.ground_code and is_reviewable(GroundCode(p.ground_code))
            }
        )
        sig = make_signature(
            s,
            user,
            "I determined, in the exercise of professional judgment, that the access withheld "
            f"meets 45 CFR 164.524(a)(3): {', '.join(titles)}.",
        )
        before = _denial_snapshot(d)
        d.signature_id = sig.id
        d.status = check_denial_transition(
            DenialStatus(d.status), DenialAction.SIGN, f"Denial {d.id}"
        ).value
        record_timeline(
            s,
            actor,
            r,
            "denial_signed",
            f"Denial {d.id} determination signed by {sig.full_name} ({sig.licence_type} "
            f"{sig.licence_number}).",
        )
        audit.append(
            s, actor.username, "denial_signed", "denial", d.id, before, _denial_snapshot(d)
        )


def compose_letter(
    store: Store, actor: Actor, denial_id: int, letter_date: dt.date
) -> ComposedLetter:
    """The letter this denial would print, and what it still lacks."""
    actor.require_staff()
    with store.read() as s:
        d = load_denial(s, denial_id)
        request_id = d.request_id
        composed = compose(s, actor, d, letter_date)
    audit.record_view(
        store, actor.username, "denial_letter_previewed", "denial", denial_id, request_id
    )
    return composed


def preview_letter(store: Store, actor: Actor, denial_id: int, letter_date: dt.date) -> bytes:
    """The letter as PDF, to look at before issuing; refused while an element is missing."""
    from accessdesk_gui.letters.render import render_letter  # ReportLab: on first use

    composed = compose_letter(store, actor, denial_id, letter_date)
    if composed.missing:
        raise RuleViolation(missing_message(composed.missing))
    return render_letter(composed.data)


def compose_draft(
    store: Store, actor: Actor, request_id: int, draft: DraftInput, letter_date: dt.date
) -> ComposedLetter:
    """The letter a draft would make, before it is saved (for the composer's preview).

    The draft is checked as ``draft_denial`` checks it; nothing is written.
    """
    actor.require_staff()
    with store.read() as s:
        r = load_request(s, request_id)
        determiner: User | None = None
        if draft.determiner_id is not None:
            determiner = _user(s, draft.determiner_id, "determining professional")
        _validate_parts(
            draft.parts,
            RequesterKind(r.requester_kind),
            AccessKind(r.access),
            draft.psychotherapy_notes_kept_separately,
            staff_of(determiner) if determiner else None,
        )
        # Transient objects, never added to the session (no backrefs cascade them in).
        d = Denial(
            request=r,
            determiner=determiner,
            letter_detail=draft.letter_detail.strip(),
            other_holder=draft.other_holder.strip(),
            letter_address=draft.letter_address.strip(),
            extent=Extent.PARTIAL.value,
            parts=[
                DenialPart(
                    position=n,
                    part_key=p.key.strip(),
                    kind=p.kind.value,
                    description=p.description.strip(),
                    start=p.start,
                    end=p.end,
                    ground_code=p.ground.strip(),
                    facts_json=json.dumps(dict(p.facts), ensure_ascii=False),
                    withholds=p.withholds.value,
                )
                for n, p in enumerate(draft.parts)
            ],
        )
        composed = compose(s, actor, d, letter_date)
        s.expunge_all()
    # The preview shows the patient's name and the requester's address: on the trail.
    audit.record_view(
        store, actor.username, "denial_draft_previewed", "request", request_id, request_id
    )
    return composed


def issue_denial(store: Store, actor: Actor, denial_id: int, issued_on: dt.date) -> IssuedLetter:
    """Issue the letter and move the request to DENIED or PARTIALLY_DENIED (524(d))."""
    actor.require_staff()
    with store.write() as s:
        d = load_denial(s, denial_id)
        new_denial_status = check_denial_transition(
            DenialStatus(d.status),
            DenialAction.ISSUE,
            f"Denial {d.id}",
            determiner=d.determiner.full_name if d.determiner else "",
        )
        r = d.request
        if issued_on < r.received:
            raise RuleViolation(
                f"The date {issued_on.isoformat()} is before the request was received "
                f"({r.received.isoformat()})."
            )
        check_denial_issue_date(issued_on, r.effective_due)
        composed = compose(s, actor, d, issued_on)
        if composed.missing:
            raise RuleViolation(missing_message(composed.missing))
        kind = composed.data.kind
        extent = Extent.PARTIAL if kind is LetterKind.PARTIAL_DENIAL else Extent.FULL
        action = Action.PARTIALLY_DENY if extent is Extent.PARTIAL else Action.DENY
        before_request = snapshot(r)
        new_status = lifecycle.check_transition(Status(r.status), action)
        pdf, digest = issue_pdf(s, actor, r, composed.data, composed.postal)
        before = _denial_snapshot(d)
        d.status = new_denial_status.value
        d.extent = extent.value
        d.issued_on = issued_on
        d.issued_by_id = actor.user_id
        d.letter_kind = kind.value
        d.letter_sha256 = digest
        d.letter_pdf = pdf
        r.status = new_status.value
        if new_status is Status.DENIED:
            r.closed_on = issued_on
            r.close_note = f"Denied (letter {digest[:12]})."
        denied = [p.description for p in d.parts if p.ground_code]
        summary = (
            f"{'Partial denial' if extent is Extent.PARTIAL else 'Denial'} {d.id} issued: "
            f"{join_parts(denied)} withheld."
        )
        if extent is Extent.PARTIAL:
            summary += " The rest is to be provided (45 CFR 164.524(d)(1))."
        record_event(s, actor, r, action.value, summary, issued_on, before_request)
        audit.append(
            s, actor.username, "denial_issued", "denial", d.id, before, _denial_snapshot(d)
        )
        return IssuedLetter(kind, digest, pdf)


# ---------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartView:
    key: str
    kind: PartKind
    description: str
    start: dt.date | None
    end: dt.date | None
    ground: GroundCode | None
    facts: Mapping[str, FactValue]
    withholds: AccessKind

    @property
    def denied(self) -> bool:
        return self.ground is not None

    @property
    def reviewable(self) -> bool:
        return self.ground is not None and is_reviewable(self.ground)


@dataclass(frozen=True)
class SignatureView:
    full_name: str
    licence_type: str
    licence_number: str
    signed_at: dt.datetime


@dataclass(frozen=True)
class DenialView:
    id: int
    request_id: int
    patient_name: str
    status: DenialStatus
    extent: Extent
    drafter: str
    drafter_id: int
    determiner: str
    determiner_id: int | None
    participants: tuple[tuple[int, str], ...]
    parts: tuple[PartView, ...]
    rationale: str
    letter_detail: str
    other_holder: str
    signature: SignatureView | None
    issued_on: dt.date | None
    letter_kind: str
    letter_sha256: str
    created_at: dt.datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "request_id": self.request_id,
            "status": self.status.value,
            "extent": self.extent.value,
            "drafter": self.drafter,
            "determiner": self.determiner,
            "participants": [name for _, name in self.participants],
            "parts": [
                {
                    "key": p.key,
                    "kind": p.kind.value,
                    "description": p.description,
                    "start": p.start.isoformat() if p.start else None,
                    "end": p.end.isoformat() if p.end else None,
                    "ground": p.ground.value if p.ground else None,
                    "reviewable": p.reviewable,
                    "withholds": p.withholds.value if p.ground else None,
                    "facts": dict(p.facts),
                }
                for p in self.parts
            ],
            "rationale": self.rationale,
            "signature": (
                {
                    "name": self.signature.full_name,
                    "licence": f"{self.signature.licence_type} {self.signature.licence_number}",
                    "signed_at": self.signature.signed_at.isoformat(),
                }
                if self.signature
                else None
            ),
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "letter_kind": self.letter_kind or None,
            "letter_sha256": self.letter_sha256 or None,
        }


def view_of(d: Denial) -> DenialView:
    sig = d.signature
    return DenialView(
        id=d.id,
        request_id=d.request_id,
        patient_name=d.request.patient_name,
        status=DenialStatus(d.status),
        extent=Extent(d.extent),
        drafter=d.drafter.full_name,
        drafter_id=d.drafter_id,
        determiner=d.determiner.full_name if d.determiner else "",
        determiner_id=d.determiner_id,
        participants=tuple((x.user_id, x.user.full_name) for x in d.participants),
        parts=tuple(
            PartView(
                p.part_key,
                PartKind(p.kind),
                p.description,
                p.start,
                p.end,
                GroundCode(p.ground_code) if p.ground_code else None,
                MappingProxyType(json.loads(p.facts_json)),
                AccessKind(p.withholds),
            )
            for p in d.parts
        ),
        rationale=d.rationale,
        letter_detail=d.letter_detail,
        other_holder=d.other_holder,
        signature=(
            SignatureView(sig.full_name, sig.licence_type, sig.licence_number, sig.signed_at)
            if sig
            else None
        ),
        issued_on=d.issued_on,
        letter_kind=d.letter_kind,
        letter_sha256=d.letter_sha256,
        created_at=d.created_at,
    )


def get_denial(store: Store, actor: Actor, denial_id: int) -> DenialView:
    actor.require_staff()
    with store.read() as s:
        view = view_of(load_denial(s, denial_id))
    audit.record_view(store, actor.username, "denial_viewed", "denial", denial_id, view.request_id)
    return view


def denials_for_request(store: Store, actor: Actor, request_id: int) -> list[DenialView]:
    actor.require_staff()
    with store.read() as s:
        load_request(s, request_id)
        rows = s.scalars(select(Denial).where(Denial.request_id == request_id).order_by(Denial.id))
        views = [view_of(d) for d in rows]
    if views:  # an empty list shows nothing of the patient's beyond the request itself
        audit.record_view(
            store, actor.username, "denials_viewed", "request", request_id, request_id
        )
    return views


def letter_pdf(store: Store, actor: Actor, denial_id: int) -> bytes:
    """The issued letter exactly as it was issued."""
    actor.require_staff()
    with store.read() as s:
        d = load_denial(s, denial_id)
        if d.letter_pdf is None:
            raise RuleViolation(f"Denial {d.id} has not been issued; there is no letter yet.")
        pdf, request_id = bytes(d.letter_pdf), d.request_id
    audit.record_view(
        store, actor.username, "denial_letter_viewed", "denial", denial_id, request_id
    )
    return pdf


@dataclass(frozen=True)
class StaffOption:
    id: int
    username: str
    full_name: str
    licence: str
    problem: str | None  # why they cannot determine, or None


def determiner_options(store: Store, actor: Actor) -> list[StaffOption]:
    """Active users, each with why they cannot make an (a)(3) determination, if so."""
    actor.require_staff()
    with store.read() as s:
        users = s.scalars(select(User).where(User.active).order_by(User.full_name)).all()
        return [
            StaffOption(
                u.id,
                u.username,
                u.full_name,
                f"{u.licence_type} {u.licence_number}".strip(),
                licence_problem(staff_of(u)),
            )
            for u in users
        ]


def user_id_by_name(store: Store, username: str) -> int:
    with store.read() as s:
        uid = s.scalar(select(User.id).where(User.username == username.strip()))
        if uid is None:
            raise NotFound(f"There is no user '{username}'.")
        return int(uid)
