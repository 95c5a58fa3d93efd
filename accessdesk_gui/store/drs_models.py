"""Tables for the designated record set (DRS) map: its versions, the wizard's draft, and each
request's collection checklist.

Versions are never deleted (a trigger in the migration refuses it, and refuses changes to a
saved map's content): 164.530(j) keeps DRS documentation six years after it was last in
effect, and each request points at the version in force when it was received.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accessdesk_gui.store.models import Base


class DrsMapVersion(Base):
    __tablename__ = "drs_map_versions"
    __table_args__ = (Index("ix_drs_map_versions_effective", "effective"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    effective: Mapped[dt.date] = mapped_column(Date)
    map_json: Mapped[str] = mapped_column(Text)  # drs.to_dict, canonical JSON
    saved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # Set when the next version is saved: the last day this one was in effect, and the date
    # until which it must be kept (164.530(j)(2)). Both NULL while it is current.
    last_in_effect: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    retain_until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class DrsDraft(Base):
    """The wizard's unfinished work, so closing it loses nothing. One per store."""

    __tablename__ = "drs_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_json: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class RequestDrs(Base):
    """The DRS map version a request is collected against, and the scope asked for."""

    __tablename__ = "request_drs"

    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), primary_key=True)
    map_version: Mapped[int] = mapped_column(ForeignKey("drs_map_versions.version"))
    # {"categories": [codes] | null, "start": ISO | null, "end": ISO | null}
    scope_json: Mapped[str] = mapped_column(Text)
    built_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ChecklistItemRow(Base):
    """One place a requested category must be collected from (drs.ChecklistItem, stored)."""

    __tablename__ = "request_checklist_items"
    __table_args__ = (Index("ix_checklist_request_open", "request_id", "done_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"))
    position: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(64))
    category_title: Mapped[str] = mapped_column(String(200))
    system: Mapped[str] = mapped_column(String(64))
    system_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(30))
    who: Mapped[str] = mapped_column(Text)
    how: Mapped[str] = mapped_column(Text)
    business_associate: Mapped[str | None] = mapped_column(String(200), nullable=True)
    ba_contact: Mapped[str] = mapped_column(Text)
    ba_how: Mapped[str] = mapped_column(Text)
    turnaround_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    due_by: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    after_request_due: Mapped[bool] = mapped_column(Boolean)
    same_as: Mapped[str | None] = mapped_column(String(200), nullable=True)
    note: Mapped[str] = mapped_column(Text)
    done_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    done_note: Mapped[str] = mapped_column(Text)
