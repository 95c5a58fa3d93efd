"""Plain data the letter engine takes. No Qt, no SQL: callers build these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Literal

Language = Literal["en", "es"]


class LetterKind(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    CLARIFICATION = "clarification"
    EXTENSION = "extension"
    RECORDS_READY = "records_ready"
    EMAIL_RISK = "email_risk"
    DENIAL = "denial"
    PARTIAL_DENIAL = "partial_denial"
    REVIEW_REFERRAL = "review_referral"
    REVIEW_DETERMINATION = "review_determination"


@dataclass(frozen=True)
class Letterhead:
    name: str
    address_lines: tuple[str, ...]
    phone: str
    logo_path: Path | None = None


@dataclass(frozen=True)
class Recipient:
    name: str
    address_lines: tuple[str, ...]


@dataclass(frozen=True)
class Signer:
    name: str
    title: str = ""


@dataclass(frozen=True)
class ReleaseItem:
    """One line of a release list: what, which dates, how much."""

    category: str
    date_from: dt.date | None
    date_to: dt.date | None
    count: int
    unit: Literal["pages", "files"] = "pages"


@dataclass(frozen=True)
class LetterData:
    """Everything one letter needs.

    `fields` holds the kind-specific elements (see requirements.REQUIRED_ELEMENTS for
    the names each kind needs); values are str, date, Decimal, bool, enums, or
    sequences of those / of ReleaseItem.
    """

    kind: LetterKind
    language: Language
    letterhead: Letterhead
    recipient: Recipient
    letter_date: dt.date
    request_number: str
    patient_name: str
    signer: Signer
    fields: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))


Money = Decimal


class LetterIncomplete(ValueError):
    """A letter lacks elements the rule or the practice's process needs."""

    def __init__(self, kind: LetterKind, missing: list[str], keys: list[str]) -> None:
        self.kind = kind
        self.missing = missing
        self.keys = keys
        super().__init__(
            f"The {kind.value.replace('_', ' ')} letter cannot be made yet. "
            f"Missing: {'; '.join(missing)}."
        )


class LetterInvalid(ValueError):
    """The elements are present but break a timing rule the letter states."""
