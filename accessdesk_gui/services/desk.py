"""Front-desk work on a request after intake: verification, clarifications, notes,
attachments, the fee estimate, and the daily reminder.

Each write is one transaction with its timeline event and audit entry (see requests.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from accessdesk_gui.domain import lifecycle
from accessdesk_gui.domain.deadlines import AccessKind
from accessdesk_gui.domain.errors import InvalidInput, RuleViolation
from accessdesk_gui.domain.fees import (
    PAYMENT_HOLD_REASON,
    FeeComponent,
    FeeEstimate,
    FeeLine,
    FeeMethod,
    StateLawCharge,
    Unit,
    estimate_fee,
)
from accessdesk_gui.domain.intake import (
    VERIFICATION_LABELS,
    Delivery,
    ElectronicFormat,
    Format,
    Intake,
    RequesterKind,
    VerificationMethod,
    check_text,
    fee_facts,
)
from accessdesk_gui.domain.lifecycle import Status
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.services.errors import NotFound
from accessdesk_gui.services.queue import Reminder, reminders
from accessdesk_gui.services.requests import (
    _load,
    _record,
    _snapshot,
)
from accessdesk_gui.store import audit
from accessdesk_gui.store.db import Store
from accessdesk_gui.store.intake_models import RequestAttachment
from accessdesk_gui.store.models import AccessRequest

__all__ = [
    "PAYMENT_HOLD_REASON",
    "Reminder",
    "add_note",
    "attach",
    "attachment_data",
    "clarify",
    "estimate",
    "reminders",
    "verify",
]

# -- verification (164.514(h); access-rules 7.1) ------------------------------------------


def verify(
    store: Store,
    actor: Actor,
    request_id: int,
    method: VerificationMethod,
    on: dt.date,
    note: str = "",
    today: dt.date | None = None,
) -> None:
    """Record how, by whom and when identity and authority were verified."""
    actor.require_staff()
    note = check_text("verification_note", note, limit=500)
    with store.write() as s:
        r = _load(s, request_id)
        if lifecycle.is_closed(Status(r.status)):
            raise RuleViolation("This request is closed.")
        if on < r.received:
            raise InvalidInput("verified_on", "is before the date the request was received.")
        if on > (today or dt.date.today()):
            raise InvalidInput("verified_on", "cannot be in the future.")
        before = _snapshot(r)
        r.verified_method = method.value
        r.verified_on = on
        r.verified_by_id = actor.user_id
        r.verification_note = note
        _record(
            s,
            actor,
            r,
            "verified",
            f"Identity and authority verified: {VERIFICATION_LABELS[method]}."
            + (f" {note}" if note else ""),
            on,
            before,
        )


def clarify(
    store: Store,
    actor: Actor,
    request_id: int,
    *,
    directive_signed: bool | None = None,
    directive_recipient: str | None = None,
    directive_destination: str | None = None,
    authority_document: str | None = None,
    email_risk_accepted: bool | None = None,
    summary_agreed: bool | None = None,
    summary_fee_agreed: bool | None = None,
) -> list[str]:
    """Record what the requester clarified; returns what is still outstanding.

    The clock is never reset or paused by a clarification (access-rules 1.5).
    """
    from accessdesk_gui.domain.intake import clarifications

    actor.require_staff()
    with store.write() as s:
        r = _load(s, request_id)
        before = _snapshot(r)
        if directive_signed is not None:
            r.directive_signed = directive_signed
        if directive_recipient is not None:
            r.directive_recipient = check_text(
                "directive_recipient", directive_recipient, limit=200
            )
        if directive_destination is not None:
            r.directive_destination = check_text(
                "directive_destination", directive_destination, limit=500
            )
        if authority_document is not None:
            r.authority_document = check_text("authority_document", authority_document, limit=500)
        if email_risk_accepted is not None:
            r.email_risk_accepted = email_risk_accepted and r.delivery == Delivery.EMAIL.value
        if summary_agreed is not None:
            r.summary_agreed = summary_agreed and r.summary
        if summary_fee_agreed is not None:
            r.summary_fee_agreed = summary_fee_agreed and r.summary
        todo = clarifications(_as_intake(r))
        r.incomplete = bool(todo)
        r.clarifications = "\n".join(todo)
        summary = "Clarified with the requester." + (
            " Still needed: " + " ".join(todo) if todo else " Nothing outstanding."
        )
        _record(s, actor, r, "clarified", summary, dt.date.today(), before)
        return todo


def _as_intake(r: AccessRequest) -> Intake:
    """The stored request as the domain's Intake (for clarifications and fee facts)."""
    from accessdesk_gui.domain.intake import Authority

    return Intake(
        patient_name=r.patient_name,
        patient_dob=r.patient_dob,
        received=r.received,
        requester_kind=RequesterKind(r.requester_kind),
        scope=r.scope,
        access=AccessKind(r.access),
        format=Format(r.format),
        delivery=Delivery(r.delivery),
        mrn=r.mrn,
        requester_name=r.requester_name,
        requester_relationship=r.requester_relationship,
        mail_address=r.mail_address,
        email=r.email,
        authority=Authority(r.authority) if r.authority else None,
        authority_document=r.authority_document,
        directive_recipient=r.directive_recipient,
        directive_destination=r.directive_destination,
        directive_signed=r.directive_signed,
        whole_drs=r.whole_drs,
        summary=r.summary,
        summary_agreed=r.summary_agreed,
        summary_fee_agreed=r.summary_fee_agreed,
        electronic_format=ElectronicFormat(r.electronic_format) if r.electronic_format else None,
        phi_electronic=r.phi_electronic,
        email_risk_accepted=r.email_risk_accepted,
        benefit_claim=r.benefit_claim,
        earlier_copy=r.earlier_copy,
    )


# -- notes ---------------------------------------------------------------------------------


def add_note(store: Store, actor: Actor, request_id: int, text: str) -> None:
    actor.require_staff()
    note = check_text("note", text, required=True, limit=4000)
    with store.write() as s:
        r = _load(s, request_id)
        _record(s, actor, r, "note", f"Note: {note}", dt.date.today(), _snapshot(r))


# -- attachments ---------------------------------------------------------------------------

ATTACHMENT_MAX_BYTES = 25 * 1024 * 1024
ATTACHMENT_KINDS = ("scanned_request", "authority", "directive", "other")

_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)


def sniff_media_type(data: bytes) -> str | None:
    """PDF or image, by content (never by the file name)."""
    for magic, media in _MAGIC:
        if data.startswith(magic):
            return media
    return None


def attach(
    store: Store,
    actor: Actor,
    request_id: int,
    filename: str,
    data: bytes,
    kind: str = "scanned_request",
) -> int:
    """Keep a PDF or image (e.g. the scanned request) in the store with the request."""
    actor.require_staff()
    if kind not in ATTACHMENT_KINDS:
        raise InvalidInput("kind", f"must be one of {', '.join(ATTACHMENT_KINDS)}.")
    name = check_text("filename", PurePath(filename).name, required=True, limit=255)
    if not data:
        raise InvalidInput("file", "is empty.")
    if len(data) > ATTACHMENT_MAX_BYTES:
        raise InvalidInput(
            "file", f"is {len(data) // (1024 * 1024)} MB; at most 25 MB can be kept in the store."
        )
    media = sniff_media_type(data)
    if media is None:
        raise InvalidInput("file", "is not a PDF or an image (PNG, JPEG, TIFF).")
    with store.write() as s:
        r = _load(s, request_id)
        a = RequestAttachment(
            request_id=r.id,
            kind=kind,
            filename=name,
            media_type=media,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
            added_by_id=actor.user_id,
            added_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        )
        s.add(a)
        s.flush()
        _record(
            s,
            actor,
            r,
            "attached",
            f"Attached {kind.replace('_', ' ')}: {name} ({len(data) // 1024 or 1} KB).",
            dt.date.today(),
            _snapshot(r),
        )
        return a.id


def attachment_data(store: Store, actor: Actor, attachment_id: int) -> tuple[str, str, bytes]:
    """(file name, media type, bytes) of one attachment, for viewing."""
    actor.require_staff()
    with store.read() as s:
        a = s.get(RequestAttachment, attachment_id)
        if a is None:
            raise NotFound(f"There is no attachment number {attachment_id}.")
        found = a.filename, a.media_type, a.data, a.request_id
    # Opening a patient's document is on the trail (ASTM E2147: who viewed what, when).
    audit.record_view(
        store, actor.username, "attachment_viewed", "attachment", attachment_id, found[3]
    )
    return found[0], found[1], found[2]


# -- fee estimate (164.524(c)(4); access-rules 3) -------------------------------------------


def parse_fee_line(text: str) -> FeeLine:
    """'component:price[:quantity[:unit]]', e.g. 'copy_labor:12.50:0.5:hour'."""
    parts = text.split(":")
    try:
        component = FeeComponent(parts[0].strip())
    except ValueError:
        from accessdesk_gui.domain.fees import forbidden_fee_reason

        reason = forbidden_fee_reason(parts[0])
        raise InvalidInput(
            "fee",
            reason
            or f"'{parts[0]}' is not a fee component; only {', '.join(FeeComponent)} "
            "may be charged (45 CFR 164.524(c)(4)).",
        ) from None
    try:
        price = Decimal(parts[1]) if len(parts) > 1 else Decimal("NaN")
        qty = Decimal(parts[2]) if len(parts) > 2 else Decimal(1)
        unit = Unit(parts[3]) if len(parts) > 3 else Unit.ITEM
    except (InvalidOperation, ValueError):
        raise InvalidInput("fee", f"'{text}' is not component:price[:quantity[:unit]].") from None
    if not price.is_finite() or not qty.is_finite():
        raise InvalidInput("fee", f"'{text}' needs a price, e.g. copy_labor:5.00.")
    return FeeLine(component, price, qty, unit)


def estimate(
    store: Store,
    actor: Actor,
    request_id: int,
    method: FeeMethod,
    lines: list[FeeLine],
    given_on: dt.date,
    state_law_charges: list[StateLawCharge] | None = None,
) -> FeeEstimate:
    """Record the fee estimate told to the requester, before the work (access-rules 3.6).

    Only the components of 164.524(c)(4) can be entered (domain/fees.py refuses the rest).
    An unpaid fee or medical bill never holds the request (access-rules 3.7).
    """
    actor.require_staff()
    with store.write() as s:
        r = _load(s, request_id)
        if Status(r.status) is not Status.RECEIVED:
            raise RuleViolation(
                "The fee estimate is given before the work starts (access-rules 3.6); this "
                "request is already past that."
            )
        if given_on < r.received:
            raise InvalidInput("fee_given_on", "is before the date the request was received.")
        est = estimate_fee(
            method,
            lines,
            fee_facts(_as_intake(r)),
            state_law_charges or (),
            state=r.state,  # the state's fee rules (domain/fees.py; access-rules 11.1)
            received=r.received,
        )
        before = _snapshot(r)
        r.fee_method = est.method.value
        r.fee_total = str(est.total)
        r.fee_lines = json.dumps(
            [
                {
                    "component": line.component.value,
                    "unit_price": str(line.unit_price),
                    "quantity": str(line.quantity),
                    "unit": line.unit.value,
                    "amount": str(line.amount),
                }
                for line in est.lines
            ]
            + [
                {"component": "state_law", "label": c.label, "amount": str(c.amount)}
                for c in est.state_law_charges
            ]
        )
        r.fee_given_on = given_on
        notes = " ".join(est.notes)
        _record(
            s,
            actor,
            r,
            "fee_estimate",
            f"Fee estimate given: ${est.total} ({est.method.value.replace('_', ' ')}). {notes}"
            f" {PAYMENT_HOLD_REASON}",
            given_on,
            before,
        )
        return est


# -- the daily reminder ----------------------------------------------------------------------
