"""SQLAlchemy models. Dialect-neutral: no SQLite-only SQL outside store/."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from accessdesk_gui.domain import lifecycle

# The statuses of an open request, as ix_requests_open_due's WHERE (migration queue_2 has
# its own frozen copy; tests/services/test_queue.py checks both against this).
_OPEN_STATUSES = "status IN ({})".format(
    ", ".join(f"'{s.value}'" for s in lifecycle.Status if s not in lifecycle.CLOSED)
)


class Base(DeclarativeBase):
    pass


class Practice(Base):
    __tablename__ = "practice"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text)
    phone: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    # Comma-separated Role values; a user may hold several.
    roles: Mapped[str] = mapped_column(String(200))
    licence_type: Mapped[str] = mapped_column(String(40), default="")
    licence_number: Mapped[str] = mapped_column(String(40), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class AccessRequest(Base):
    __tablename__ = "requests"
    __table_args__ = (
        Index("ix_requests_status_due", "status", "effective_due"),
        # (queue_4: the due, received and requester indexes also cover the search columns)
        Index(
            "ix_requests_due_cover",
            "effective_due",
            "patient_fold",
            "mrn",
            "status",
            "assigned_to_id",
            "requester_kind",
        ),
        Index(
            "ix_requests_received_cover",
            "received",
            "patient_fold",
            "mrn",
            "status",
            "assigned_to_id",
            "requester_kind",
        ),
        Index("ix_requests_patient_fold", "patient_fold"),
        Index("ix_requests_assignee", "assigned_to_id"),
        # intake_1: the queue's filters, saved views and column sorts stay on an index.
        Index(
            "ix_requests_requester_cover",
            "requester_name",
            "patient_fold",
            "mrn",
            "status",
            "assigned_to_id",
            "requester_kind",
        ),
        Index("ix_requests_kind_status", "requester_kind", "status"),
        Index("ix_requests_incomplete_status", "incomplete", "status"),
        Index("ix_requests_patient_dob", "patient_fold", "patient_dob"),
        # queue_2: the open requests only, in due order, covering the queue's columns.
        Index(
            "ix_requests_open_due",
            "effective_due",
            "id",
            "patient_name",
            "patient_fold",
            "mrn",
            "requester_name",
            "requester_kind",
            "received",
            "status",
            "assigned_to_id",
            "incomplete",
            "verified_method",
            sqlite_where=text(_OPEN_STATUSES),
        ),
        # queue_3: searching and sorting the All and Closed views.
        Index(
            "ix_requests_search",
            "patient_fold",
            "mrn",
            "status",
            "assigned_to_id",
            "requester_kind",
        ),
        Index("ix_requests_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_name: Mapped[str] = mapped_column(String(200))
    # Accent- and case-folded copy of the name for search and sorting.
    patient_fold: Mapped[str] = mapped_column(String(200))
    patient_dob: Mapped[dt.date] = mapped_column(Date)
    mrn: Mapped[str] = mapped_column(String(40), default="", index=True)
    received: Mapped[dt.date] = mapped_column(Date)
    requester_kind: Mapped[str] = mapped_column(String(40))
    requester_name: Mapped[str] = mapped_column(String(200))
    requester_relationship: Mapped[str] = mapped_column(String(200), default="")
    scope: Mapped[str] = mapped_column(Text)
    access: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(20))
    delivery: Mapped[str] = mapped_column(String(20))
    mail_address: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    # The practice's state when received: the state rules in force for this request.
    state: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(20))
    original_due: Mapped[dt.date] = mapped_column(Date)
    # Stored (not derived at read time) so the queue sorts and filters in SQL.
    effective_due: Mapped[dt.date] = mapped_column(Date)
    due_source: Mapped[str] = mapped_column(String(100))
    extension_notice_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    extension_reasons: Mapped[str] = mapped_column(Text, default="")
    extended_due: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    close_note: Mapped[str] = mapped_column(Text, default="")
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)

    # -- intake_1: complete intake (access-rules 1, 2, 3, 7). Server defaults upgrade old rows.
    authority: Mapped[str] = mapped_column(String(40), default="", server_default="")
    authority_document: Mapped[str] = mapped_column(Text, default="", server_default="")
    directive_recipient: Mapped[str] = mapped_column(String(200), default="", server_default="")
    directive_destination: Mapped[str] = mapped_column(Text, default="", server_default="")
    directive_signed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    whole_drs: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    categories: Mapped[str] = mapped_column(Text, default="", server_default="")  # comma-joined
    date_from: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    date_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    summary: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    summary_agreed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    summary_fee_agreed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    electronic_format: Mapped[str] = mapped_column(String(20), default="", server_default="")
    phi_electronic: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    agreed_format: Mapped[str] = mapped_column(String(40), default="", server_default="")
    declined_electronic: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    email_risk_accepted: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # '' = not recorded (requests logged before intake_1).
    channel: Mapped[str] = mapped_column(String(20), default="", server_default="")
    preferred_language: Mapped[str] = mapped_column(String(5), default="en", server_default="en")
    verified_method: Mapped[str] = mapped_column(String(40), default="", server_default="")
    verified_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    verification_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    incomplete: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    clarifications: Mapped[str] = mapped_column(Text, default="", server_default="")
    possible_duplicate_of: Mapped[int | None] = mapped_column(Integer, nullable=True)
    fee_method: Mapped[str] = mapped_column(String(20), default="", server_default="")
    fee_total: Mapped[str] = mapped_column(String(20), default="", server_default="")
    fee_lines: Mapped[str] = mapped_column(Text, default="", server_default="")  # JSON
    fee_given_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # -- state_1: state fee rules (domain/fees.py STATE_FEE_RULES; access-rules 11.1).
    benefit_claim: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    earlier_copy: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # The patient's Part 2 consent to release to a third party (42 CFR 2.31; access-rules 11.5).
    part2_consent_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    part2_consent_note: Mapped[str] = mapped_column(Text, default="", server_default="")

    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
    events: Mapped[list[TimelineEvent]] = relationship(
        back_populates="request", order_by="TimelineEvent.id"
    )


class TimelineEvent(Base):
    __tablename__ = "timeline_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    # The date the event counts from in the rules (e.g. the notice date), and when it was logged.
    event_date: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    request: Mapped[AccessRequest] = relationship(back_populates="events")
    user: Mapped[User] = relationship()


class AuditEntry(Base):
    """Append-only, hash-chained. Triggers in the migration refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"
    __table_args__ = (UniqueConstraint("seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[str] = mapped_column(String(40))  # ISO-8601 UTC, hashed as text
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40))
    before: Mapped[str] = mapped_column(Text)  # canonical JSON
    after: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # ASTM E2147 (migration security_1): the patient concerned ("request:<id>") and when the
    # event happened; '' on entries written before, which hash without them.
    patient_ref: Mapped[str] = mapped_column(String(40), default="", server_default="")
    event_at: Mapped[str] = mapped_column(String(40), default="", server_default="")
