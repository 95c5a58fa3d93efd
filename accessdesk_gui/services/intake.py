"""Logging a request: one user action, one command, one transaction.

The intake dialog and ``accessdesk request add`` both call ``log_request`` with the request,
its scanned copy and the fee estimate told to the requester. Everything is checked first
(the intake, the file's type and size, the fee against the cleaned intake); only then are
the request, its attachment, its estimate, their timeline events and audit entries written,
together. A refused scan or fee leaves no request behind, so pressing OK again cannot make
a second one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from accessdesk_gui.domain import deadlines
from accessdesk_gui.domain.drs_catalogue import scope_for_intake
from accessdesk_gui.domain.errors import InvalidInput, RuleViolation
from accessdesk_gui.domain.fees import (
    PAYMENT_HOLD_REASON,
    FeeEstimate,
    FeeLine,
    FeeMethod,
    StateLawCharge,
    estimate_fee,
)
from accessdesk_gui.domain.intake import (
    VERIFICATION_LABELS,
    Intake,
    check_intake,
    check_text,
    clarifications,
    fee_facts,
    fold_for_search,
)
from accessdesk_gui.domain.lifecycle import Status
from accessdesk_gui.services import drs
from accessdesk_gui.services._common import (
    intake_columns,
    now,
    recompute_due,
    record_event,
    snapshot,
)
from accessdesk_gui.services.actor import Actor
from accessdesk_gui.services.errors import SetupError
from accessdesk_gui.store.db import Store
from accessdesk_gui.store.intake_models import RequestAttachment
from accessdesk_gui.store.models import AccessRequest, Practice

# -- attachments: checked before anything is written ----------------------------------------

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


@dataclass(frozen=True)
class NewAttachment:
    """A file to keep with a request (the scanned request, an authority document...)."""

    filename: str
    data: bytes
    kind: str = "scanned_request"


@dataclass(frozen=True)
class _CheckedAttachment:
    kind: str
    filename: str
    media_type: str
    data: bytes


def check_attachment(a: NewAttachment) -> _CheckedAttachment:
    """The file as it will be kept, or InvalidInput (field "file" or "kind") saying why not."""
    if a.kind not in ATTACHMENT_KINDS:
        raise InvalidInput("kind", f"must be one of {', '.join(ATTACHMENT_KINDS)}.")
    name = check_text("filename", PurePath(a.filename).name, required=True, limit=255)
    if not a.data:
        raise InvalidInput("file", "is empty.")
    if len(a.data) > ATTACHMENT_MAX_BYTES:
        raise InvalidInput(
            "file",
            # One decimal, rounded up: a file just over the limit never reads as "25 MB".
            f"is {-(-len(a.data) * 10 // (1024 * 1024)) / 10:.1f} MB; at most "
            f"{ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB can be kept in the store.",
        )
    media = sniff_media_type(a.data)
    if media is None:
        raise InvalidInput("file", "is not a PDF or an image (PNG, JPEG, TIFF).")
    return _CheckedAttachment(a.kind, name, media, a.data)


def add_attachment(s: Session, actor: Actor, r: AccessRequest, a: _CheckedAttachment) -> int:
    """Inside the caller's transaction: keep a checked file with the request."""
    row = RequestAttachment(
        request_id=r.id,
        kind=a.kind,
        filename=a.filename,
        media_type=a.media_type,
        size=len(a.data),
        sha256=hashlib.sha256(a.data).hexdigest(),
        data=a.data,
        added_by_id=actor.user_id,
        added_at=now(),
    )
    s.add(row)
    s.flush()
    record_event(
        s,
        actor,
        r,
        "attached",
        f"Attached {a.kind.replace('_', ' ')}: {a.filename} ({len(a.data) // 1024 or 1} KB).",
        dt.date.today(),
        snapshot(r),
    )
    return row.id


# -- the fee estimate (164.524(c)(4); access-rules 3) -----------------------------------------


@dataclass(frozen=True)
class NewEstimate:
    """The fee estimate told to the requester; ``given_on`` defaults to the date received."""

    method: FeeMethod
    lines: Sequence[FeeLine] = ()
    given_on: dt.date | None = None
    state_law_charges: Sequence[StateLawCharge] = ()


def check_estimate(
    status: Status,
    received: dt.date,
    intake: Intake,
    given_on: dt.date,
    fee: NewEstimate,
    state: str,
) -> FeeEstimate:
    """The estimate against the request's facts and the practice's state's fee rules
    (domain/fees.py; access-rules 11.1), or RuleViolation / InvalidInput.
    """
    if status is not Status.RECEIVED:
        raise RuleViolation(
            "The fee estimate is given before the work starts (access-rules 3.6); this "
            "request is already past that."
        )
    if given_on < received:
        raise InvalidInput("fee_given_on", "is before the date the request was received.")
    return estimate_fee(
        fee.method,
        fee.lines,
        fee_facts(intake),
        fee.state_law_charges,
        state=state,
        received=received,
    )


def record_estimate(
    s: Session, actor: Actor, r: AccessRequest, est: FeeEstimate, given_on: dt.date
) -> None:
    """Inside the caller's transaction: keep a checked estimate on the request."""
    before = snapshot(r)
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
    record_event(
        s,
        actor,
        r,
        "fee_estimate",
        f"Fee estimate given: ${est.total} ({est.method.value.replace('_', ' ')}). "
        f"{' '.join(est.notes)} {PAYMENT_HOLD_REASON}",
        given_on,
        before,
    )


# -- logging the request --------------------------------------------------------------------

DUPLICATE_WINDOW_DAYS = 30


def find_possible_duplicate(
    s: Session, patient_fold: str, dob: dt.date, mrn: str, received: dt.date
) -> int | None:
    """Another request for the same patient received within 30 days: flagged, never blocked."""
    window = dt.timedelta(days=DUPLICATE_WINDOW_DAYS)
    same_patient = and_(
        AccessRequest.patient_fold == patient_fold, AccessRequest.patient_dob == dob
    )
    if mrn:
        same_patient = or_(same_patient, AccessRequest.mrn == mrn)
    stmt = (
        select(AccessRequest.id)
        .where(
            same_patient,
            AccessRequest.received >= received - window,
            AccessRequest.received <= received + window,
        )
        .order_by(AccessRequest.id.desc())
        .limit(1)
    )
    found = s.scalar(stmt)
    return int(found) if found is not None else None


def log_request(
    store: Store,
    actor: Actor,
    intake: Intake,
    today: dt.date | None = None,
    *,
    attachment: NewAttachment | None = None,
    fee: NewEstimate | None = None,
) -> int:
    """Record a new request, with its scan and fee estimate; its clock starts on the received
    date (164.524(b)(2)).

    Whatever still needs clarifying is listed and the request marked incomplete; the clock
    runs regardless (access-rules 1.5). A possible duplicate is flagged, never refused. A
    refused file or fee (InvalidInput; a fee the rules forbid is reported on "fee_method")
    saves nothing.
    """
    actor.require_staff()
    clean = check_intake(intake, today or dt.date.today())
    todo = clarifications(clean)
    scan = check_attachment(attachment) if attachment is not None else None
    est = None
    given_on = clean.received
    with store.write() as s:
        practice = s.scalar(select(Practice).limit(1))
        if practice is None:
            raise SetupError("Set up the practice first ('accessdesk init').")
        if fee is not None:
            # Checked in the write: the fee limits depend on the practice's state.
            given_on = fee.given_on or clean.received
            try:
                est = check_estimate(
                    Status.RECEIVED, clean.received, clean, given_on, fee, practice.state
                )
            except RuleViolation as exc:
                raise InvalidInput("fee_method", exc.message) from None
        fold = fold_for_search(clean.patient_name)
        duplicate = find_possible_duplicate(s, fold, clean.patient_dob, clean.mrn, clean.received)
        v = clean.verification
        r = AccessRequest(
            **intake_columns(clean),
            patient_fold=fold,
            verified_by_id=actor.user_id if v else None,
            incomplete=bool(todo),
            clarifications="\n".join(todo),
            possible_duplicate_of=duplicate,
            state=practice.state,
            status=Status.RECEIVED.value,
            original_due=deadlines.federal_due(clean.received),
            effective_due=clean.received,
            due_source="",
            extension_reasons="",
            close_note="",
            created_by_id=actor.user_id,
            created_at=now(),
        )
        recompute_due(r)
        s.add(r)
        s.flush()
        summary = f"Request received; due {r.effective_due.isoformat()} ({r.due_source})."
        if v:
            summary += f" Identity and authority verified: {VERIFICATION_LABELS[v.method]}."
        if duplicate is not None:
            summary += f" Possible duplicate of request {duplicate} (same patient, 30 days)."
        if todo:
            summary += " Needs clarification: " + " ".join(todo)
        record_event(s, actor, r, "received", summary, clean.received, None)
        # The map version in force and a checklist for what was asked (164.524(c)(1)).
        scope = scope_for_intake(clean.categories, clean.whole_drs, clean.date_from, clean.date_to)
        drs.attach_request(s, actor, r.id, clean.received, scope)
        if scan is not None:
            add_attachment(s, actor, r, scan)
        if est is not None:
            record_estimate(s, actor, r, est, given_on)
        return r.id
