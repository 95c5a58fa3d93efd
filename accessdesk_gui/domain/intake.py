"""What a request for access records at intake, and how each field is checked.

Messages name the field so the GUI shows them where the value was typed and
the command line can say which option was wrong.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from accessdesk_gui.domain.deadlines import AccessKind
from accessdesk_gui.domain.errors import InvalidInput

NAME_MAX = 200
TEXT_MAX = 4000
MRN_MAX = 40
OLDEST_BIRTH_YEAR = 1880


class RequesterKind(StrEnum):
    INDIVIDUAL = "individual"
    PERSONAL_REPRESENTATIVE = "personal_representative"  # 164.502(g)


class Format(StrEnum):
    PAPER = "paper"
    ELECTRONIC = "electronic"


class Delivery(StrEnum):
    PICKUP = "pickup"
    MAIL = "mail"
    EMAIL = "email"
    PORTAL = "portal"


REQUESTER_LABELS = {
    RequesterKind.INDIVIDUAL: "The patient",
    RequesterKind.PERSONAL_REPRESENTATIVE: "Personal representative",
}


@dataclass(frozen=True)
class Intake:
    patient_name: str
    patient_dob: dt.date
    received: dt.date
    requester_kind: RequesterKind
    scope: str
    access: AccessKind
    format: Format
    delivery: Delivery
    mrn: str = ""
    requester_name: str = ""
    requester_relationship: str = ""
    mail_address: str = ""
    email: str = ""


def clean_text(value: str) -> str:
    """NFC-normalise and trim, so 'Zoë' typed two ways is stored one way."""
    return unicodedata.normalize("NFC", value).strip()


def check_name(field: str, value: str, required: bool = True) -> str:
    text = " ".join(clean_text(value).split())
    if not text:
        if required:
            raise InvalidInput(field, "is required.")
        return ""
    if len(text) > NAME_MAX:
        raise InvalidInput(field, f"is too long ({len(text)} characters; at most {NAME_MAX}).")
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise InvalidInput(field, "contains control characters.")
    if not any(ch.isalpha() for ch in text):
        raise InvalidInput(field, "must contain at least one letter.")
    return text


def check_text(field: str, value: str, required: bool = False, limit: int = TEXT_MAX) -> str:
    text = clean_text(value)
    if not text and required:
        raise InvalidInput(field, "is required.")
    if len(text) > limit:
        raise InvalidInput(field, f"is too long ({len(text)} characters; at most {limit}).")
    return text


def parse_date(field: str, value: str) -> dt.date:
    """ISO dates only (YYYY-MM-DD): unambiguous for US and other offices alike."""
    text = value.strip()
    if not text:
        raise InvalidInput(field, "is required (YYYY-MM-DD).")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(field, f"'{text}' is not a date; use YYYY-MM-DD.") from None


def check_intake(intake: Intake, today: dt.date) -> Intake:
    """Return a cleaned copy, or raise InvalidInput naming the first bad field."""
    name = check_name("patient_name", intake.patient_name)
    if intake.received > today:
        raise InvalidInput("received", "cannot be in the future.")
    if intake.patient_dob > intake.received:
        raise InvalidInput("patient_dob", "cannot be after the date the request was received.")
    if intake.patient_dob.year < OLDEST_BIRTH_YEAR:
        raise InvalidInput("patient_dob", f"is before {OLDEST_BIRTH_YEAR}; check the year.")
    mrn = check_text("mrn", intake.mrn, limit=MRN_MAX)
    scope = check_text("scope", intake.scope, required=True)
    requester_name = check_name(
        "requester_name",
        intake.requester_name,
        required=intake.requester_kind is RequesterKind.PERSONAL_REPRESENTATIVE,
    )
    relationship = check_text("requester_relationship", intake.requester_relationship, limit=200)
    if intake.requester_kind is RequesterKind.PERSONAL_REPRESENTATIVE and not relationship:
        raise InvalidInput(
            "requester_relationship",
            "is required for a personal representative (e.g. parent, guardian, executor).",
        )
    address = check_text("mail_address", intake.mail_address, limit=500)
    if intake.delivery is Delivery.MAIL and not address:
        raise InvalidInput("mail_address", "is required when the copy is to be mailed.")
    email = check_text("email", intake.email, limit=254)
    if intake.delivery is Delivery.EMAIL and ("@" not in email or " " in email):
        raise InvalidInput("email", "needs a valid e-mail address for e-mail delivery.")
    return Intake(
        patient_name=name,
        patient_dob=intake.patient_dob,
        received=intake.received,
        requester_kind=intake.requester_kind,
        scope=scope,
        access=intake.access,
        format=intake.format,
        delivery=intake.delivery,
        mrn=mrn,
        requester_name=requester_name
        or (name if intake.requester_kind is RequesterKind.INDIVIDUAL else ""),
        requester_relationship=relationship,
        mail_address=address,
        email=email,
    )


def fold_for_search(text: str) -> str:
    """Lower-case and strip accents so 'nguyen' finds 'Nguyễn' and 'zoe' finds 'Zoë'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
