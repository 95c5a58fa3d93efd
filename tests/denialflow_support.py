"""Shared set-up for the denial and review tests: a practice with a front desk, two
physicians (one designated reviewer), a complaint contact and a mailed request.
All people are invented."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from pypdf import PdfReader

from accessdesk_gui.domain.deadlines import AccessKind
from accessdesk_gui.domain.denials import GroundCode
from accessdesk_gui.domain.intake import Delivery, RequesterKind
from accessdesk_gui.domain.roles import Role
from accessdesk_gui.services import auth, denials, requests, review
from accessdesk_gui.services.denials import DraftInput, PartInput
from accessdesk_gui.store.db import Store
from tests.conftest import PASSWORD, make_intake, prepared_actors

RECEIVED = dt.date(2026, 1, 31)  # due 2026-03-02
TODAY = dt.date(2026, 2, 10)

# Valid facts for each ground (what the composer asks the user to record).
FACTS: dict[GroundCode, dict[str, str | bool]] = {
    GroundCode.PSYCHOTHERAPY_NOTES: {
        "kept_separately": True,
        "session_notes_only": True,
        "kept_by": "Dr. Ana Fictitia, PsyD",
    },
    GroundCode.LEGAL_PROCEEDING: {
        "proceeding": "Civil case Doe v. Example Clinic",
        "compiled_for_proceeding": True,
    },
    GroundCode.INMATE_COPY: {
        "institution": "Example County Jail",
        "acting_for_institution": True,
        "jeopardy": "Copy would disclose facility security routines",
    },
    GroundCode.RESEARCH_IN_PROGRESS: {
        "study": "Protocol EX-123",
        "includes_treatment": True,
        "in_progress": True,
        "agreed_at_consent": True,
        "told_access_resumes": True,
    },
    GroundCode.PRIVACY_ACT: {
        "system_of_records": "VA-24 (example)",
        "privacy_act_basis": "5 U.S.C. 552a(k)(5)",
    },
    GroundCode.CONFIDENTIAL_SOURCE: {
        "source": "A neighbour (kept internal)",
        "source_not_provider": True,
        "promise_of_confidentiality": True,
        "would_reveal_source": True,
    },
    GroundCode.ENDANGERMENT: {
        "endangered": "the patient",
        "danger": "Documented plan of self-harm tied to the withheld note",
        "physical_not_emotional": True,
    },
    GroundCode.HARM_TO_OTHER_PERSON: {
        "other_person": "A family member named in the note",
        "other_not_provider": True,
        "harm": "Risk of violence against the family member",
    },
    GroundCode.PERSONAL_REPRESENTATIVE_HARM: {
        "representative_name": "Rex Representative",
        "harmed_person": "the patient",
        "harm": "Documented abuse by the representative",
    },
}


@dataclass
class Office:
    store: Store
    admin: auth.Actor
    desk: auth.Actor
    patel: auth.Actor  # physician, determines denials
    lee: auth.Actor  # physician, designated reviewer
    okafor: auth.Actor  # physician, designated reviewer too


def set_up_office(store: Store, admin: auth.Actor, desk: auth.Actor) -> Office:
    """The office on a store; a test that asks for an ``office`` fixture gets a store copied
    from a template that already holds it (tests/conftest.py StoreTemplates)."""
    staff = prepared_actors(store)
    if "okafor" not in staff:
        staff = add_office_staff(store, admin)
    return Office(store, admin, desk, staff["patel"], staff["lee"], staff["okafor"])


def add_office_staff(store: Store, admin: auth.Actor) -> dict[str, auth.Actor]:
    """The three physicians (two designated reviewers) and the complaint contact."""
    patel = auth.add_user(
        store,
        admin,
        "drpatel",
        "Dr. Asha Patel-Example",
        PASSWORD,
        {Role.LICENSED_PROFESSIONAL},
        "MD",
        "MD-12345",
    )
    lee = auth.add_user(
        store,
        admin,
        "drlee",
        "Dr. Lee Nguyễn-Sample",
        PASSWORD,
        {Role.LICENSED_PROFESSIONAL},
        "DO",
        "DO-67890",
    )
    okafor = auth.add_user(
        store,
        admin,
        "drokafor",
        "Dr. Chidi Okafor-Test",
        PASSWORD,
        {Role.LICENSED_PROFESSIONAL},
        "MD",
        "MD-24680",
    )
    denials.set_complaint_contact(store, admin, "the Privacy Officer", "555-010-0199")
    review.designate_reviewer(store, admin, lee.user_id)
    review.designate_reviewer(store, admin, okafor.user_id)
    return {"patel": patel, "lee": lee, "okafor": okafor}


def log(store: Store, actor: auth.Actor, **kw: object) -> int:
    base: dict[str, object] = dict(
        patient_name="Zoë O'Brien-Testperson",
        received=RECEIVED,
        delivery=Delivery.MAIL,
        mail_address="48 Maple Avenue, Apt 2B\nSpringfield, OR 97000",
        access=AccessKind.COPY,
        scope="Visit notes 2020-2025 and therapy notes",
    )
    base.update(kw)
    return requests.log_request(store, actor, make_intake(**base), today=TODAY)


def rep_request(store: Store, actor: auth.Actor) -> int:
    return log(
        store,
        actor,
        requester_kind=RequesterKind.PERSONAL_REPRESENTATIVE,
        requester_name="Rex Representative",
        requester_relationship="guardian",
    )


def two_parts(ground: GroundCode | str, facts: dict | None = None, **kw: object) -> DraftInput:
    """Part p1 released, part p2 denied on ``ground``."""
    code = ground.value if isinstance(ground, GroundCode) else ground
    facts = FACTS.get(GroundCode(code), {}) if facts is None and code in set(GroundCode) else facts
    withholds = AccessKind.COPY if code == GroundCode.INMATE_COPY else AccessKind.BOTH
    base: dict[str, object] = dict(
        parts=(
            PartInput("p1", "Visit notes 2020-2025"),
            PartInput(
                "p2", "Notes of 2024-03-05", ground=code, facts=facts or {}, withholds=withholds
            ),
        ),
        rationale="Withheld part meets the ground recorded.",
        psychotherapy_notes_kept_separately=True,
    )
    base.update(kw)
    return DraftInput(**base)  # type: ignore[arg-type]


def pdf_text(pdf: bytes) -> str:
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


def pdf_image_count(pdf: bytes, page: int = 0) -> int:
    """Images drawn on a page (the letterhead logo is the only image a letter has)."""
    resources = PdfReader(io.BytesIO(pdf)).pages[page].get("/Resources") or {}
    xobjects = resources.get_object().get("/XObject") or {}
    return sum(1 for x in xobjects.get_object().values() if x.get_object()["/Subtype"] == "/Image")


def tiny_png() -> bytes:
    """An 8x8 PNG, for a letterhead logo."""
    import struct
    import zlib

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    raw = b"".join(b"\x00" + b"\x20\x40\x80" * 8 for _ in range(8))
    header = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
