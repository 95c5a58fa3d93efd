"""Staff roles and what each may do. Enforced in the services, not only in the UI."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    FRONT_DESK = "front_desk"
    PRIVACY_OFFICER = "privacy_officer"  # administers users and settings
    LICENSED_PROFESSIONAL = "licensed_professional"  # decides reviewable denials (524(a)(3))


ROLE_LABELS = {
    Role.FRONT_DESK: "Front desk",
    Role.PRIVACY_OFFICER: "Privacy officer",
    Role.LICENSED_PROFESSIONAL: "Licensed professional",
}

LICENCE_TYPES = ("MD", "DO", "PhD psychologist", "PsyD", "NP", "PA", "LCSW", "RN", "Other")

PASSWORD_MIN = 12
