"""Denials, signatures, reviewing officials and reviews (45 CFR 164.524(a), (d)).

A denial names the parts of a request it withholds, each with a ground from the
catalogue and the facts recorded for it. A reviewable ground needs a licensed
professional's signed determination; a review is decided and signed by a designated
reviewing official who did not take part in the denial.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accessdesk_gui.store.models import AccessRequest, Base, User


class DenialSettings(Base):
    """What every denial letter needs from the practice (one row)."""

    __tablename__ = "denial_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 164.524(d)(2)(iii), 164.530(d): name or title, and phone, of the complaint contact.
    complaint_contact: Mapped[str] = mapped_column(String(200), default="")
    complaint_phone: Mapped[str] = mapped_column(String(40), default="")
    # 164.524(d)(2)(ii): how to ask for a review (blank: built from the contact).
    review_how: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ReviewingOfficial(Base):
    """A licensed professional the practice designated to review denials (524(a)(4))."""

    __tablename__ = "reviewing_officials"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    designated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    designated_at: Mapped[dt.datetime] = mapped_column(DateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Signature(Base):
    """A signature by password re-entry: who, their licence then, and when."""

    __tablename__ = "signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    full_name: Mapped[str] = mapped_column(String(200))
    licence_type: Mapped[str] = mapped_column(String(40))
    licence_number: Mapped[str] = mapped_column(String(40))
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    statement: Mapped[str] = mapped_column(Text)

    user: Mapped[User] = relationship()


class Denial(Base):
    __tablename__ = "denials"
    __table_args__ = (
        Index("ix_denials_request", "request_id"),
        Index("ix_denials_status_determiner", "status", "determiner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"))
    drafter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # draft -> awaiting_signature -> signed -> issued; or discarded.
    status: Mapped[str] = mapped_column(String(24))
    extent: Mapped[str] = mapped_column(String(10))  # full / partial
    rationale: Mapped[str] = mapped_column(Text, default="")  # internal, for the reviewer
    letter_detail: Mapped[str] = mapped_column(Text, default="")  # printed in the letter
    # 164.524(d)(3): the practice does not hold it but knows who does.
    other_holder: Mapped[str] = mapped_column(Text, default="")
    letter_address: Mapped[str] = mapped_column(Text, default="")
    psychotherapy_notes_kept_separately: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    determiner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    routed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    signature_id: Mapped[int | None] = mapped_column(ForeignKey("signatures.id"), nullable=True)
    issued_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    letter_kind: Mapped[str] = mapped_column(String(30), default="")
    letter_sha256: Mapped[str] = mapped_column(String(64), default="")
    letter_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)

    request: Mapped[AccessRequest] = relationship()
    drafter: Mapped[User] = relationship(foreign_keys=[drafter_id])
    determiner: Mapped[User | None] = relationship(foreign_keys=[determiner_id])
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    signature: Mapped[Signature | None] = relationship()
    parts: Mapped[list[DenialPart]] = relationship(
        back_populates="denial", order_by="DenialPart.position"
    )
    participants: Mapped[list[DenialParticipant]] = relationship(back_populates="denial")


class DenialPart(Base):
    """One named part of what was asked: released, or denied on a ground with its facts."""

    __tablename__ = "denial_parts"
    __table_args__ = (UniqueConstraint("denial_id", "part_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    denial_id: Mapped[int] = mapped_column(ForeignKey("denials.id"))
    position: Mapped[int] = mapped_column(Integer)
    part_key: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))  # category / date_range / document
    description: Mapped[str] = mapped_column(Text)
    start: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    end: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    ground_code: Mapped[str] = mapped_column(String(40), default="")  # blank: released
    facts_json: Mapped[str] = mapped_column(Text, default="{}")
    withholds: Mapped[str] = mapped_column(String(10), default="both")

    denial: Mapped[Denial] = relationship(back_populates="parts")


class DenialParticipant(Base):
    """Someone recorded as taking part in the decision (never their reviewer)."""

    __tablename__ = "denial_participants"

    denial_id: Mapped[int] = mapped_column(ForeignKey("denials.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    note: Mapped[str] = mapped_column(String(200), default="")

    denial: Mapped[Denial] = relationship(back_populates="participants")
    user: Mapped[User] = relationship()


class ReviewRequest(Base):
    __tablename__ = "review_requests"
    __table_args__ = (Index("ix_review_requests_denial", "denial_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    denial_id: Mapped[int] = mapped_column(ForeignKey("denials.id"))
    requested_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20))  # awaiting_referral / referred / decided
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)

    denial: Mapped[Denial] = relationship()
    assignments: Mapped[list[ReviewerAssignment]] = relationship(
        back_populates="review", order_by="ReviewerAssignment.id"
    )


class ReviewerAssignment(Base):
    __tablename__ = "reviewer_assignments"
    __table_args__ = (Index("ix_reviewer_assignments_reviewer", "reviewer_id", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review_requests.id"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[dt.datetime] = mapped_column(DateTime)
    referred_on: Mapped[dt.date] = mapped_column(Date)
    eligibility: Mapped[str] = mapped_column(Text)  # why this reviewer may review
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    letter_sha256: Mapped[str] = mapped_column(String(64), default="")
    letter_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    review: Mapped[ReviewRequest] = relationship(back_populates="assignments")
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])


class ReviewDetermination(Base):
    __tablename__ = "review_determinations"
    __table_args__ = (UniqueConstraint("review_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review_requests.id"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_on: Mapped[dt.date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(20))
    rationale: Mapped[str] = mapped_column(Text, default="")
    signature_id: Mapped[int] = mapped_column(ForeignKey("signatures.id"))
    letter_sha256: Mapped[str] = mapped_column(String(64), default="")
    letter_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    signature: Mapped[Signature] = relationship()
    parts: Mapped[list[DeterminationPart]] = relationship(back_populates="determination")


class DeterminationPart(Base):
    """The reviewer's decision on one part under review."""

    __tablename__ = "determination_parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    determination_id: Mapped[int] = mapped_column(ForeignKey("review_determinations.id"))
    denial_part_id: Mapped[int] = mapped_column(ForeignKey("denial_parts.id"))
    upheld: Mapped[bool] = mapped_column(Boolean)
    standard: Mapped[str] = mapped_column(String(40), default="")  # (a)(3) ground if upheld

    determination: Mapped[ReviewDetermination] = relationship(back_populates="parts")
    part: Mapped[DenialPart] = relationship()
