"""Use cases on the designated record set (DRS) map and each request's collection checklist.

* The map is documentation the practice must keep (164.524(e), 164.526(f)): only a privacy
  officer saves a version; versions are numbered, never deleted, and each records when it
  stopped being in effect and how long it must be kept (164.530(j)(2): six years from then).
* Each request records the version in force when it was received and gets a checklist built
  from that version and the scope asked for (drs.build_checklist): which categories to
  collect from which systems, the business associates to ask and by when; the same
  information in two places is produced once (164.524(c)(1)).
* Staff check items off by name and date; fulfilling a request with open items needs an
  explicit confirmation (see ``open_items`` and ``requests.fulfil``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accessdesk_gui.domain import drs
from accessdesk_gui.domain.drs import DrsMap, Scope
from accessdesk_gui.domain.errors import RuleViolation
from accessdesk_gui.domain.intake import check_text
from accessdesk_gui.domain.roles import Role
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.services.errors import InvalidInput, NotFound
from accessdesk_gui.store import audit
from accessdesk_gui.store.db import Store
from accessdesk_gui.store.drs_models import ChecklistItemRow, DrsDraft, DrsMapVersion, RequestDrs
from accessdesk_gui.store.models import AccessRequest, User

DRAFT_ID = 1


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _canonical(data: Mapping[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# -- versions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredVersion:
    """A saved version with its book-keeping."""

    map: DrsMap
    saved_by: str
    saved_at: dt.datetime
    last_in_effect: dt.date | None  # None while it is the current version
    retain_until: dt.date | None  # 164.530(j)(2); None while current (keep)

    @property
    def version(self) -> int:
        return self.map.version

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.map.version,
            "effective": self.map.effective.isoformat(),
            "saved_by": self.saved_by,
            "saved_at": self.saved_at.isoformat(timespec="seconds"),
            "last_in_effect": _iso(self.last_in_effect),
            "retain_until": _iso(self.retain_until),
        }


def _iso(d: dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


def _stored(s: Session, row: DrsMapVersion) -> StoredVersion:
    user = s.get(User, row.saved_by_id)
    return StoredVersion(
        map=drs.from_dict(json.loads(row.map_json)),
        saved_by=user.full_name if user else "?",
        saved_at=row.saved_at,
        last_in_effect=row.last_in_effect,
        retain_until=row.retain_until,
    )


def _row_in_force(s: Session, on: dt.date) -> DrsMapVersion | None:
    """The version in force on ``on``: the latest that took effect on or before it."""
    return s.scalar(
        select(DrsMapVersion)
        .where(DrsMapVersion.effective <= on)
        .order_by(DrsMapVersion.version.desc())
        .limit(1)
    )


def save_map(
    store: Store,
    actor: Actor,
    proposed: DrsMap,
    effective: dt.date,
    *,
    accept_gaps: bool = False,
    today: dt.date | None = None,
) -> StoredVersion:
    """Save ``proposed`` as the next version, in effect from ``effective``.

    Version numbers are assigned here (drs.new_version); the previous version gets the last
    day it was in effect and its retention date (164.530(j)(2)). A map with gaps is saved
    only when the caller says the gaps are known (``accept_gaps``); the wizard shows them
    first. After the first version, a new one cannot take effect in the past: requests
    already received were collected against the version in force then. [INTERPRETATION]
    The wizard's draft is discarded in the same transaction.
    """
    actor.require(Role.PRIVACY_OFFICER, "change the designated record set map")
    today = today or dt.date.today()
    gaps = drs.review(proposed)
    if gaps and not accept_gaps:
        listed = "; ".join(g.message for g in gaps[:5])
        more = f" (and {len(gaps) - 5} more)" if len(gaps) > 5 else ""
        raise RuleViolation(f"The map has {len(gaps)} open gap(s): {listed}{more}")
    with store.write() as s:
        last = s.scalar(select(DrsMapVersion).order_by(DrsMapVersion.version.desc()).limit(1))
        if last is None:
            new = dataclasses.replace(proposed, version=1, effective=effective)
        else:
            if effective < today:
                raise InvalidInput(
                    "effective",
                    f"a new version cannot take effect in the past ({effective.isoformat()}); "
                    "requests already received keep the version in force then.",
                )
            old = drs.from_dict(json.loads(last.map_json))
            new = drs.new_version(
                old,
                effective,
                practice=proposed.practice,
                responsibilities=proposed.responsibilities,
                systems=proposed.systems,
                categories=proposed.categories,
                holdings=proposed.holdings,
            )
            # 164.530(j)(2): six years from the date it was last in effect.
            until = drs.last_in_effect([old, new], old.version)
            assert until is not None
            last.last_in_effect = until
            last.retain_until = drs.retain_until(until)
        data = drs.to_dict(new)
        text = _canonical(data)
        row = DrsMapVersion(
            version=new.version,
            effective=new.effective,
            map_json=text,
            saved_by_id=actor.user_id,
            saved_at=_now(),
        )
        s.add(row)
        draft = s.get(DrsDraft, DRAFT_ID)
        if draft is not None:
            s.delete(draft)
        s.flush()
        audit.append(
            s,
            actor.username,
            "drs_map_saved",
            "drs_map",
            new.version,
            None if last is None else {"version": last.version, "effective": _iso(last.effective)},
            {
                "version": new.version,
                "effective": new.effective.isoformat(),
                "sha256": hashlib.sha256(text.encode()).hexdigest(),
                "systems": len(new.systems),
                "categories": len(new.categories),
                "holdings": len(new.holdings),
                "open_gaps": [g.code.value for g in gaps],
            },
        )
        return _stored(s, row)


def map_in_force(store: Store, actor: Actor, on: dt.date | None = None) -> StoredVersion | None:
    """The version in force on ``on`` (default today), or None before the first map."""
    actor.require_staff()
    with store.read() as s:
        row = _row_in_force(s, on or dt.date.today())
        if row is None:
            # Only future versions exist: the first one is what the practice documented.
            row = s.scalar(select(DrsMapVersion).order_by(DrsMapVersion.version).limit(1))
        return None if row is None else _stored(s, row)


def latest_map(store: Store, actor: Actor) -> StoredVersion | None:
    """The newest saved version (what the wizard edits), whether or not in force yet."""
    actor.require_staff()
    with store.read() as s:
        row = s.scalar(select(DrsMapVersion).order_by(DrsMapVersion.version.desc()).limit(1))
        return None if row is None else _stored(s, row)


def get_version(store: Store, actor: Actor, version: int) -> StoredVersion:
    actor.require_staff()
    with store.read() as s:
        row = s.scalar(select(DrsMapVersion).where(DrsMapVersion.version == version))
        if row is None:
            raise NotFound(f"There is no version {version} of the record set map.")
        return _stored(s, row)


def list_versions(store: Store, actor: Actor) -> list[StoredVersion]:
    actor.require_staff()
    with store.read() as s:
        rows = s.scalars(select(DrsMapVersion).order_by(DrsMapVersion.version)).all()
        return [_stored(s, r) for r in rows]


def import_map(
    store: Store,
    actor: Actor,
    data: Mapping[str, Any],
    effective: dt.date | None = None,
    *,
    accept_gaps: bool = False,
    today: dt.date | None = None,
) -> StoredVersion:
    """Save a map given as ``drs.to_dict`` JSON (the version number in it is ignored)."""
    copy = dict(data)
    copy["version"] = 1  # assigned by save_map
    proposed = drs.from_dict(copy)
    return save_map(
        store,
        actor,
        proposed,
        effective or proposed.effective,
        accept_gaps=accept_gaps,
        today=today,
    )


# -- the wizard's draft -----------------------------------------------------------------


def load_draft(store: Store, actor: Actor) -> dict[str, Any] | None:
    actor.require(Role.PRIVACY_OFFICER, "edit the designated record set map")
    with store.read() as s:
        row = s.get(DrsDraft, DRAFT_ID)
        if row is None:
            return None
        value = json.loads(row.draft_json)
        return value if isinstance(value, dict) else None


def save_draft(store: Store, actor: Actor, draft: Mapping[str, Any]) -> None:
    """Keep unfinished wizard work (no PHI: the map describes systems, not patients)."""
    actor.require(Role.PRIVACY_OFFICER, "edit the designated record set map")
    text = _canonical(draft)
    with store.write() as s:
        row = s.get(DrsDraft, DRAFT_ID)
        if row is None:
            s.add(
                DrsDraft(
                    id=DRAFT_ID, draft_json=text, updated_by_id=actor.user_id, updated_at=_now()
                )
            )
        elif row.draft_json == text:
            return
        else:
            row.draft_json = text
            row.updated_by_id = actor.user_id
            row.updated_at = _now()
        s.flush()
        audit.append(s, actor.username, "drs_draft_saved", "drs_draft", DRAFT_ID)


def discard_draft(store: Store, actor: Actor) -> None:
    actor.require(Role.PRIVACY_OFFICER, "edit the designated record set map")
    with store.write() as s:
        row = s.get(DrsDraft, DRAFT_ID)
        if row is not None:
            s.delete(row)
            s.flush()
            audit.append(s, actor.username, "drs_draft_discarded", "drs_draft", DRAFT_ID)


# -- per-request checklists ------------------------------------------------------------


def _scope_dict(scope: Scope) -> dict[str, Any]:
    return {
        "categories": None if scope.categories is None else sorted(scope.categories),
        "start": _iso(scope.start),
        "end": _iso(scope.end),
    }


def _scope_of(text: str) -> Scope:
    d = json.loads(text)
    cats = d.get("categories")
    return Scope(
        None if cats is None else frozenset(cats),
        None if d.get("start") is None else dt.date.fromisoformat(d["start"]),
        None if d.get("end") is None else dt.date.fromisoformat(d["end"]),
    )


def _write_items(
    s: Session,
    request_id: int,
    items: Sequence[drs.ChecklistItem],
    keep: Sequence[ChecklistItemRow],
) -> None:
    done = {(r.category, r.system): r for r in keep if r.done_on is not None}
    for position, it in enumerate(items):
        prior = done.get((it.category, it.system))
        s.add(
            ChecklistItemRow(
                request_id=request_id,
                position=position,
                category=it.category,
                category_title=it.category_title,
                system=it.system,
                system_name=it.system_name,
                action=it.action.value,
                who=it.who,
                how=it.how,
                business_associate=it.business_associate,
                ba_contact=it.ba_contact,
                ba_how=it.ba_how,
                turnaround_days=it.turnaround_days,
                due_by=it.due_by,
                after_request_due=it.after_request_due,
                same_as=it.same_as,
                note=it.note,
                done_on=prior.done_on if prior else None,
                done_by_id=prior.done_by_id if prior else None,
                done_note=prior.done_note if prior else "",
            )
        )


def _install(
    s: Session,
    actor: Actor,
    request_id: int,
    received: dt.date,
    row: DrsMapVersion,
    scope: Scope | None,
) -> None:
    """Record ``row`` as the request's map version and (re)write its checklist."""
    scope = scope or Scope.whole()
    items = drs.build_checklist(drs.from_dict(json.loads(row.map_json)), scope, received)
    scope_text = _canonical(_scope_dict(scope))
    meta = s.get(RequestDrs, request_id)
    before: dict[str, Any] | None = None
    if meta is None:
        s.add(
            RequestDrs(
                request_id=request_id,
                map_version=row.version,
                scope_json=scope_text,
                built_at=_now(),
            )
        )
    else:
        before = {"map_version": meta.map_version, "scope": json.loads(meta.scope_json)}
        meta.map_version = row.version
        meta.scope_json = scope_text
        meta.built_at = _now()
    kept = list(
        s.scalars(select(ChecklistItemRow).where(ChecklistItemRow.request_id == request_id))
    )
    for k in kept:
        s.delete(k)
    s.flush()
    _write_items(s, request_id, items, kept)
    s.flush()
    audit.append(
        s,
        actor.username,
        "checklist_built",
        "request",
        request_id,
        before,
        {"map_version": row.version, "scope": _scope_dict(scope), "items": len(items)},
    )


def _version_for(s: Session, received: dt.date) -> DrsMapVersion | None:
    # The version in force when received; for a request older than the first map, the
    # first map (the practice's earliest documentation of its DRS).
    row = _row_in_force(s, received)
    if row is None:
        row = s.scalar(select(DrsMapVersion).order_by(DrsMapVersion.version).limit(1))
    return row


def attach_request(
    s: Session, actor: Actor, request_id: int, received: dt.date, scope: Scope | None = None
) -> int | None:
    """Inside the caller's transaction (requests.log_request): record the map version in
    force when the request was received and build its checklist for ``scope`` (default: the
    whole DRS). Returns the version, or None while the practice has no map.
    """
    row = _version_for(s, received)
    if row is None:
        return None
    _install(s, actor, request_id, received, row, scope)
    return row.version


def build_request_checklist(
    store: Store, actor: Actor, request_id: int, scope: Scope | None = None
) -> RequestChecklist:
    """(Re)build a request's checklist for ``scope`` (default: the whole DRS) from the map
    version it was received under (or, if it has none yet, the version in force on its
    received date). Items already checked off stay checked off if still on the list.
    """
    actor.require_staff()
    with store.write() as s:
        r = s.get(AccessRequest, request_id)
        if r is None:
            raise NotFound(f"There is no request number {request_id}.")
        meta = s.get(RequestDrs, request_id)
        if meta is not None:
            row = s.scalar(select(DrsMapVersion).where(DrsMapVersion.version == meta.map_version))
        else:
            row = _version_for(s, r.received)
        if row is None:
            raise RuleViolation(
                "The practice has no designated record set map yet: a privacy officer "
                "writes one with the Record set map wizard (or 'accessdesk drs import')."
            )
        _install(s, actor, request_id, r.received, row, scope)
    return request_checklist(store, actor, request_id)


@dataclass(frozen=True)
class Item:
    id: int
    category: str
    category_title: str
    system: str
    system_name: str
    action: drs.ItemAction
    who: str
    how: str
    business_associate: str | None
    ba_contact: str
    ba_how: str
    turnaround_days: int | None
    due_by: dt.date | None
    after_request_due: bool
    same_as: str | None
    note: str
    done_on: dt.date | None
    done_by: str
    done_note: str

    @property
    def done(self) -> bool:
        return self.done_on is not None

    def label(self) -> str:
        return f"{self.category_title} from {self.system_name}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "category": self.category,
            "category_title": self.category_title,
            "system": self.system,
            "system_name": self.system_name,
            "action": self.action.value,
            "who": self.who,
            "how": self.how,
            "business_associate": self.business_associate,
            "ba_contact": self.ba_contact,
            "ba_how": self.ba_how,
            "turnaround_days": self.turnaround_days,
            "due_by": _iso(self.due_by),
            "after_request_due": self.after_request_due,
            "same_as": self.same_as,
            "note": self.note,
            "done": self.done,
            "done_on": _iso(self.done_on),
            "done_by": self.done_by,
            "done_note": self.done_note,
        }


@dataclass(frozen=True)
class RequestChecklist:
    request_id: int
    map_version: int | None  # None: no map existed when the request was logged
    scope: Scope
    items: list[Item]

    @property
    def open_items(self) -> list[Item]:
        return [i for i in self.items if not i.done]

    def to_json(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "map_version": self.map_version,
            "scope": _scope_dict(self.scope),
            "open": len(self.open_items),
            "items": [i.to_json() for i in self.items],
        }


def _items(s: Session, request_id: int) -> list[Item]:
    rows = s.scalars(
        select(ChecklistItemRow)
        .where(ChecklistItemRow.request_id == request_id)
        .order_by(ChecklistItemRow.position)
    ).all()
    names = {u.id: u.full_name for u in s.scalars(select(User))}
    return [
        Item(
            id=r.id,
            category=r.category,
            category_title=r.category_title,
            system=r.system,
            system_name=r.system_name,
            action=drs.ItemAction(r.action),
            who=r.who,
            how=r.how,
            business_associate=r.business_associate,
            ba_contact=r.ba_contact,
            ba_how=r.ba_how,
            turnaround_days=r.turnaround_days,
            due_by=r.due_by,
            after_request_due=r.after_request_due,
            same_as=r.same_as,
            note=r.note,
            done_on=r.done_on,
            done_by=names.get(r.done_by_id, "") if r.done_by_id is not None else "",
            done_note=r.done_note,
        )
        for r in rows
    ]


def request_checklist(store: Store, actor: Actor, request_id: int) -> RequestChecklist:
    actor.require_staff()
    with store.read() as s:
        if s.get(AccessRequest, request_id) is None:
            raise NotFound(f"There is no request number {request_id}.")
        meta = s.get(RequestDrs, request_id)
        checklist = RequestChecklist(
            request_id=request_id,
            map_version=None if meta is None else meta.map_version,
            scope=Scope.whole() if meta is None else _scope_of(meta.scope_json),
            items=_items(s, request_id),
        )
    # What is being collected of the patient's record, and from where: on the trail.
    audit.record_view(store, actor.username, "checklist_viewed", "request", request_id, request_id)
    return checklist


def open_items(store: Store, actor: Actor, request_id: int) -> list[Item]:
    """Checklist items not yet checked off; fulfilment asks for confirmation if any."""
    return request_checklist(store, actor, request_id).open_items


def open_items_in(s: Session, request_id: int) -> list[Item]:
    """Inside a caller's transaction (requests.fulfil)."""
    return [i for i in _items(s, request_id) if not i.done]


def open_items_count(store: Store, actor: Actor, request_id: int) -> int:
    actor.require_staff()
    with store.read() as s:
        n = s.scalar(
            select(func.count(ChecklistItemRow.id)).where(
                ChecklistItemRow.request_id == request_id, ChecklistItemRow.done_on.is_(None)
            )
        )
        return int(n or 0)


def _load_item(s: Session, item_id: int, request_id: int | None) -> ChecklistItemRow:
    row = s.get(ChecklistItemRow, item_id)
    if row is None or (request_id is not None and row.request_id != request_id):
        raise NotFound(
            f"There is no checklist item {item_id}"
            + (f" on request {request_id}." if request_id is not None else ".")
        )
    return row


def check_off(
    store: Store,
    actor: Actor,
    item_id: int,
    on: dt.date,
    note: str = "",
    request_id: int | None = None,
) -> None:
    """Record that the item was collected (or confirmed, for a duplicate), by whom and when."""
    actor.require_staff()
    note = check_text("note", note, limit=2000)
    with store.write() as s:
        row = _load_item(s, item_id, request_id)
        if row.done_on is not None:
            raise RuleViolation(f"“{row.category_title}” from {row.system_name} is already done.")
        r = s.get(AccessRequest, row.request_id)
        assert r is not None
        if on < r.received:
            raise InvalidInput("date", f"is before the request was received ({r.received}).")
        row.done_on = on
        row.done_by_id = actor.user_id
        row.done_note = note
        s.flush()
        audit.append(
            s,
            actor.username,
            "checklist_item_done",
            "checklist_item",
            row.id,
            {"done_on": None},
            {"request_id": row.request_id, "done_on": on.isoformat(), "note": note},
        )


def reopen(store: Store, actor: Actor, item_id: int, request_id: int | None = None) -> None:
    """Undo a check-off made by mistake (audited like the check-off)."""
    actor.require_staff()
    with store.write() as s:
        row = _load_item(s, item_id, request_id)
        if row.done_on is None:
            return
        before = {"done_on": row.done_on.isoformat(), "done_by_id": row.done_by_id}
        row.done_on = None
        row.done_by_id = None
        row.done_note = ""
        s.flush()
        audit.append(
            s,
            actor.username,
            "checklist_item_reopened",
            "checklist_item",
            row.id,
            before,
            {"request_id": row.request_id, "done_on": None},
        )


def part2_in_scope(s: Session, request_id: int) -> bool:
    """Whether the request's checklist scope, on its map version, includes 42 CFR Part 2
    records (access-rules 11.5). False when the request has no map attached.
    """
    link = s.get(RequestDrs, request_id)
    if link is None:
        return False
    row = s.scalar(select(DrsMapVersion).where(DrsMapVersion.version == link.map_version))
    if row is None:
        return False
    return drs.scope_has_part2(drs.from_dict(json.loads(row.map_json)), _scope_of(link.scope_json))


def psychotherapy_notes_kept_separately(s: Session, request_id: int) -> bool | None:
    """What the request's record-set map says of psychotherapy notes (164.501; 10.2-10.3).

    True when the map excepts psychotherapy notes kept apart from the chart, False when it
    records them as kept in the chart, None when the map is silent or there is no map.
    """
    link = s.get(RequestDrs, request_id)
    row = None
    if link is not None:
        row = s.scalar(select(DrsMapVersion).where(DrsMapVersion.version == link.map_version))
    if row is None:
        row = _row_in_force(s, dt.date.today())
    if row is None:
        return None
    for category in drs.from_dict(json.loads(row.map_json)).categories:
        if category.exception is drs.AccessException.PSYCHOTHERAPY_NOTES:
            return category.kept_separate
    return None
