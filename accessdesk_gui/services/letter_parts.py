"""The parts every letter shares: letterhead, recipient and signer, built in one place.

Every letter kind (acknowledgement to review determination) takes its letterhead (with
the practice logo), its recipient (with the portal / e-mail / pick-up line when there is
no postal address) and its signer from here, so no letter kind can lack what another
has. Used inside the caller's session; nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from accessdesk_gui.domain.errors import RuleViolation
from accessdesk_gui.domain.intake import Delivery, RequesterKind
from accessdesk_gui.domain.roles import Role
from accessdesk_gui.letters import Language, Letterhead, Recipient, Signer
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.services.errors import SetupError
from accessdesk_gui.store.denial_models import Signature
from accessdesk_gui.store.letter_models import LetterheadSettings
from accessdesk_gui.store.models import AccessRequest, Practice


def address_lines(text: str) -> tuple[str, ...]:
    """Lines of an address typed in one box: by line, or "street, city, ST" on one line."""
    lines = [ln.strip() for ln in text.replace("\r", "").split("\n") if ln.strip()]
    if len(lines) == 1 and lines[0].count(",") >= 2:
        street, rest = lines[0].split(",", 1)
        lines = [street.strip(), rest.strip()]
    return tuple(lines)


def letterhead(s: Session) -> Letterhead:
    """The practice's name, address, phone and logo (the logo must still be on disk)."""
    p = s.scalar(select(Practice).limit(1))
    if p is None:
        raise SetupError("Set up the practice first ('accessdesk init').")
    settings = s.scalar(select(LetterheadSettings).limit(1))
    logo: Path | None = None
    if settings is not None and settings.logo_path:
        candidate = Path(settings.logo_path)
        if not candidate.is_file():
            raise RuleViolation(
                f"The letterhead logo {candidate} cannot be found. Choose it again in the "
                "letterhead settings, or remove it."
            )
        logo = candidate
    return Letterhead(p.name, address_lines(p.address), p.phone, logo)


@dataclass(frozen=True)
class Addressee:
    """Who the letter goes to, and whether its window holds a postal address."""

    recipient: Recipient
    postal: bool


_NO_POST: dict[str, dict[Delivery, str]] = {
    "en": {
        Delivery.EMAIL: "By e-mail: {email}",
        Delivery.PORTAL: "Delivered through the patient portal",
        Delivery.PICKUP: "To be collected at our front desk",
        Delivery.MAIL: "",
    },
    "es": {
        Delivery.EMAIL: "Por correo electrónico: {email}",
        Delivery.PORTAL: "Entregada por el portal del paciente",
        Delivery.PICKUP: "Para recoger en nuestra recepción",
        Delivery.MAIL: "",
    },
}


def addressee(r: AccessRequest, language: Language, name: str = "", address: str = "") -> Addressee:
    """The recipient of any letter about ``r``; ``name`` / ``address`` override the request's.

    Without a postal address the letter goes the way the copy goes, and says so in the
    window (portal, e-mail, pick-up); such a letter cannot be recorded as mailed.
    """
    name, address = name.strip(), address.strip()
    if not name:
        # A personal representative stands in the patient's place (164.502(g)).
        representative = r.requester_kind == RequesterKind.PERSONAL_REPRESENTATIVE
        name = r.requester_name if representative and r.requester_name else r.patient_name
    if not address:
        address = r.mail_address
    if address:
        return Addressee(Recipient(name, address_lines(address)), True)
    how = _NO_POST[language][Delivery(r.delivery)].format(email=r.email)
    return Addressee(Recipient(name, (how,) if how else ()), False)


_TITLES: dict[str, dict[Role, str]] = {
    "en": {Role.PRIVACY_OFFICER: "Privacy Officer", Role.FRONT_DESK: "Front Desk"},
    "es": {Role.PRIVACY_OFFICER: "Responsable de Privacidad", Role.FRONT_DESK: "Recepción"},
}


def staff_signer(actor: Actor, language: Language) -> Signer:
    """The user issuing the letter, with the title of their highest role."""
    titles = {**_TITLES[language], Role.LICENSED_PROFESSIONAL: actor.licence_type}
    for role in (Role.PRIVACY_OFFICER, Role.LICENSED_PROFESSIONAL, Role.FRONT_DESK):
        if role in actor.roles:
            return Signer(actor.full_name, titles[role])
    return Signer(actor.full_name)


def signature_signer(sig: Signature) -> Signer:
    """A licensed professional's recorded electronic signature (164.524(a)(3), (d)(4))."""
    return Signer(
        sig.full_name,
        f"{sig.licence_type}, licence {sig.licence_number}; signed electronically "
        f"{sig.signed_at:%Y-%m-%d %H:%M} UTC",
    )
