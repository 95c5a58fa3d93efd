"""Security tables: practice settings, login throttling, and audit anchors for backups."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accessdesk_gui.store.models import Base


class SecuritySetting(Base):
    """One named setting (e.g. the backup folder, the inactivity lock minutes)."""

    __tablename__ = "security_settings"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class LoginState(Base):
    """Failed log-ins in a row and until when the account waits."""

    __tablename__ = "login_state"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class AuditAnchor(Base):
    """The audit chain's head and length when a backup or report was made (append-only).

    ``audit verify`` checks the chain still reaches the latest anchor, so a cut-off tail
    of entries is found even though the remaining chain is internally consistent.
    """

    __tablename__ = "audit_anchors"

    id: Mapped[int] = mapped_column(primary_key=True)
    made_at: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(40))  # "backup", "report", ...
    entries: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
