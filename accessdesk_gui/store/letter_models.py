"""Issued letters (frozen as sent), their outputs (prints, copies) and mailing records.

An issued letter never changes: the migration adds triggers that refuse UPDATE and
DELETE on ``letters`` and ``letter_mailings``. Whether a letter was sent is derived from
its mailing records; printing or saving it later makes a marked copy, logged in
``letter_outputs``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accessdesk_gui.store.models import Base, User


class LetterheadSettings(Base):
    """Letterhead extras beyond the practice's name, address and phone (one row)."""

    __tablename__ = "letterhead_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    logo_path: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class IssuedLetterRow(Base):
    __tablename__ = "letters"
    __table_args__ = (Index("ix_letters_request", "request_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"))
    kind: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(5))
    letter_date: Mapped[dt.date] = mapped_column(Date)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The recipient as printed (the request's address may be corrected later).
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_address: Mapped[str] = mapped_column(Text)  # lines joined by "\n"
    # Whether the recipient block holds a postal address (a letter for the portal or
    # email shows how it is delivered instead, and cannot be recorded as posted).
    postal: Mapped[bool] = mapped_column(default=True)
    fields_json: Mapped[str] = mapped_column(Text)  # the facts the letter states, for reading
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    pages: Mapped[int] = mapped_column(Integer)

    issued_by: Mapped[User] = relationship()
    mailings: Mapped[list[LetterMailing]] = relationship(order_by="LetterMailing.id")


class LetterMailing(Base):
    """How and when a letter went out. A letter is "sent" once it has one of these."""

    __tablename__ = "letter_mailings"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id"), index=True)
    method: Mapped[str] = mapped_column(String(20))
    sent_on: Mapped[dt.date] = mapped_column(Date)
    tracking: Mapped[str] = mapped_column(String(60), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    recorded_by: Mapped[User] = relationship()


class LetterOutput(Base):
    """Every time a letter left the store as a file or a print job."""

    __tablename__ = "letter_outputs"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id"), index=True)
    is_copy: Mapped[bool] = mapped_column()
    how: Mapped[str] = mapped_column(String(20))  # print, save, batch_print, cli
    sha256: Mapped[str] = mapped_column(String(64))  # of the bytes handed out
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
