"""Denials of access, in whole or in part, on the lawful grounds only (45 CFR 164.524(a), (d)).

The rules live in domain/denials.py and are applied here, never rewritten:

- every denied part rests on a ground of the catalogue (``validate_ground``); a reason
  typed as free text that is not a ground is refused with the reason why
  (``explain_invalid_reason``, access-rules 4.3);
- a reviewable ground (164.524(a)(3)) is routed to a licensed professional, who signs the
  determination by entering their password again; the signature (who, licence, when) is
  recorded and printed in the letter;
- the letter is composed from the grounds and the practice's settings and is refused
  while any 164.524(d)(2)-(3) element is missing, or after the request's effective due
  date (access-rules 4.4-4.7);
- issuing moves the request to DENIED or PARTIALLY_DENIED through the lifecycle, with
  its timeline event and audit entries in the same transaction; a partly denied request
  stays open for the rest (164.524(d)(1)).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accessdesk_gui.domain import lifecycle
from accessdesk_gui.domain.deadlines import AccessKind
from accessdesk_gui.domain.denials import (
    GROUNDS,
    DenialLetterFacts,
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
    denial_extent,
    explain_invalid_reason,
    ground,
    is_reviewable,
    licence_problem,
    missing_denial_letter_elements,
    released_parts,
    validate_ground,
)
from accessdesk_gui.domain.errors import InvalidInput, RuleViolation
from accessdesk_gui.domain.intake import RequesterKind, check_text
from accessdesk_gui.domain.lifecycle import Action, Status
from accessdesk_gui.domain.roles import Role
from accessdesk_gui.letters import DenialGround as LetterGround
from accessdesk_gui.letters import (
    LetterData,
    Letterhead,
    LetterKind,
    Recipient,
    Signer,
    missing_elements,
)
from accessdesk_gui.services import drs as drs_service
from accessdesk_gui.services._common import load_request, record_event, snapshot
from accessdesk_gui.services.auth import Actor, parse_roles, password_matches
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
from accessdesk_gui.store.models import AccessRequest, Practice, TimelineEvent, User


class DenialStatus(StrEnum):
    DRAFT = "draft"  # unreviewable grounds only: ready to issue
    AWAITING_SIGNATURE = "awaiting_signature"  # routed to a licensed professional
    SIGNED = "signed"
    ISSUED = "issued"
    DISCARDED = "discarded"


STATUS_LABELS = {
    DenialStatus.DRAFT: "Draft (ready to issue)",
    DenialStatus.AWAITING_SIGNATURE: "Awaiting the professional's sign-off",
    DenialStatus.SIGNED: "Signed (ready to issue)",
    DenialStatus.ISSUED: "Issued",
    DenialStatus.DISCARDED: "Discarded",
}

_OPEN_REQUEST = (Status.RECEIVED, Status.IN_PROGRESS, Status.EXTENDED)
_JUDGMENT = "professional_judgment"  # the fact the licensed professional's signature supplies

# The letter engine names the grounds in its own words; same catalogue, same order.
LETTER_GROUNDS: dict[GroundCode, LetterGround] = {
    GroundCode.PSYCHOTHERAPY_NOTES: LetterGround.PSYCHOTHERAPY_NOTES,
    GroundCode.LEGAL_PROCEEDING: LetterGround.LEGAL_PROCEEDING,
    GroundCode.INMATE_COPY: LetterGround.CORRECTIONAL_INMATE,
    GroundCode.RESEARCH_IN_PROGRESS: LetterGround.RESEARCH_IN_PROGRESS,
    GroundCode.PRIVACY_ACT: LetterGround.PRIVACY_ACT,
    GroundCode.CONFIDENTIAL_SOURCE: LetterGround.CONFIDENTIAL_SOURCE,
    GroundCode.ENDANGERMENT: LetterGround.ENDANGER_LIFE_OR_SAFETY,
    GroundCode.HARM_TO_OTHER_PERSON: LetterGround.HARM_TO_OTHER_PERSON_REFERENCED,
    GroundCode.PERSONAL_REPRESENTATIVE_HARM: LetterGround.HARM_VIA_PERSONAL_REPRESENTATIVE,
}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# ---------------------------------------------------------------------------------------
# Practice settings the letters need
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterSettings:
    complaint_contact: str = ""
    complaint_phone: str = ""
    review_how: str = ""

    def review_instructions(self, language: str = "en") -> str:
        """How to ask for a review (164.524(d)(2)(ii)); built from the contact if not set."""
        if self.review_how.strip():
            return self.review_how.strip()
        if not (self.complaint_contact.strip() and self.complaint_phone.strip()):
            return ""
        return _PHRASES[language]["review_how"].format(
            contact=self.complaint_contact.strip(), phone=self.complaint_phone.strip()
        )


def _settings_row(s: Session) -> DenialSettings | None:
    return s.scalar(select(DenialSettings).limit(1))


def get_letter_settings_in(s: Session) -> LetterSettings:
    row = _settings_row(s)
    if row is None:
        return LetterSettings()
    return LetterSettings(row.complaint_contact, row.complaint_phone, row.review_how)


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
        row = _settings_row(s)
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
                Denial.status.in_(
                    [DenialStatus.DRAFT, DenialStatus.AWAITING_SIGNATURE, DenialStatus.SIGNED]
                ),
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
            status=(DenialStatus.AWAITING_SIGNATURE if reviewable else DenialStatus.DRAFT).value,
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
        if DenialStatus(d.status) not in (DenialStatus.AWAITING_SIGNATURE, DenialStatus.DRAFT):
            raise RuleViolation(
                f"Denial {d.id} is {d.status.replace('_', ' ')}; it cannot be routed."
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
        d.status = DenialStatus.AWAITING_SIGNATURE.value
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
        if DenialStatus(d.status) in (DenialStatus.ISSUED, DenialStatus.DISCARDED):
            raise RuleViolation(f"Denial {d.id} is {d.status}; it cannot be discarded.")
        before = _denial_snapshot(d)
        d.status = DenialStatus.DISCARDED.value
        record_timeline(
            s, actor, d.request, "denial_discarded", f"Denial {d.id} discarded: {reason}"
        )
        audit.append(
            s, actor.username, "denial_discarded", "denial", d.id, before, _denial_snapshot(d)
        )


def load_denial(s: Session, denial_id: int) -> Denial:
    d = s.get(Denial, denial_id)
    if d is None:
        raise NotFound(f"There is no denial number {denial_id}.")
    return d


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
    and AuthenticationFailed raised."""
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
        if d.status != DenialStatus.AWAITING_SIGNATURE:
            raise RuleViolation(
                f"Denial {d.id} is {STATUS_LABELS[DenialStatus(d.status)].lower()}; there is "
                "nothing to sign."
            )
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
        d.status = DenialStatus.SIGNED.value
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


# ---------------------------------------------------------------------------------------
# The letter
# ---------------------------------------------------------------------------------------


def address_lines(text: str) -> tuple[str, ...]:
    """Lines of a stored address; one line with commas is split after the street."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if len(lines) == 1 and lines[0].count(",") >= 2:
        street, rest = lines[0].split(",", 1)
        lines = [street.strip(), rest.strip()]
    return tuple(lines)


def letterhead(s: Session) -> Letterhead:
    p = s.scalar(select(Practice).limit(1))
    if p is None:
        return Letterhead("", (), "")
    return Letterhead(p.name, address_lines(p.address), p.phone)


def recipient(r: AccessRequest, override: str = "") -> Recipient:
    return Recipient(r.requester_name or r.patient_name, address_lines(override or r.mail_address))


def signer_of(sig: Signature) -> Signer:
    return Signer(
        sig.full_name,
        f"{sig.licence_type}, licence {sig.licence_number}; signed electronically "
        f"{sig.signed_at:%Y-%m-%d %H:%M} UTC",
    )


def _join(items: Sequence[str]) -> str:
    return "; ".join(i for i in items if i)


def part_label(p: DenialPart, language: str = "en") -> str:
    if p.kind == PartKind.DATE_RANGE and p.start and p.end:
        to = " a " if language == "es" else " to "
        return f"{p.description} ({p.start.isoformat()}{to}{p.end.isoformat()})"
    return p.description


# The few phrases the composer adds around staff-typed part descriptions, per letter
# language (the rest of the letter's text is the engine's, letters/texts.py).
_PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "copy_only": "a copy of {part} (you may still inspect it)",
        "inspection": "inspection of {part}",
        "review_how": "write to {contact} at the address above, or call {phone}. There is "
        "no deadline for asking.",
        "awaiting": "(awaiting the professional's signature)",
        "privacy_officer": "Privacy Officer",
    },
    "es": {
        "copy_only": "una copia de {part} (puede seguir revisándolo en persona)",
        "inspection": "revisar en persona {part}",
        "review_how": "escriba a {contact} a la dirección de arriba, o llame al {phone}. "
        "No hay plazo para pedirla.",
        "awaiting": "(a la espera de la firma del profesional)",
        "privacy_officer": "Responsable de privacidad",
    },
}


@dataclass(frozen=True)
class ComposedLetter:
    data: LetterData
    missing: list[str]  # each element the letter lacks, in plain words; empty when complete


def _request_parts(d: Denial) -> list[RequestPart]:
    return [
        RequestPart(p.part_key, PartKind(p.kind), p.description, p.start, p.end) for p in d.parts
    ]


def denied_parts(d: Denial) -> list[DeniedPart]:
    return [
        DeniedPart(
            p.part_key,
            GroundSelection(
                GroundCode(p.ground_code), json.loads(p.facts_json), AccessKind(p.withholds)
            ),
        )
        for p in d.parts
        if p.ground_code
    ]


def _compose(s: Session, actor: Actor, d: Denial, letter_date: dt.date) -> ComposedLetter:
    r = d.request
    # The requester's preferred language recorded at intake (en or es).
    lang = r.preferred_language if r.preferred_language in _PHRASES else "en"
    say = _PHRASES[lang]
    ls = get_letter_settings_in(s)
    access = AccessKind(r.access)
    extent = denial_extent(_request_parts(d), denied_parts(d), access)
    released_ids = {p.id for p in released_parts(_request_parts(d), denied_parts(d), access)}
    denied = [p for p in d.parts if p.ground_code]
    codes = list(dict.fromkeys(GroundCode(p.ground_code) for p in denied))
    withheld = []
    released = []
    for p in d.parts:
        label = part_label(p, lang)
        if p.ground_code and p.part_key not in released_ids:
            withheld.append(label)
        elif p.ground_code:  # copy withheld, inspection open (164.524(a)(2)(ii))
            withheld.append(say["copy_only"].format(part=label))
            released.append(say["inspection"].format(part=label))
        else:
            released.append(label)
    reviewable = any(is_reviewable(c) for c in codes)
    review_how = ls.review_instructions(lang) if reviewable else ""
    basis = " ".join(GROUNDS[c].explanation for c in codes)
    facts = DenialLetterFacts(
        basis=basis,
        grounds=tuple(codes),
        review_instructions=review_how,
        practice_contact=ls.complaint_contact,
        practice_phone=ls.complaint_phone,
        # Fixed text of every denial letter (letters/texts.py: "hhs", 160.306(b)(3)).
        hhs_complaint_included=True,
        hhs_180_day_limit_included=True,
        not_held_but_holder_known=bool(d.other_holder.strip()),
        holder_directions=d.other_holder,
        partial=extent is Extent.PARTIAL,
        released_description=_join(released),
    )
    fields: dict[str, object] = {
        "denial_grounds": tuple(LETTER_GROUNDS[c] for c in codes),
        "withheld_description": _join(withheld),
        "complaint_contact": ls.complaint_contact,
        "complaint_phone": ls.complaint_phone,
    }
    if extent is Extent.PARTIAL:
        fields["released_description"] = _join(released)
    if reviewable:
        fields["review_how"] = review_how
    if d.other_holder.strip():
        fields["knows_other_holder"] = True
        fields["other_holder"] = d.other_holder
    if d.letter_detail.strip():
        fields["basis_detail"] = d.letter_detail
    if d.signature is not None:
        signer = signer_of(d.signature)
    elif reviewable:
        name = d.determiner.full_name if d.determiner else ""
        signer = Signer(name, say["awaiting"])
    else:
        signer = Signer(
            actor.full_name, say["privacy_officer"] if actor.has(Role.PRIVACY_OFFICER) else ""
        )
    data = LetterData(
        kind=LetterKind.PARTIAL_DENIAL if extent is Extent.PARTIAL else LetterKind.DENIAL,
        language=lang,  # type: ignore[arg-type]
        letterhead=letterhead(s),
        recipient=recipient(r, d.letter_address),
        letter_date=letter_date,
        request_number=str(r.id),
        patient_name=r.patient_name,
        signer=signer,
        fields=MappingProxyType(fields),
    )
    missing = list(dict.fromkeys(missing_denial_letter_elements(facts) + missing_elements(data)))
    return ComposedLetter(data, missing)


def compose_letter(
    store: Store, actor: Actor, denial_id: int, letter_date: dt.date
) -> ComposedLetter:
    """The letter this denial would print, and what it still lacks."""
    actor.require_staff()
    with store.read() as s:
        d = load_denial(s, denial_id)
        request_id = d.request_id
        composed = _compose(s, actor, d, letter_date)
    audit.record_view(
        store, actor.username, "denial_letter_previewed", "denial", denial_id, request_id
    )
    return composed


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
        composed = _compose(s, actor, d, letter_date)
        s.expunge_all()
    # The preview shows the patient's name and the requester's address: on the trail.
    audit.record_view(
        store, actor.username, "denial_draft_previewed", "request", request_id, request_id
    )
    return composed


def preview_letter(store: Store, actor: Actor, denial_id: int, letter_date: dt.date) -> bytes:
    """The letter as PDF, to look at before issuing; refused while an element is missing."""
    from accessdesk_gui.letters.render import render_letter  # ReportLab: on first use

    composed = compose_letter(store, actor, denial_id, letter_date)
    if composed.missing:
        raise RuleViolation(_missing_message(composed.missing))
    return render_letter(composed.data)


def _missing_message(missing: Sequence[str]) -> str:
    return (
        "The denial letter cannot be issued: it lacks "
        + "; ".join(m.rstrip(".") for m in missing)
        + ". (45 CFR 164.524(d)(2)-(3))"
    )


def issue_pdf(
    s: Session, actor: Actor, request_id: int, letter_data: LetterData
) -> tuple[bytes, str]:
    """Issue a denial or review letter through the letter service and return (pdf, sha256).

    It is frozen and listed with the request's other letters, so its mailing is logged and
    checked for timeliness like any notice (services/letters.py freeze_letter).
    """
    from accessdesk_gui.services.letters import freeze_letter

    r = load_request(s, request_id)
    row = freeze_letter(s, actor, r, letter_data, postal=bool(letter_data.recipient.address_lines))
    return bytes(row.pdf), row.sha256


@dataclass(frozen=True)
class IssuedLetter:
    kind: LetterKind
    sha256: str
    pdf: bytes


def issue_denial(store: Store, actor: Actor, denial_id: int, issued_on: dt.date) -> IssuedLetter:
    """Issue the letter and move the request to DENIED or PARTIALLY_DENIED (524(d))."""
    actor.require_staff()
    with store.write() as s:
        d = load_denial(s, denial_id)
        st = DenialStatus(d.status)
        if st is DenialStatus.AWAITING_SIGNATURE:
            name = d.determiner.full_name if d.determiner else "a licensed professional"
            raise RuleViolation(
                f"Denial {d.id} awaits the signed determination of {name} "
                "(45 CFR 164.524(a)(3)); it cannot be issued yet."
            )
        if st not in (DenialStatus.DRAFT, DenialStatus.SIGNED):
            raise RuleViolation(f"Denial {d.id} is {d.status}; it cannot be issued.")
        r = d.request
        if issued_on < r.received:
            raise RuleViolation(
                f"The date {issued_on.isoformat()} is before the request was received "
                f"({r.received.isoformat()})."
            )
        check_denial_issue_date(issued_on, r.effective_due)
        composed = _compose(s, actor, d, issued_on)
        if composed.missing:
            raise RuleViolation(_missing_message(composed.missing))
        kind = composed.data.kind
        extent = Extent.PARTIAL if kind is LetterKind.PARTIAL_DENIAL else Extent.FULL
        action = Action.PARTIALLY_DENY if extent is Extent.PARTIAL else Action.DENY
        before_request = snapshot(r)
        new_status = lifecycle.check_transition(Status(r.status), action)
        pdf, digest = issue_pdf(s, actor, r.id, composed.data)
        before = _denial_snapshot(d)
        d.status = DenialStatus.ISSUED.value
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
            f"{_join(denied)} withheld."
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
