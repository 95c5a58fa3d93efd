"""Use cases on access requests: log, list, read, and move through the lifecycle.

Each write runs in one transaction that also writes the timeline event and the
audit entry, so a change can never be saved without its trail.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accessdesk_gui.domain import deadlines, lifecycle
from accessdesk_gui.domain.deadlines import Urgency
from accessdesk_gui.domain.drs import check_part2_release
from accessdesk_gui.domain.errors import RuleViolation
from accessdesk_gui.domain.intake import (
    check_text,
)
from accessdesk_gui.domain.lifecycle import Action, Status
from accessdesk_gui.domain.requesters import RequesterKind
from accessdesk_gui.services import drs
from accessdesk_gui.services._common import load_request, recompute_due, record_event, snapshot
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.services.errors import InvalidInput, NotFound

# Logging a request is its own module (services/intake.py); the name stays here too.
from accessdesk_gui.services.intake import (
    DUPLICATE_WINDOW_DAYS as DUPLICATE_WINDOW_DAYS,
)
from accessdesk_gui.services.intake import (
    find_possible_duplicate as find_possible_duplicate,
)
from accessdesk_gui.services.intake import (
    log_request as log_request,
)
from accessdesk_gui.services.queue import (  # re-exported
    CLOSED_VALUES as CLOSED_VALUES,
)
from accessdesk_gui.services.queue import (
    OPEN_VALUES as OPEN_VALUES,
)
from accessdesk_gui.services.queue import (
    VIEW_LABELS as VIEW_LABELS,
)
from accessdesk_gui.services.queue import (
    DueWindow as DueWindow,
)
from accessdesk_gui.services.queue import (
    Query as Query,
)
from accessdesk_gui.services.queue import (
    RequestRow as RequestRow,
)
from accessdesk_gui.services.queue import (
    SortKey as SortKey,
)
from accessdesk_gui.services.queue import (
    View as View,
)
from accessdesk_gui.services.queue import (
    count_requests as count_requests,
)
from accessdesk_gui.services.queue import (
    list_requests as list_requests,
)
from accessdesk_gui.store import audit
from accessdesk_gui.store.db import Store
from accessdesk_gui.store.intake_models import RequestAttachment
from accessdesk_gui.store.models import AccessRequest, User

# -- lifecycle --------------------------------------------------------------------------


def _transition(
    store: Store,
    actor: Actor,
    request_id: int,
    action: Action,
    event_date: dt.date,
    summary: str | Callable[[Session, AccessRequest], str],
    apply: Callable[[AccessRequest], None] | None = None,
) -> None:
    """Move a request through the lifecycle: every check, the change, its timeline event and
    audit entry in one write transaction. A callable ``summary`` runs first, in the same
    transaction: it checks what the action's own rules need and says what was done.
    """
    actor.require_staff()
    with store.write() as s:
        r = load_request(s, request_id)
        before = snapshot(r)
        text = summary(s, r) if callable(summary) else summary
        new_status = lifecycle.check_transition(Status(r.status), action)
        if event_date < r.received:
            raise RuleViolation(
                f"The date {event_date.isoformat()} is before the request was received "
                f"({r.received.isoformat()})."
            )
        if apply is not None:
            apply(r)
        r.status = new_status.value
        record_event(s, actor, r, action.value, text, event_date, before)


def start(store: Store, actor: Actor, request_id: int, on: dt.date) -> None:
    _transition(store, actor, request_id, Action.START, on, "Work started.")


def extend(
    store: Store,
    actor: Actor,
    request_id: int,
    notice_date: dt.date,
    reasons: str,
    complete_by: dt.date,
) -> None:
    """The single extension of 164.524(b)(2)(ii): reasons and a date, noticed in time."""
    reasons = check_text("reasons", reasons, limit=4000)

    def apply(r: AccessRequest) -> None:
        ext = deadlines.check_extension(
            r.received, notice_date, reasons, complete_by, r.extended_due is not None
        )
        r.extension_notice_date = ext.notice_date
        r.extension_reasons = ext.reasons
        r.extended_due = ext.complete_by
        recompute_due(r)

    def describe(_s: Session, r: AccessRequest) -> str:
        if r.extended_due is not None:
            # Say why in the rule's words, before the state machine's generic refusal.
            deadlines.check_extension(r.received, notice_date, reasons, complete_by, True)
        return (
            f"Extended to {complete_by.isoformat()}; notice dated {notice_date.isoformat()}. "
            f"Reasons: {reasons}"
        )

    _transition(store, actor, request_id, Action.EXTEND, notice_date, describe, apply)


def fulfil(
    store: Store,
    actor: Actor,
    request_id: int,
    on: dt.date,
    note: str = "",
    *,
    open_items_confirmed: bool = False,
) -> None:
    """Record that access was provided. With collection checklist items still open, the
    caller must confirm (``open_items_confirmed``): an incomplete DRS is the usual access
    failure (164.524(a)(1), (c)(1)); the open items are named in the refusal and the
    timeline.
    """
    note = check_text("note", note, limit=4000)

    def apply(r: AccessRequest) -> None:
        r.closed_on = on
        r.close_note = note

    def describe(s: Session, r: AccessRequest) -> str:
        if not r.verified_method and not lifecycle.is_closed(Status(r.status)):
            # 164.514(h): identity and authority are verified before PHI is released; the
            # clock still runs from receipt (164.524(b)(2)).
            raise RuleViolation(
                "Verify the requester's identity and authority before providing access "
                "(45 CFR 164.514(h)). The deadline still counts from the date received."
            )
        still_open = drs.open_items_in(s, request_id)
        # 42 CFR 2.31, 2.33 (access-rules 11.5): Part 2 records go to a third party only with
        # the patient's Part 2 consent recorded.
        check_part2_release(
            r.requester_kind == RequesterKind.THIRD_PARTY_DIRECTIVE.value,
            drs.part2_in_scope(s, request_id),
            r.part2_consent_on is not None,
        )
        if still_open and not open_items_confirmed:
            names = "; ".join(i.label() for i in still_open[:8])
            more = f" and {len(still_open) - 8} more" if len(still_open) > 8 else ""
            raise RuleViolation(
                f"{len(still_open)} collection checklist item(s) are still open: {names}"
                f"{more}. Check them off, or confirm that access is complete without them."
            )
        late = (on - r.effective_due).days
        text = "Access provided." + (f" {late} days after the due date." if late > 0 else "")
        if still_open:
            text += f" Confirmed with {len(still_open)} checklist item(s) open."
        return text + (f" {note}" if note else "")

    _transition(store, actor, request_id, Action.FULFIL, on, describe, apply)


def withdraw(store: Store, actor: Actor, request_id: int, on: dt.date, reason: str) -> None:
    reason = check_text("reason", reason, required=True, limit=4000)

    def apply(r: AccessRequest) -> None:
        r.closed_on = on
        r.close_note = reason

    _transition(
        store,
        actor,
        request_id,
        Action.WITHDRAW,
        on,
        f"Withdrawn by the requester: {reason}",
        apply,
    )


def assign(store: Store, actor: Actor, request_id: int, user_id: int | None) -> None:
    actor.require_staff()
    with store.write() as s:
        r = load_request(s, request_id)
        if lifecycle.is_closed(Status(r.status)):
            raise RuleViolation("This request is closed; it cannot be reassigned.")
        before = snapshot(r)
        if user_id is None:
            name = "nobody"
        else:
            u = s.get(User, user_id)
            if u is None or not u.active:
                raise NotFound(f"There is no active user with id {user_id}.")
            name = u.full_name
        r.assigned_to_id = user_id
        record_event(s, actor, r, "assigned", f"Assigned to {name}.", dt.date.today(), before)


# -- reading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    event_date: dt.date
    recorded_at: dt.datetime
    kind: str
    summary: str
    by: str


@dataclass(frozen=True)
class AttachmentInfo:
    id: int
    kind: str
    filename: str
    media_type: str
    size: int
    added_at: dt.datetime


def due_rule_json(due_source: str) -> dict[str, Any]:
    """The rule a due date comes from: its code, citation and mark (access-rules 11.1)."""
    rule = deadlines.rule_by_source(due_source)
    if rule is None:  # the federal rule, 45 CFR 164.524(b)(2)
        return {
            "code": "FEDERAL",
            "citation": due_source,
            "mark": deadlines.Mark.VERIFIED.value,
            "verify_before_relying": False,
        }
    return {
        "code": rule.code,
        "citation": rule.source,
        "mark": rule.mark.value,
        "verify_before_relying": rule.verify_before_relying,
        "days": rule.days,
        "counting": rule.counting.value,
    }


@dataclass(frozen=True)
class RequestDetail:
    id: int
    patient_name: str
    patient_dob: dt.date
    mrn: str
    received: dt.date
    requester_kind: str
    requester_name: str
    requester_relationship: str
    scope: str
    access: str
    format: str
    delivery: str
    mail_address: str
    email: str
    state: str
    status: Status
    original_due: dt.date
    effective_due: dt.date
    due_source: str
    extension_notice_date: dt.date | None
    extension_reasons: str
    extended_due: dt.date | None
    closed_on: dt.date | None
    close_note: str
    assignee: str
    days_left: int
    urgency: Urgency
    actions: list[Action]
    timeline: list[Event]
    # intake_1
    preferred_language: str = "en"
    authority: str = ""
    authority_document: str = ""
    directive_recipient: str = ""
    directive_destination: str = ""
    directive_signed: bool = False
    whole_drs: bool = False
    categories: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    summary: bool = False
    summary_agreed: bool = False
    summary_fee_agreed: bool = False
    electronic_format: str = ""
    phi_electronic: bool = True
    agreed_format: str = ""
    declined_electronic: bool = False
    email_risk_accepted: bool = False
    channel: str = ""
    verified_method: str = ""
    verified_on: dt.date | None = None
    verified_by: str = ""
    verification_note: str = ""
    incomplete: bool = False
    clarifications: tuple[str, ...] = ()
    possible_duplicate_of: int | None = None
    fee_method: str = ""
    fee_total: str = ""
    fee_lines: tuple[dict[str, str], ...] = ()
    fee_given_on: dt.date | None = None
    attachments: tuple[AttachmentInfo, ...] = ()

    def to_json(self) -> dict[str, Any]:
        def iso(d: dt.date | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "id": self.id,
            "status": self.status.value,
            "patient_name": self.patient_name,
            "patient_dob": iso(self.patient_dob),
            "mrn": self.mrn,
            "received": iso(self.received),
            "requester": {
                "kind": self.requester_kind,
                "name": self.requester_name,
                "relationship": self.requester_relationship,
            },
            "scope": self.scope,
            "access": self.access,
            "format": self.format,
            "delivery": self.delivery,
            "due": iso(self.original_due),
            "effective_due": iso(self.effective_due),
            "due_source": self.due_source,
            "due_rule": due_rule_json(self.due_source),
            "days_left": self.days_left,
            "urgency": self.urgency.value,
            "extension": (
                {
                    "notice_date": iso(self.extension_notice_date),
                    "reasons": self.extension_reasons,
                    "complete_by": iso(self.extended_due),
                }
                if self.extended_due
                else None
            ),
            "closed_on": iso(self.closed_on),
            "close_note": self.close_note,
            "assigned_to": self.assignee,
            "preferred_language": self.preferred_language,
            "channel": self.channel,
            "authority": self.authority,
            "authority_document": self.authority_document,
            "directive": (
                {
                    "recipient": self.directive_recipient,
                    "destination": self.directive_destination,
                    "signed": self.directive_signed,
                }
                if self.requester_kind == "third_party_directive"
                else None
            ),
            "what": {
                "whole_drs": self.whole_drs,
                "categories": list(self.categories),
                "date_from": iso(self.date_from),
                "date_to": iso(self.date_to),
                "summary": self.summary,
                "summary_agreed": self.summary_agreed,
                "summary_fee_agreed": self.summary_fee_agreed,
            },
            "form": {
                "electronic_format": self.electronic_format,
                "phi_electronic": self.phi_electronic,
                "agreed_format": self.agreed_format,
                "declined_electronic": self.declined_electronic,
                "email_risk_accepted": self.email_risk_accepted,
                "mail_address": self.mail_address,
                "email": self.email,
            },
            "verification": (
                {
                    "method": self.verified_method,
                    "on": iso(self.verified_on),
                    "by": self.verified_by,
                    "note": self.verification_note,
                }
                if self.verified_method
                else None
            ),
            "incomplete": self.incomplete,
            "clarifications": list(self.clarifications),
            "possible_duplicate_of": self.possible_duplicate_of,
            "fee": (
                {
                    "method": self.fee_method,
                    "total": self.fee_total,
                    "lines": list(self.fee_lines),
                    "given_on": iso(self.fee_given_on),
                }
                if self.fee_method
                else None
            ),
            "attachments": [
                {"id": a.id, "kind": a.kind, "filename": a.filename, "size": a.size}
                for a in self.attachments
            ],
            "actions": [a.value for a in self.actions],
            "timeline": [
                {
                    "date": iso(e.event_date),
                    "recorded_at": e.recorded_at.isoformat(),
                    "kind": e.kind,
                    "summary": e.summary,
                    "by": e.by,
                }
                for e in self.timeline
            ],
        }


def get_request(
    store: Store, actor: Actor, request_id: int, today: dt.date | None = None
) -> RequestDetail:
    today = today or dt.date.today()
    with store.write() as s:
        r = load_request(s, request_id)
        # Reading a patient's request is recorded too: who viewed whose record, when.
        audit.append(
            s,
            actor.username,
            "request_viewed",
            "request",
            request_id,
            patient_ref=f"request:{request_id}",
        )
        st = Status(r.status)
        events = [
            Event(e.event_date, e.recorded_at, e.kind, e.summary, e.user.full_name)
            for e in r.events
        ]
        return RequestDetail(
            id=r.id,
            patient_name=r.patient_name,
            patient_dob=r.patient_dob,
            mrn=r.mrn,
            received=r.received,
            requester_kind=r.requester_kind,
            requester_name=r.requester_name,
            requester_relationship=r.requester_relationship,
            scope=r.scope,
            access=r.access,
            format=r.format,
            delivery=r.delivery,
            mail_address=r.mail_address,
            email=r.email,
            state=r.state,
            status=st,
            original_due=r.original_due,
            effective_due=r.effective_due,
            due_source=r.due_source,
            extension_notice_date=r.extension_notice_date,
            extension_reasons=r.extension_reasons,
            extended_due=r.extended_due,
            closed_on=r.closed_on,
            close_note=r.close_note,
            assignee=r.assigned_to.full_name if r.assigned_to else "",
            days_left=deadlines.days_left(r.effective_due, today),
            urgency=deadlines.urgency(r.effective_due, today, lifecycle.is_closed(st)),
            actions=lifecycle.allowed_actions(st),
            timeline=events,
            preferred_language=r.preferred_language,
            authority=r.authority,
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
            electronic_format=r.electronic_format,
            phi_electronic=r.phi_electronic,
            agreed_format=r.agreed_format,
            declined_electronic=r.declined_electronic,
            email_risk_accepted=r.email_risk_accepted,
            channel=r.channel,
            verified_method=r.verified_method,
            verified_on=r.verified_on,
            verified_by=r.verified_by.full_name if r.verified_by else "",
            verification_note=r.verification_note,
            incomplete=r.incomplete,
            clarifications=tuple(c for c in r.clarifications.split("\n") if c),
            possible_duplicate_of=r.possible_duplicate_of,
            fee_method=r.fee_method,
            fee_total=r.fee_total,
            fee_lines=tuple(json.loads(r.fee_lines)) if r.fee_lines else (),
            fee_given_on=r.fee_given_on,
            attachments=tuple(
                AttachmentInfo(a.id, a.kind, a.filename, a.media_type, a.size, a.added_at)
                for a in s.scalars(
                    select(RequestAttachment)
                    .where(RequestAttachment.request_id == r.id)
                    .order_by(RequestAttachment.id)
                )
            ),
        )


__all__ = [
    "InvalidInput",
    "Query",
    "RequestDetail",
    "RequestRow",
    "SortKey",
    "View",
    "assign",
    "count_requests",
    "extend",
    "fulfil",
    "get_request",
    "list_requests",
    "log_request",
    "start",
    "withdraw",
]
