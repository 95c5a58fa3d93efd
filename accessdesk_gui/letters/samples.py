"""Complete, fictional sample letters: for previews, tests and the benchmark."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import MappingProxyType

from accessdesk_gui.domain.denials import GroundCode
from accessdesk_gui.domain.review import ReviewOutcome
from accessdesk_gui.letters.model import (
    Language,
    LetterData,
    Letterhead,
    LetterKind,
    Recipient,
    ReleaseItem,
    Signer,
)

SAMPLE_LETTERHEAD = Letterhead(
    name="Riverside Family Medicine",
    address_lines=("1200 Elm Street, Suite 4", "Springfield, IL 62704"),
    phone="(217) 555-0142",
)
SAMPLE_RECIPIENT = Recipient(
    name="Zoë Nguyễn-O'Brien",
    address_lines=("48 Maple Avenue, Apt 2B", "Springfield, IL 62701"),
)
SAMPLE_SIGNER = Signer(name="Dana Whitfield", title="Privacy Officer")

_RECEIVED = dt.date(2025, 3, 3)

SAMPLE_FIELDS: dict[LetterKind, dict[str, object]] = {
    LetterKind.ACKNOWLEDGEMENT: {
        "received_date": _RECEIVED,
        "due_date": dt.date(2025, 4, 2),
        "fee_estimate": Decimal("6.50"),
        "request_summary": "an electronic copy of your visit notes and lab results from 2023",
    },
    LetterKind.CLARIFICATION: {
        "due_date": dt.date(2025, 4, 2),
        "unclear_points": (
            "Which years of records you want (you wrote “all”, and we hold records back to 2009).",
            "Whether you want the X-ray images themselves or only the radiologist's reports.",
        ),
    },
    LetterKind.EXTENSION: {
        "received_date": _RECEIVED,
        "reasons": (
            "Part of your record from before 2015 is kept in off-site storage.",
            "We need time to retrieve those boxes and scan the pages.",
        ),
        "act_by_date": dt.date(2025, 5, 2),
    },
    LetterKind.RECORDS_READY: {
        "release_items": (
            ReleaseItem("Office visit notes", dt.date(2021, 1, 1), dt.date(2024, 12, 31), 42),
            ReleaseItem("Laboratory results", dt.date(2023, 1, 1), dt.date(2023, 12, 31), 11),
            ReleaseItem("Imaging (X-ray) files", dt.date(2022, 6, 14), None, 3, "files"),
            ReleaseItem("Immunization record", None, dt.date(2024, 10, 1), 1),
        ),
        "delivery": "We are mailing the paper copies to the address above, as you asked.",
        "amount_due": Decimal("6.50"),
    },
    LetterKind.EMAIL_RISK: {"email_address": "zoe.obrien@example.com"},
    LetterKind.DENIAL: {
        "denial_grounds": (GroundCode.PSYCHOTHERAPY_NOTES,),
        "withheld_description": "psychotherapy notes from counseling sessions in 2024",
        "complaint_contact": "the Privacy Officer",
        "complaint_phone": "(217) 555-0142",
        "knows_other_holder": True,
        "other_holder": "Prairie Behavioral Health, 77 Oak Street, Springfield, IL 62702",
    },
    LetterKind.PARTIAL_DENIAL: {
        "denial_grounds": (
            GroundCode.HARM_TO_OTHER_PERSON,
            GroundCode.LEGAL_PROCEEDING,
        ),
        "released_description": (
            "all visit notes, lab results and imaging reports from 2020 to 2024"
        ),
        "withheld_description": "two pages of family history and a letter prepared for a lawsuit",
        "review_how": "write to our Privacy Officer at the address above, or call (217) 555-0142.",
        "complaint_contact": "the Privacy Officer",
        "complaint_phone": "(217) 555-0142",
    },
    LetterKind.REVIEW_REFERRAL: {
        "review_requested_date": dt.date(2025, 4, 10),
        "reviewer_name": "Dr. Priya Raman",
        "reviewer_licence": "MD, Illinois license 036-112233",
    },
    LetterKind.REVIEW_DETERMINATION: {
        "outcome": ReviewOutcome.PARTLY_REVERSE,
        "reviewer_name": "Dr. Priya Raman",
        "reviewer_licence": "MD, Illinois license 036-112233",
        "released_description": "the two pages of family history",
        "complaint_contact": "the Privacy Officer",
        "complaint_phone": "(217) 555-0142",
    },
}


def sample_letter(
    kind: LetterKind,
    language: Language = "en",
    *,
    patient_name: str = "Zoë Nguyễn-O'Brien",
    recipient: Recipient = SAMPLE_RECIPIENT,
    request_number: str = "2025-0042",
    **field_overrides: object,
) -> LetterData:
    fields = dict(SAMPLE_FIELDS[kind])
    fields.update(field_overrides)
    return LetterData(
        kind=kind,
        language=language,
        letterhead=SAMPLE_LETTERHEAD,
        recipient=recipient,
        letter_date=dt.date(2025, 3, 5)
        if kind is not LetterKind.REVIEW_DETERMINATION
        else dt.date(2025, 4, 24),
        request_number=request_number,
        patient_name=patient_name,
        signer=SAMPLE_SIGNER,
        fields=MappingProxyType(fields),
    )
