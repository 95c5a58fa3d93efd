"""Checking the audit trail, and reporting on it for the privacy officer."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import select

from accessdesk_gui.domain.intake import fold_for_search
from accessdesk_gui.domain.roles import Role
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.store import audit
from accessdesk_gui.store.audit import VerifyResult
from accessdesk_gui.store.db import Store
from accessdesk_gui.store.models import AccessRequest, AuditEntry
from accessdesk_gui.store.security_models import AuditAnchor


@dataclass(frozen=True)
class Anchor:
    entries: int
    head_hash: str
    source: str


def anchors(store: Store) -> list[Anchor]:
    """Every recorded (entry count, head hash): in the store and in backup manifests."""
    from accessdesk_gui.services.backups import backup_folder, list_backups

    out = []
    with store.read() as s:
        for a in s.scalars(select(AuditAnchor)):
            out.append(Anchor(a.entries, a.head_hash, f"{a.reason} {a.note} ({a.made_at})"))
    for _, p in list_backups(backup_folder(store)):
        man = p.with_name(p.name + ".json")
        try:
            data = json.loads(man.read_text(encoding="utf-8"))
            out.append(Anchor(int(data["audit_entries"]), str(data["audit_head_hash"]), p.name))
        except (OSError, ValueError, KeyError):
            continue
    return out


def check_against_anchors(store: Store, result: VerifyResult) -> VerifyResult:
    """A chain that is intact but shorter than a recorded anchor lost its tail."""
    if not result.ok:
        return result
    for a in sorted(anchors(store), key=lambda a: a.entries, reverse=True):
        if result.entries < a.entries:
            return replace(
                result,
                ok=False,
                first_bad_seq=result.entries + 1,
                problem=(
                    f"the trail has {result.entries} entries but {a.source} recorded "
                    f"{a.entries}: entries at the end were removed"
                ),
            )
        with store.read() as s:
            h = s.scalar(select(AuditEntry.hash).where(AuditEntry.seq == a.entries))
        if a.entries and h != a.head_hash:
            return replace(
                result,
                ok=False,
                first_bad_seq=a.entries,
                problem=f"entry {a.entries} is not the one {a.source} recorded",
            )
        break
    return result


def verify(store: Store, actor: Actor) -> VerifyResult:
    """Any logged-in user may check the chain; the check itself is recorded too."""
    with store.read() as s:
        result = audit.verify(s)
    result = check_against_anchors(store, result)
    with store.write() as s:
        audit.append(
            s,
            actor.username,
            "audit_verified",
            "audit",
            "chain",
            None,
            {"ok": result.ok, "entries": result.entries, "first_bad": result.first_bad_seq},
        )
    return result


# -- the report -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    seq: int
    recorded_at: str
    event_at: str
    username: str
    action: str
    entity: str
    entity_id: str
    patient_ref: str
    patient_name: str


@dataclass(frozen=True)
class Report:
    rows: list[ReportRow]
    entries: int
    head_hash: str
    chain_ok: bool


def report(
    store: Store,
    actor: Actor,
    username: str | None = None,
    patient: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Report:
    """Who did what, to whose record, when (the privacy officer's accounting of access)."""
    actor.require(Role.PRIVACY_OFFICER, "see the audit report")
    with store.read() as s:
        chain = audit.verify(s)
        names = {
            f"request:{rid}": name
            for rid, name in s.execute(select(AccessRequest.id, AccessRequest.patient_name))
        }
        q = select(AuditEntry).order_by(AuditEntry.seq)
        if username:
            q = q.where(AuditEntry.username == username)
        if start:
            q = q.where(AuditEntry.recorded_at >= start.isoformat())
        if end:
            q = q.where(AuditEntry.recorded_at < (end + dt.timedelta(days=1)).isoformat())
        if patient:
            folded = fold_for_search(patient)
            refs = [
                f"request:{rid}"
                for rid in s.scalars(
                    select(AccessRequest.id).where(AccessRequest.patient_fold.contains(folded))
                )
            ]
            q = q.where(AuditEntry.patient_ref.in_(refs))
        rows = [
            ReportRow(
                e.seq,
                e.recorded_at,
                e.event_at or e.recorded_at,
                e.username,
                e.action,
                e.entity,
                e.entity_id,
                e.patient_ref,
                names.get(e.patient_ref, ""),
            )
            for e in s.scalars(q)
        ]
    with store.write() as s:
        s.add(
            AuditAnchor(
                made_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                reason="report",
                entries=chain.entries,
                head_hash=chain.head_hash,
                note="",
            )
        )
        audit.append(
            s,
            actor.username,
            "audit_report",
            "audit",
            "report",
            None,
            {
                "user": username,
                "patient_given": bool(patient),
                "from": start.isoformat() if start else None,
                "to": end.isoformat() if end else None,
                "rows": len(rows),
            },
        )
    return Report(rows, chain.entries, chain.head_hash, chain.ok)


def write_csv(rep: Report, path: Path) -> Path:
    """CSV with the chain's head and count at the top, written whole or not at all."""
    import csv
    import io
    import os

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(
        ["# audit entries", rep.entries, "head hash", rep.head_hash, "chain ok", rep.chain_ok]
    )
    w.writerow(
        [
            "seq",
            "recorded_at",
            "event_at",
            "user",
            "action",
            "entity",
            "entity_id",
            "patient_ref",
            "patient",
        ]
    )
    for r in rep.rows:
        w.writerow(
            [
                r.seq,
                r.recorded_at,
                r.event_at,
                r.username,
                r.action,
                r.entity,
                r.entity_id,
                r.patient_ref,
                r.patient_name,
            ]
        )
    tmp = path.with_name(f".{path.name}.partial")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as f:
            f.write(buf.getvalue())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
