"""What every service that changes a request shares: loading it, its audit snapshot, its
timeline event with audit entry, its deadline, and the one mapping between the stored row
and the domain's Intake.

A private module of services (ui and cli never import it); the names are public so the
services modules do not reach into each other's private helpers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from accessdesk_gui.domain import deadlines
from accessdesk_gui.domain.deadlines import AccessKind
from accessdesk_gui.domain.intake import (
    Authority,
    Channel,
    Delivery,
    ElectronicFormat,
    Format,
    Intake,
    RequesterKind,
    Verification,
    VerificationMethod,
)
from accessdesk_gui.services.actor import Actor
from accessdesk_gui.services.errors import NotFound
from accessdesk_gui.store import audit
from accessdesk_gui.store.models import AccessRequest, TimelineEvent


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def load_request(s: Session, request_id: int) -> AccessRequest:
    r = s.get(AccessRequest, request_id)
    if r is None:
        raise NotFound(f"There is no request number {request_id}.")
    return r


# -- the intake fields: the one place they are mapped to and from the stored row ------------


def intake_columns(intake: Intake) -> dict[str, Any]:
    """The AccessRequest columns that hold an Intake (verified_by_id is the caller's)."""
    v = intake.verification
    return {
        "patient_name": intake.patient_name,
        "patient_dob": intake.patient_dob,
        "received": intake.received,
        "requester_kind": intake.requester_kind.value,
        "scope": intake.scope,
        "access": intake.access.value,
        "format": intake.format.value,
        "delivery": intake.delivery.value,
        "mrn": intake.mrn,
        "requester_name": intake.requester_name,
        "requester_relationship": intake.requester_relationship,
        "mail_address": intake.mail_address,
        "email": intake.email,
        "authority": intake.authority.value if intake.authority else "",
        "authority_document": intake.authority_document,
        "directive_recipient": intake.directive_recipient,
        "directive_destination": intake.directive_destination,
        "directive_signed": intake.directive_signed,
        "whole_drs": intake.whole_drs,
        "categories": ",".join(intake.categories),
        "date_from": intake.date_from,
        "date_to": intake.date_to,
        "summary": intake.summary,
        "summary_agreed": intake.summary_agreed,
        "summary_fee_agreed": intake.summary_fee_agreed,
        "electronic_format": intake.electronic_format.value if intake.electronic_format else "",
        "phi_electronic": intake.phi_electronic,
        "agreed_format": intake.agreed_format,
        "declined_electronic": intake.declined_electronic,
        "email_risk_accepted": intake.email_risk_accepted,
        "channel": intake.channel.value,
        "preferred_language": intake.preferred_language,
        "verified_method": v.method.value if v else "",
        "verified_on": v.on if v else None,
        "verification_note": v.note if v else "",
        "benefit_claim": intake.benefit_claim,
        "earlier_copy": intake.earlier_copy,
    }


INTAKE_COLUMNS: tuple[str, ...] = tuple(
    intake_columns(
        Intake(
            "x",
            dt.date.min,
            dt.date.min,
            RequesterKind.INDIVIDUAL,
            "",
            AccessKind.COPY,
            Format.PAPER,
            Delivery.PICKUP,
        )
    )
)


def intake_of(r: AccessRequest) -> Intake:
    """The stored request as the domain's Intake (clarifications, fee facts, snapshots)."""
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
        categories=tuple(c for c in r.categories.split(",") if c),
        date_from=r.date_from,
        date_to=r.date_to,
        summary=r.summary,
        summary_agreed=r.summary_agreed,
        summary_fee_agreed=r.summary_fee_agreed,
        electronic_format=ElectronicFormat(r.electronic_format) if r.electronic_format else None,
        phi_electronic=r.phi_electronic,
        agreed_format=r.agreed_format,
        declined_electronic=r.declined_electronic,
        email_risk_accepted=r.email_risk_accepted,
        channel=Channel(r.channel) if r.channel else Channel.IN_PERSON,
        preferred_language=r.preferred_language,
        verification=(
            Verification(VerificationMethod(r.verified_method), r.verified_on, r.verification_note)
            if r.verified_method and r.verified_on is not None
            else None
        ),
        benefit_claim=r.benefit_claim,
        earlier_copy=r.earlier_copy,
    )


# What the audit trail records of a request beyond its intake: its place in the lifecycle.
_LIFECYCLE_COLUMNS = (
    "status",
    "effective_due",
    "extended_due",
    "extension_notice_date",
    "extension_reasons",
    "closed_on",
    "close_note",
    "assigned_to_id",
    "verified_by_id",
    "incomplete",
    "possible_duplicate_of",
    "fee_method",
    "fee_total",
    "part2_consent_on",
)


def snapshot(r: AccessRequest) -> dict[str, Any]:
    """The fields the audit trail records before and after a change: every intake field
    (INTAKE_COLUMNS) and the request's lifecycle; dates as ISO text.
    """
    out: dict[str, Any] = {}
    for name in INTAKE_COLUMNS + _LIFECYCLE_COLUMNS:
        value = getattr(r, name)
        out[name] = value.isoformat() if isinstance(value, dt.date) else value
    return out


def record_event(
    s: Session,
    actor: Actor,
    r: AccessRequest,
    kind: str,
    summary: str,
    event_date: dt.date,
    before: dict[str, Any] | None,
) -> None:
    """The request's timeline event and its audit entry, in the caller's transaction."""
    s.add(
        TimelineEvent(
            request_id=r.id,
            event_date=event_date,
            recorded_at=now(),
            kind=kind,
            summary=summary,
            user_id=actor.user_id,
        )
    )
    s.flush()
    audit.append(
        s,
        actor.username,
        f"request_{kind}",
        "request",
        r.id,
        before,
        snapshot(r),
        patient_ref=f"request:{r.id}",
        event_at=event_date,
    )


def recompute_due(r: AccessRequest) -> None:
    d = deadlines.effective_due(
        r.received, r.state, AccessKind(r.access), r.format == Format.ELECTRONIC, r.extended_due
    )
    r.effective_due = d.due
    r.due_source = d.source
