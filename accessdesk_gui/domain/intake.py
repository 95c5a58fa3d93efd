"""What a request for access records at intake, and how each field is checked.

Messages name the field so the GUI shows them where the value was typed and
the command line can say which option was wrong.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, replace
from enum import StrEnum

from accessdesk_gui.domain.deadlines import AccessKind
from accessdesk_gui.domain.errors import InvalidInput
from accessdesk_gui.domain.fees import FeeFacts
from accessdesk_gui.domain.requesters import (  # re-exported
    REQUESTER_LABELS as REQUESTER_LABELS,
)
from accessdesk_gui.domain.requesters import (
    RequesterKind as RequesterKind,
)
from accessdesk_gui.domain.requesters import (
    fold_for_search as fold_for_search,
)

NAME_MAX = 200
TEXT_MAX = 4000
MRN_MAX = 40
OLDEST_BIRTH_YEAR = 1880


class Authority(StrEnum):
    """The kind of authority a personal representative holds (164.502(g); access-rules 7.2)."""

    PARENT_OF_MINOR = "parent_of_minor"
    COURT_GUARDIAN = "court_guardian"
    HEALTH_CARE_POA = "health_care_poa"
    EXECUTOR = "executor"
    OTHER = "other"


AUTHORITY_LABELS = {
    Authority.PARENT_OF_MINOR: "Parent or guardian of a minor",
    Authority.COURT_GUARDIAN: "Court-appointed guardian",
    Authority.HEALTH_CARE_POA: "Health-care power of attorney",
    Authority.EXECUTOR: "Executor or administrator of the estate",
    Authority.OTHER: "Other authority",
}


class Format(StrEnum):
    PAPER = "paper"
    ELECTRONIC = "electronic"


class ElectronicFormat(StrEnum):
    """Electronic forms a copy can take (164.524(c)(2)(ii); FAQ 2054)."""

    PDF = "pdf"
    CCDA = "ccda"
    IMAGES = "images"
    PORTAL_DOWNLOAD = "portal_download"
    EMAIL = "email"
    USB = "usb"
    CD = "cd"


ELECTRONIC_FORMAT_LABELS = {
    ElectronicFormat.PDF: "PDF",
    ElectronicFormat.CCDA: "C-CDA (structured summary)",
    ElectronicFormat.IMAGES: "Images (e.g. DICOM, JPEG)",
    ElectronicFormat.PORTAL_DOWNLOAD: "Portal download",
    ElectronicFormat.EMAIL: "E-mail attachment",
    ElectronicFormat.USB: "USB drive",
    ElectronicFormat.CD: "CD",
}
PORTABLE_MEDIA = frozenset({ElectronicFormat.USB, ElectronicFormat.CD})


class Delivery(StrEnum):
    PICKUP = "pickup"
    MAIL = "mail"
    EMAIL = "email"
    PORTAL = "portal"
    THIRD_PARTY = "third_party"  # straight to the recipient named in a directive


class Channel(StrEnum):
    """How the request reached the practice. No channel may be refused (access-rules 1.6)."""

    IN_PERSON = "in_person"
    MAIL = "mail"
    FAX = "fax"
    EMAIL = "email"
    PORTAL = "portal"
    PHONE = "phone"


CHANNEL_LABELS = {
    Channel.IN_PERSON: "In person",
    Channel.MAIL: "Mail",
    Channel.FAX: "Fax",
    Channel.EMAIL: "E-mail",
    Channel.PORTAL: "Patient portal",
    Channel.PHONE: "Phone",
}


class VerificationMethod(StrEnum):
    """How identity and authority were checked; no method is mandated (164.514(h))."""

    PHOTO_ID = "photo_id"
    KNOWN_TO_STAFF = "known_to_staff"
    PORTAL_ACCOUNT = "portal_account"
    SIGNATURE_MATCH = "signature_match"
    CALLBACK = "callback"
    NOTARIZED = "notarized"
    LEGAL_DOCUMENT = "legal_document"
    OTHER = "other"


VERIFICATION_LABELS = {
    VerificationMethod.PHOTO_ID: "Photo ID seen",
    VerificationMethod.KNOWN_TO_STAFF: "Known to staff",
    VerificationMethod.PORTAL_ACCOUNT: "Verified portal account",
    VerificationMethod.SIGNATURE_MATCH: "Signature matches our records",
    VerificationMethod.CALLBACK: "Call-back to number on file",
    VerificationMethod.NOTARIZED: "Notarized request",
    VerificationMethod.LEGAL_DOCUMENT: "Legal document of authority seen",
    VerificationMethod.OTHER: "Other (see notes)",
}

LANGUAGES = {"en": "English", "es": "Español"}

# Record categories offered until the practice's designated record set map is in use.
DEFAULT_CATEGORIES: dict[str, str] = {
    "visit_notes": "Visit and progress notes",
    "lab_results": "Laboratory results",
    "imaging": "Imaging reports and images",
    "medications": "Medications and prescriptions",
    "immunizations": "Immunizations",
    "problems_allergies": "Problem list and allergies",
    "referrals": "Referrals and outside records",
    "billing": "Billing and claims records",
    "portal_messages": "Portal messages and correspondence",
}
WHOLE_DRS_TEXT = "The whole designated record set"

EMAIL_RISK_WARNING = (
    "Unencrypted e-mail can be read or changed on its way and may reach the wrong person. "
    "We send it this way only if the requester, told of the risk, still prefers it "
    "(78 FR 5634; HHS FAQ 2061)."
)


@dataclass(frozen=True)
class Verification:
    method: VerificationMethod
    on: dt.date
    note: str = ""


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
    # Personal representative (164.502(g))
    authority: Authority | None = None
    authority_document: str = ""
    # Directive to a third party (164.524(c)(3)(ii))
    directive_recipient: str = ""
    directive_destination: str = ""
    directive_signed: bool = False
    # What is asked
    whole_drs: bool = False
    categories: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    summary: bool = False  # a summary instead of the records (164.524(c)(2)(iii))
    summary_agreed: bool = False
    summary_fee_agreed: bool = False
    # Form and format (164.524(c)(2))
    electronic_format: ElectronicFormat | None = None
    phi_electronic: bool = True  # the records asked for are kept electronically
    agreed_format: str = ""  # what was agreed if not exactly what was asked
    declined_electronic: bool = False  # the patient declined every electronic format offered
    email_risk_accepted: bool = False  # 78 FR 5634; FAQ 2061
    channel: Channel = Channel.IN_PERSON
    preferred_language: str = "en"
    verification: Verification | None = None
    # State fee rules (domain/fees.py STATE_FEE_RULES; access-rules 11.1): intake asks "is this
    # copy for a benefit claim or appeal?" where the state makes such a copy free, and whether
    # the patient already had a copy (KY first copy free; WA, VA one free copy).
    benefit_claim: bool = False
    earlier_copy: bool = False


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


def _check_requester(intake: Intake, patient_name: str) -> dict[str, object]:
    kind = intake.requester_kind
    out: dict[str, object] = {}
    if kind is RequesterKind.PERSONAL_REPRESENTATIVE:
        # 164.502(g): the representative stands in the patient's place; we record who and why.
        out["requester_name"] = check_name("requester_name", intake.requester_name)
        relationship = check_text(
            "requester_relationship", intake.requester_relationship, limit=200
        )
        authority = intake.authority
        if authority is None and not relationship:
            raise InvalidInput(
                "requester_relationship",
                "is required for a personal representative (e.g. parent, guardian, executor).",
            )
        if authority is None:
            authority = Authority.OTHER
        out["authority"] = authority
        out["requester_relationship"] = relationship or AUTHORITY_LABELS[authority]
        out["authority_document"] = check_text(
            "authority_document", intake.authority_document, limit=500
        )
    else:
        out["authority"] = None
        out["authority_document"] = ""
        out["requester_relationship"] = ""
        name = check_name("requester_name", intake.requester_name, required=False)
        out["requester_name"] = name or patient_name
    if kind is RequesterKind.THIRD_PARTY_DIRECTIVE:
        # 524(c)(3)(ii): the directive names the recipient and where to send; it need not be a
        # HIPAA authorization (FAQ 2041). Missing parts are clarified while the clock runs.
        out["directive_recipient"] = check_text(
            "directive_recipient", intake.directive_recipient, limit=NAME_MAX
        )
        out["directive_destination"] = check_text(
            "directive_destination", intake.directive_destination, limit=500
        )
        out["directive_signed"] = intake.directive_signed
        if intake.access is not AccessKind.COPY:
            raise InvalidInput("access", "A directive asks for a copy sent to someone else.")
        if intake.delivery is not Delivery.THIRD_PARTY:
            raise InvalidInput(
                "delivery",
                "A directive's copy goes to the recipient it names: choose 'Direct "
                "to the third party'.",
            )
    else:
        out["directive_recipient"] = ""
        out["directive_destination"] = ""
        out["directive_signed"] = False
        if intake.delivery is Delivery.THIRD_PARTY:
            raise InvalidInput(
                "delivery",
                "Sending straight to someone else needs the patient's signed written directive: "
                "choose 'Directive to send to a third party' as who is asking "
                "(164.524(c)(3)(ii)).",
            )
    return out


def _check_scope(intake: Intake, today: dt.date) -> dict[str, object]:
    unknown = [c for c in intake.categories if c not in DEFAULT_CATEGORIES]
    if unknown:
        raise InvalidInput(
            "categories",
            f"'{unknown[0]}' is not a record category; choose from "
            f"{', '.join(DEFAULT_CATEGORIES)}.",
        )
    categories = tuple(dict.fromkeys(intake.categories))
    if intake.whole_drs and categories:
        raise InvalidInput(
            "categories", "Choose either the whole record set or some categories, not both."
        )
    text = check_text("scope", intake.scope, required=not (intake.whole_drs or categories))
    if not text:
        text = (
            WHOLE_DRS_TEXT
            if intake.whole_drs
            else "; ".join(DEFAULT_CATEGORIES[c] for c in categories)
        )
    if intake.date_from and intake.date_from > intake.received:
        raise InvalidInput("date_from", "is after the date the request was received.")
    if intake.date_to and intake.date_to > today:
        raise InvalidInput("date_to", "cannot be in the future.")
    if intake.date_from and intake.date_to and intake.date_to < intake.date_from:
        raise InvalidInput("date_to", "is before the start of the date range.")
    return {"scope": text, "categories": categories}


def _check_form(intake: Intake) -> dict[str, object]:
    if intake.summary and intake.access is not AccessKind.COPY:
        raise InvalidInput("access", "A summary takes the place of a copy: choose 'copy'.")
    electronic = intake.format is Format.ELECTRONIC
    if intake.delivery in (Delivery.EMAIL, Delivery.PORTAL) and not electronic:
        raise InvalidInput(
            "format",
            f"Delivery by {intake.delivery.value} is an electronic copy: choose Electronic.",
        )
    agreed = check_text("agreed_format", intake.agreed_format, limit=40)
    allowed = {"", Format.PAPER.value, *(f.value for f in ElectronicFormat)}
    if agreed not in allowed:
        raise InvalidInput("agreed_format", f"'{agreed}' is not a known format.")
    if (
        electronic
        and intake.phi_electronic
        and agreed == Format.PAPER.value
        and not intake.declined_electronic
    ):
        # 524(c)(2)(ii): e-PHI asked for electronically gets an electronic copy; paper only if
        # the patient declines every electronic format offered (FAQ 2054).
        raise InvalidInput(
            "agreed_format",
            "Records kept electronically and asked for electronically must be offered "
            "electronically; paper only if the patient declined every electronic format offered "
            "(164.524(c)(2)(ii)).",
        )
    return {
        "electronic_format": intake.electronic_format if electronic else None,
        "agreed_format": agreed,
        "declined_electronic": intake.declined_electronic and electronic,
        "summary_agreed": intake.summary_agreed and intake.summary,
        "summary_fee_agreed": intake.summary_fee_agreed and intake.summary,
    }


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
    if any(unicodedata.category(ch).startswith("C") for ch in mrn):
        raise InvalidInput("mrn", "contains control characters.")
    requester = _check_requester(intake, name)
    scope = _check_scope(intake, today)
    form = _check_form(intake)
    address = check_text("mail_address", intake.mail_address, limit=500)
    if intake.delivery is Delivery.MAIL and not address:
        raise InvalidInput("mail_address", "is required when the copy is to be mailed.")
    email = check_text("email", intake.email, limit=254)
    if intake.delivery is Delivery.EMAIL and not _EMAIL.fullmatch(email):
        raise InvalidInput("email", "needs a valid e-mail address for e-mail delivery.")
    if intake.preferred_language not in LANGUAGES:
        raise InvalidInput(
            "preferred_language", f"must be one of {', '.join(LANGUAGES)} (letters exist in those)."
        )
    verification = intake.verification
    if verification is not None:
        if verification.on < intake.received:
            raise InvalidInput("verified_on", "is before the date the request was received.")
        if verification.on > today:
            raise InvalidInput("verified_on", "cannot be in the future.")
        verification = replace(
            verification, note=check_text("verification_note", verification.note, limit=500)
        )
    return replace(
        intake,
        patient_name=name,
        mrn=mrn,
        mail_address=address if intake.delivery is Delivery.MAIL else "",
        email=email,
        email_risk_accepted=intake.email_risk_accepted and intake.delivery is Delivery.EMAIL,
        verification=verification,
        **requester,  # type: ignore[arg-type]
        **scope,  # type: ignore[arg-type]
        **form,  # type: ignore[arg-type]
    )


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def clarifications(intake: Intake) -> list[str]:
    """What still needs clarifying with the requester. The clock runs meanwhile (1.5)."""
    out: list[str] = []
    if intake.requester_kind is RequesterKind.THIRD_PARTY_DIRECTIVE:
        if not intake.directive_signed:
            out.append(
                "The directive is not signed: ask the patient to sign it (an electronic "
                "signature is fine; a HIPAA authorization is not needed)."
            )
        if not intake.directive_recipient:
            out.append("The directive does not name the recipient.")
        if not intake.directive_destination:
            out.append("The directive does not say where to send the copy.")
    if (
        intake.requester_kind is RequesterKind.PERSONAL_REPRESENTATIVE
        and not intake.authority_document
    ):
        out.append("Note the document showing the representative's authority.")
    if intake.delivery is Delivery.EMAIL and not intake.email_risk_accepted:
        out.append(
            "Warn the requester that unencrypted e-mail is risky and record that they accept it, "
            "or agree another delivery."
        )
    if intake.summary and not intake.summary_agreed:
        out.append("Record the patient's agreement to a summary instead of the records.")
    if intake.summary and not intake.summary_fee_agreed:
        out.append("Record the patient's separate agreement to the summary's fee.")
    return out


def fee_facts(intake: Intake) -> FeeFacts:
    """The request's facts as the fee rules see them (domain/fees.py)."""
    electronic = intake.format is Format.ELECTRONIC
    return FeeFacts(
        inspection_only=intake.access is AccessKind.INSPECT,
        phi_electronic=intake.phi_electronic,
        copy_electronic=electronic,
        mailing_requested=intake.delivery is Delivery.MAIL,
        portable_media_requested=electronic and intake.electronic_format in PORTABLE_MEDIA,
        summary_agreed=intake.summary_agreed,
        summary_fee_agreed=intake.summary_fee_agreed,
        third_party_directive=(
            intake.requester_kind is RequesterKind.THIRD_PARTY_DIRECTIVE and electronic
        ),
        benefit_claim=intake.benefit_claim,
        earlier_copy=intake.earlier_copy,
    )
