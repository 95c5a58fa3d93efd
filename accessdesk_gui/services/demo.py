"""A throwaway store filled with clearly fictional requests in every state.

Built through the same services as real work, so its timelines and audit trail
are what a real office would see.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path

from accessdesk_gui.domain.deadlines import AccessKind
from accessdesk_gui.domain.drs import Scope
from accessdesk_gui.domain.drs_catalogue import demo_map
from accessdesk_gui.domain.intake import (
    Authority,
    Channel,
    Delivery,
    Format,
    Intake,
    RequesterKind,
    Verification,
    VerificationMethod,
)
from accessdesk_gui.domain.roles import Role
from accessdesk_gui.services import auth, drs, practice, requests
from accessdesk_gui.services.errors import SetupError
from accessdesk_gui.store import keys
from accessdesk_gui.store.db import Store

# The demo's practice, by state: Oregon has no shorter rule (the federal 30 days); Texas shows
# a shorter state deadline (Tex. Occ. Code 159.006(d): 15 business days on Texas's calendar).
DEMO_PRACTICES = {
    "OR": ("Maple Grove Family Medicine (DEMO)", "Springfield, OR 97000"),
    "TX": ("Bluebonnet Family Medicine (DEMO)", "Austin, TX 78701"),
}

DEMO_USER = "demo"
DEMO_PASSWORD = "demo-password-only"  # a throwaway store; printed on the login screen

# Invented names (no real patients), in several scripts on purpose.
_PATIENTS = [
    ("Zoë Marchetti-Vale", "1984-03-12"),
    ("Nguyễn Thị Demo", "1990-07-01"),
    ("Liam O'Brien-Sample", "1975-11-30"),
    ("李 示例", "1962-02-14"),
    ("Amara Okonkwo-Test", "2001-05-09"),
    ("José Álvarez Ficticio", "1958-09-23"),
    ("Greta Fakesdottir", "1947-12-02"),
    ("Samir Haddad-Example", "1999-01-17"),
    ("Priya Placeholder", "1988-06-06"),
    ("Marek Nowak-Demo", "1970-10-10"),
    ("Chloé Dupont-Exemple", "2012-04-21"),
    ("Tomás Ríos Muestra", "1993-08-15"),
    ("Hannah Mock-Lindqvist", "1981-03-03"),
    ("Kwame Asante-Trial", "1966-12-24"),
    ("Olivia Notreal", "2005-02-28"),
    ("Björn Testberg", "1953-07-19"),
]
# What each request asks for, in words and as DRS categories (None: the whole set) with an
# optional date range in days before the received date.
_SCOPES: list[tuple[str, frozenset[str] | None, int | None]] = [
    ("Complete designated record set, including billing records", None, None),
    (
        "Lab results and visit notes from the last two years",
        frozenset({"medical.results", "medical.clinical_notes"}),
        730,
    ),
    ("Immunization record", frozenset({"medical.immunizations"}), None),
    (
        "Billing statements and claims for the last year",
        frozenset({"billing.statements", "billing.claims"}),
        365,
    ),
    ("Imaging reports from the knee MRI", frozenset({"medical.results"}), 365),
    (
        "Portal messages and clinical notes since January",
        frozenset({"medical.patient_submitted", "medical.clinical_notes"}),
        120,
    ),
]


def build_demo_store(
    path: Path, today: dt.date | None = None, seed: int = 7, state: str = "OR"
) -> Store:
    """``state`` picks the demo practice (DEMO_PRACTICES): TX shows a shorter state rule."""
    today = today or dt.date.today()
    if state.upper() not in DEMO_PRACTICES:
        raise SetupError(f"The demo has a practice in {', '.join(DEMO_PRACTICES)}, not {state}.")
    practice_name, town = DEMO_PRACTICES[state.upper()]
    rng = random.Random(seed)
    path = Path(path)
    if path.exists():
        raise SetupError(f"{path} already exists; a demo store is always built new.")
    keys.record_demo_mode(path)  # fictional data: a public key, so no keyring is needed
    store = Store.open(path, create=True)
    admin = practice.set_up(
        store,
        practice.PracticeInfo(
            practice_name,
            f"100 Example Street\n{town}",
            "(555) 010-0100",
            state.upper(),
        ),
        DEMO_USER,
        "Dana Demo (office manager)",
        DEMO_PASSWORD,
    )
    doctor = auth.add_user(
        store,
        admin,
        "drpatel",
        "Dr. Asha Patel-Sample",
        DEMO_PASSWORD,
        {Role.LICENSED_PROFESSIONAL},
        "MD",
        "MD-000000-DEMO",
    )
    desk = auth.add_user(
        store, admin, "frontdesk", "Riley Front-Desk", DEMO_PASSWORD, {Role.FRONT_DESK}
    )
    # The practice's record set map, version 1 (fictional vendors).
    drs_map = dataclasses.replace(demo_map(), practice=practice_name)
    drs.save_map(store, admin, drs_map, drs_map.effective, today=today)

    # Received from 75 days ago to today, so every state and urgency appears.
    ages = [75, 64, 52, 47, 40, 35, 33, 31, 29, 27, 25, 24, 23, 20, 16, 12, 9, 6, 3, 1, 0]
    for n, age in enumerate(ages):
        name, dob = _PATIENTS[n % len(_PATIENTS)]
        received = today - dt.timedelta(days=age)
        representative = n % 5 == 4
        delivery = [Delivery.PORTAL, Delivery.MAIL, Delivery.EMAIL, Delivery.PICKUP][n % 4]
        scope_text, codes, days_back = rng.choice(_SCOPES)
        rid = requests.log_request(
            store,
            admin,
            Intake(
                patient_name=name,
                patient_dob=dt.date.fromisoformat(dob),
                received=received,
                requester_kind=(
                    RequesterKind.PERSONAL_REPRESENTATIVE
                    if representative
                    else RequesterKind.INDIVIDUAL
                ),
                requester_name="Morgan Guardian-Demo" if representative else "",
                requester_relationship="Parent of a minor" if representative else "",
                scope=scope_text,
                access=AccessKind.COPY,
                format=Format.PAPER if delivery is Delivery.MAIL else Format.ELECTRONIC,
                delivery=delivery,
                mrn=f"DEMO-{1000 + n}",
                mail_address=f"1 Sample Road\n{town}" if delivery is Delivery.MAIL else "",
                email="patient@example.invalid" if delivery is Delivery.EMAIL else "",
                email_risk_accepted=n % 8 != 2,
                authority=Authority.PARENT_OF_MINOR if representative else None,
                authority_document="Birth certificate" if representative and n % 2 else "",
                channel=list(Channel)[n % len(Channel)],
                preferred_language="es" if n % 6 == 5 else "en",
                whole_drs=n % 4 == 0,
                verification=(
                    Verification(VerificationMethod.PHOTO_ID, received) if n % 7 != 3 else None
                ),
            ),
            today=today,
        )
        if codes is not None or days_back is not None:
            start = None if days_back is None else received - dt.timedelta(days=days_back)
            drs.build_request_checklist(
                store, admin, rid, Scope(codes, start, received if start else None)
            )
        if age >= 3:
            requests.start(store, admin, rid, received + dt.timedelta(days=1))
        closing = age in (75, 52, 40)
        if age >= 3:
            # Work in progress: the first items collected, all of them for closed requests.
            items = drs.request_checklist(store, admin, rid).items
            done = items if closing else items[: len(items) // 3]
            for k, item in enumerate(done):
                on = min(today, received + dt.timedelta(days=2 + k % 4))
                who = admin if k % 2 else desk
                drs.check_off(store, who, item.id, on)
        if n % 3 == 0 and age > 1:
            requests.assign(store, admin, rid, doctor.user_id if n % 2 else admin.user_id)
        if age in (75, 52, 40):
            requests.fulfil(
                store, admin, rid, received + dt.timedelta(days=rng.randint(5, 25)), "Sent."
            )
        elif age == 64:
            requests.extend(
                store,
                admin,
                rid,
                received + dt.timedelta(days=20),
                "Older records are in off-site storage and must be retrieved.",
                received + dt.timedelta(days=55),
            )
        elif age == 47:
            requests.withdraw(
                store, admin, rid, received + dt.timedelta(days=4), "Patient picked up a copy."
            )
        elif age == 33:
            requests.extend(
                store,
                admin,
                rid,
                received + dt.timedelta(days=25),
                "Billing records are held by our billing company and take 3 weeks to arrive.",
                received + dt.timedelta(days=50),
            )
    return store
