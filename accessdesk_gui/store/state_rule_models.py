"""A practice's own check of a state rule: who verified it, when, against what text.

The rules themselves are data in domain/deadlines.py and domain/fees.py; a row here records
that the practice checked one (access-rules 11.1: a rule marked S says "verify before relying"
until then). Rows are never updated: a later check adds a row, the newest one counts.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accessdesk_gui.store.models import Base


class RuleVerification(Base):
    __tablename__ = "rule_verifications"
    __table_args__ = (Index("ix_rule_verifications_code", "rule_code", "verified_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_code: Mapped[str] = mapped_column(String(40))  # e.g. "LA-ANY", "VA-FEE"
    rule_source: Mapped[str] = mapped_column(String(200))  # the citation as shown when checked
    against: Mapped[str] = mapped_column(Text)  # the text or publication checked against
    verified_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[dt.datetime] = mapped_column(DateTime)
