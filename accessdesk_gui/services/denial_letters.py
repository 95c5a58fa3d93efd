"""The denial letter: composed from the denial and the practice's settings (164.524(d)).

The letter's parts (letterhead with logo, recipient with the portal / e-mail fallback,
signer) come from services/letter_parts.py like every other letter's; which elements it
must carry is checked once, by the letter engine through the domain's catalogue
(letters/requirements.py over domain/denials.py). Issued through services/letters.py
``freeze_letter``, so it is listed, mailed and checked for timeliness like any notice.

Everything here works inside the caller's session; the use cases that open one (preview,
issue, the complaint-contact setting) are in services/denials.py.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.orm import Session

from accessdesk_gui.domain.deadlines import AccessKind
from accessdesk_gui.domain.denials import (
    DeniedPart,
    Extent,
    GroundCode,
    GroundSelection,
    PartKind,
    RequestPart,
    denial_extent,
    is_reviewable,
    released_parts,
)
from accessdesk_gui.letters import Language, LetterData, LetterKind, Signer, unmet_elements
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.services.errors import NotFound
from accessdesk_gui.services.letter_parts import (
    addressee,
    letterhead,
    signature_signer,
    staff_signer,
)
from accessdesk_gui.store.denial_models import Denial, DenialPart, DenialSettings
from accessdesk_gui.store.models import AccessRequest


def load_denial(s: Session, denial_id: int) -> Denial:
    d = s.get(Denial, denial_id)
    if d is None:
        raise NotFound(f"There is no denial number {denial_id}.")
    return d


# ---------------------------------------------------------------------------------------
# Practice settings the letters need
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterSettings:
    complaint_contact: str = ""
    complaint_phone: str = ""
    review_how: str = ""

    def review_instructions(self, language: str = "en") -> str:
        """How to ask for a review (164.524(d)(2)(ii)); built from the contact if not set."""
        if self.review_how.strip():
            return self.review_how.strip()
        if not (self.complaint_contact.strip() and self.complaint_phone.strip()):
            return ""
        return _PHRASES[language]["review_how"].format(
            contact=self.complaint_contact.strip(), phone=self.complaint_phone.strip()
        )


def letter_settings_row(s: Session) -> DenialSettings | None:
    return s.scalar(select(DenialSettings).limit(1))


def get_letter_settings_in(s: Session) -> LetterSettings:
    row = letter_settings_row(s)
    if row is None:
        return LetterSettings()
    return LetterSettings(row.complaint_contact, row.complaint_phone, row.review_how)


# ---------------------------------------------------------------------------------------
# Composing
# ---------------------------------------------------------------------------------------


def join_parts(items: Sequence[str]) -> str:
    return "; ".join(i for i in items if i)


def part_label(p: DenialPart, language: str = "en") -> str:
    if p.kind == PartKind.DATE_RANGE and p.start and p.end:
        to = " a " if language == "es" else " to "
        return f"{p.description} ({p.start.isoformat()}{to}{p.end.isoformat()})"
    return p.description


# The few phrases the composer adds around staff-typed part descriptions, per letter
# language (the rest of the letter's text is the engine's, letters/texts.py).
_PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "copy_only": "a copy of {part} (you may still inspect it)",
        "inspection": "inspection of {part}",
        "review_how": "write to {contact} at the address above, or call {phone}. There is "
        "no deadline for asking.",
        "awaiting": "(awaiting the professional's signature)",
    },
    "es": {
        "copy_only": "una copia de {part} (puede seguir revisándolo en persona)",
        "inspection": "revisar en persona {part}",
        "review_how": "escriba a {contact} a la dirección de arriba, o llame al {phone}. "
        "No hay plazo para pedirla.",
        "awaiting": "(a la espera de la firma del profesional)",
    },
}


@dataclass(frozen=True)
class ComposedLetter:
    data: LetterData
    missing: list[str]  # each element the letter lacks, in plain words; empty when complete
    postal: bool = True  # whether the window holds a postal address (else portal, e-mail...)


def _request_parts(d: Denial) -> list[RequestPart]:
    return [
        RequestPart(p.part_key, PartKind(p.kind), p.description, p.start, p.end) for p in d.parts
    ]


def denied_parts(d: Denial) -> list[DeniedPart]:
    return [
        DeniedPart(
            p.part_key,
            GroundSelection(
                GroundCode(p.ground_code), json.loads(p.facts_json), AccessKind(p.withholds)
            ),
        )
        for p in d.parts
        if p.ground_code
    ]


def compose(s: Session, actor: Actor, d: Denial, letter_date: dt.date) -> ComposedLetter:
    """The letter this denial makes on ``letter_date``, and every element it still lacks."""
    r = d.request
    # The requester's preferred language recorded at intake (en or es).
    lang: Language = "es" if r.preferred_language == "es" else "en"
    say = _PHRASES[lang]
    ls = get_letter_settings_in(s)
    access = AccessKind(r.access)
    extent = denial_extent(_request_parts(d), denied_parts(d), access)
    released_ids = {p.id for p in released_parts(_request_parts(d), denied_parts(d), access)}
    denied = [p for p in d.parts if p.ground_code]
    codes = list(dict.fromkeys(GroundCode(p.ground_code) for p in denied))
    withheld = []
    released = []
    for p in d.parts:
        label = part_label(p, lang)
        if p.ground_code and p.part_key not in released_ids:
            withheld.append(label)
        elif p.ground_code:  # copy withheld, inspection open (164.524(a)(2)(ii))
            withheld.append(say["copy_only"].format(part=label))
            released.append(say["inspection"].format(part=label))
        else:
            released.append(label)
    reviewable = any(is_reviewable(c) for c in codes)
    fields: dict[str, object] = {
        "denial_grounds": tuple(codes),
        "withheld_description": join_parts(withheld),
        "complaint_contact": ls.complaint_contact,
        "complaint_phone": ls.complaint_phone,
    }
    if extent is Extent.PARTIAL:
        fields["released_description"] = join_parts(released)
    if reviewable:
        fields["review_how"] = ls.review_instructions(lang)
    if d.other_holder.strip():
        fields["knows_other_holder"] = True
        fields["other_holder"] = d.other_holder
    if d.letter_detail.strip():
        fields["basis_detail"] = d.letter_detail
    if d.signature is not None:
        signer = signature_signer(d.signature)
    elif reviewable:
        # Preview before the determination: the professional's name, not yet signed.
        signer = Signer(d.determiner.full_name if d.determiner else "", say["awaiting"])
    else:
        signer = staff_signer(actor, lang)
    to = addressee(r, lang, address=d.letter_address)
    data = LetterData(
        kind=LetterKind.PARTIAL_DENIAL if extent is Extent.PARTIAL else LetterKind.DENIAL,
        language=lang,
        letterhead=letterhead(s),
        recipient=to.recipient,
        letter_date=letter_date,
        request_number=str(r.id),
        patient_name=r.patient_name,
        signer=signer,
        fields=MappingProxyType(fields),
    )
    # One check of the elements (164.524(d)(2)-(3) and the letter's own), each named once
    # as the rule states it.
    return ComposedLetter(data, [e.sentence for e in unmet_elements(data)], to.postal)


def missing_message(missing: Sequence[str]) -> str:
    return (
        "The denial letter cannot be issued: it lacks "
        + "; ".join(m.rstrip(".") for m in missing)
        + ". (45 CFR 164.524(d)(2)-(3))"
    )


def issue_pdf(
    s: Session, actor: Actor, r: AccessRequest, letter_data: LetterData, postal: bool
) -> tuple[bytes, str]:
    """Issue a denial or review letter through the letter service and return (pdf, sha256).

    It is frozen and listed with the request's other letters, so its mailing is logged and
    checked for timeliness like any notice (services/letters.py freeze_letter).
    """
    from accessdesk_gui.services.letters import freeze_letter

    row = freeze_letter(s, actor, r, letter_data, postal)
    return bytes(row.pdf), row.sha256


@dataclass(frozen=True)
class IssuedLetter:
    kind: LetterKind
    sha256: str
    pdf: bytes
