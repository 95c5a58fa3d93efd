"""Front-desk work on a request after intake: verification, clarifications, notes,
attachments, the fee estimate, and the daily reminder.

Each write is one transaction with its timeline event and audit entry (see requests.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from accessdesk_gui.domain import lifecycle
from accessdesk_gui.domain.errors import InvalidInput, RuleViolation
from accessdesk_gui.domain.fees import (
    PAYMENT_HOLD_REASON,
    FeeComponent,
    FeeEstimate,
    FeeLine,
    FeeMethod,
    StateLawCharge,
    Unit,
)
from accessdesk_gui.domain.intake import (
    VERIFICATION_LABELS,
    Delivery,
    VerificationMethod,
    check_text,
)
from accessdesk_gui.domain.lifecycle import Status
from accessdesk_gui.services._common import intake_of, load_request, record_event, snapshot
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.services.errors import NotFound
from accessdesk_gui.services.intake import (
    ATTACHMENT_KINDS as ATTACHMENT_KINDS,
)
from accessdesk_gui.services.intake import (
    ATTACHMENT_MAX_BYTES as ATTACHMENT_MAX_BYTES,
)
from accessdesk_gui.services.intake import (
    NewAttachment,
    NewEstimate,
    add_attachment,
    check_attachment,
    check_estimate,
    record_estimate,
)
from accessdesk_gui.services.intake import (
    sniff_media_type as sniff_media_type,
)
from accessdesk_gui.services.queue import Reminder, reminders
from accessdesk_gui.store import audit
from accessdesk_gui.store.db import Store
from accessdesk_gui.store.intake_models import RequestAttachment

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
        r = load_request(s, request_id)
        if lifecycle.is_closed(Status(r.status)):
            raise RuleViolation("This request is closed.")
        if on < r.received:
            raise InvalidInput("verified_on", "is before the date the request was received.")
        if on > (today or dt.date.today()):
            raise InvalidInput("verified_on", "cannot be in the future.")
        before = snapshot(r)
        r.verified_method = method.value
        r.verified_on = on
        r.verified_by_id = actor.user_id
        r.verification_note = note
        record_event(
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
        r = load_request(s, request_id)
        before = snapshot(r)
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
        todo = clarifications(intake_of(r))
        r.incomplete = bool(todo)
        r.clarifications = "\n".join(todo)
        summary = "Clarified with the requester." + (
            " Still needed: " + " ".join(todo) if todo else " Nothing outstanding."
        )
        record_event(s, actor, r, "clarified", summary, dt.date.today(), before)
        return todo


# -- notes ---------------------------------------------------------------------------------


def add_note(store: Store, actor: Actor, request_id: int, text: str) -> None:
    actor.require_staff()
    note = check_text("note", text, required=True, limit=4000)
    with store.write() as s:
        r = load_request(s, request_id)
        record_event(s, actor, r, "note", f"Note: {note}", dt.date.today(), snapshot(r))


# -- attachments ---------------------------------------------------------------------------


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
    checked = check_attachment(NewAttachment(filename, data, kind))
    with store.write() as s:
        return add_attachment(s, actor, load_request(s, request_id), checked)


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
    fee = NewEstimate(method, lines, given_on, state_law_charges or ())
    with store.write() as s:
        r = load_request(s, request_id)
        est = check_estimate(Status(r.status), r.received, intake_of(r), given_on, fee, r.state)
        record_estimate(s, actor, r, est, given_on)
        return est


# -- the daily reminder ----------------------------------------------------------------------
