"""The tamper-evident audit trail: every entry hashes its content and the previous hash.

Changing, deleting, inserting or reordering an entry breaks the chain at that
point; ``verify`` names the first entry that does not check out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, literal, select
from sqlalchemy.orm import Session

from accessdesk_gui.store.models import AuditEntry

if TYPE_CHECKING:
    from accessdesk_gui.store.handle import StoreHandle as Store

GENESIS = "0" * 64


def canonical(data: Mapping[str, Any] | None) -> str:
    return json.dumps(
        data or {}, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


def entry_hash(
    prev_hash: str,
    seq: int,
    recorded_at: str,
    username: str,
    action: str,
    entity: str,
    entity_id: str,
    before: str,
    after: str,
    patient_ref: str = "",
    event_at: str = "",
) -> str:
    fields: list[object] = [
        prev_hash,
        seq,
        recorded_at,
        username,
        action,
        entity,
        entity_id,
        before,
        after,
    ]
    if patient_ref or event_at:
        # Entries since migration security_1 always carry event_at, so both are hashed;
        # older entries (both '') hash exactly as they were written.
        fields += [patient_ref, event_at]
    payload = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _patient_ref_of(
    entity: str,
    entity_id: object,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> str:
    """Whose record an entry concerns, when the caller did not say: the request itself, or
    the request a letter, denial or review belongs to (so a report by patient finds it).
    """
    if entity == "request":
        return f"request:{entity_id}"
    for data in (after, before):
        if data and isinstance(data.get("request_id"), int):
            return f"request:{data['request_id']}"
    return ""


def append(
    session: Session,
    username: str,
    action: str,
    entity: str,
    entity_id: object,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
    patient_ref: str = "",
    event_at: dt.datetime | dt.date | None = None,
) -> AuditEntry:
    """Add an entry in the caller's transaction (the change and its entry commit together).

    ASTM E2147: ``patient_ref`` names the patient's record concerned (e.g. "request:12"),
    ``event_at`` when the event happened if not when it is recorded (e.g. a notice date).
    """
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq = (last.seq + 1) if last else 1
    prev = last.hash if last else GENESIS
    recorded = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="microseconds")
    if isinstance(event_at, dt.datetime):
        happened = event_at.isoformat(timespec="microseconds")
    elif isinstance(event_at, dt.date):
        happened = event_at.isoformat()
    else:
        happened = recorded
    patient_ref = (patient_ref or _patient_ref_of(entity, entity_id, before, after))[:40]
    b, a = canonical(before), canonical(after)
    entry = AuditEntry(
        seq=seq,
        recorded_at=recorded,
        username=username,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=b,
        after=a,
        prev_hash=prev,
        patient_ref=patient_ref,
        event_at=happened,
        hash=entry_hash(
            prev,
            seq,
            recorded,
            username,
            action,
            entity,
            str(entity_id),
            b,
            a,
            patient_ref,
            happened,
        ),
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str = ""


def record_view(
    store: Store, username: str, action: str, entity: str, entity_id: object, request_id: int
) -> None:
    """Record that ``username`` was shown a patient's data (ASTM E2147: who viewed whose
    record, what, when), in its own write transaction.

    For services whose reading runs in a read session: call it after the data is read and
    before returning it, so nothing is shown without its entry (if the entry cannot be
    written, the error propagates and the data is not returned).
    """
    with store.write() as s:
        append(s, username, action, entity, entity_id, patient_ref=f"request:{request_id}")


def verify(session: Session) -> VerifyResult:
    prev = GENESIS
    expected_seq = 1
    count = 0
    # A store (or the copy taken before upgrading it) older than security_1 has no
    # patient_ref / event_at: its entries were hashed without them, i.e. as ''.
    table = AuditEntry.__table__
    found = inspect(session.connection()).get_columns(AuditEntry.__tablename__)
    present = {c["name"] for c in found}
    columns = [c if c.name in present else literal("").label(c.name) for c in table.c]
    rows = session.execute(select(*columns).order_by(table.c.id))
    for e in rows:
        count += 1
        if e.seq != expected_seq:
            return VerifyResult(
                False,
                count,
                prev,
                e.seq,
                f"entry {e.seq} is out of place (expected entry {expected_seq}): "
                "entries were removed, inserted or reordered",
            )
        if e.prev_hash != prev:
            return VerifyResult(
                False, count, prev, e.seq, f"entry {e.seq} does not follow the entry before it"
            )
        calc = entry_hash(
            prev,
            e.seq,
            e.recorded_at,
            e.username,
            e.action,
            e.entity,
            e.entity_id,
            e.before,
            e.after,
            e.patient_ref,
            e.event_at,
        )
        if calc != e.hash:
            return VerifyResult(
                False, count, prev, e.seq, f"entry {e.seq} was changed after it was written"
            )
        prev = e.hash
        expected_seq += 1
    return VerifyResult(True, count, prev)
