"""Who may ask for access, and searching patient names across scripts and accents.

Kept apart from domain/intake.py (which has every intake rule) so the queue, which needs
only these, starts without loading the rest.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum


class RequesterKind(StrEnum):
    INDIVIDUAL = "individual"
    PERSONAL_REPRESENTATIVE = "personal_representative"  # 164.502(g)
    THIRD_PARTY_DIRECTIVE = "third_party_directive"  # 164.524(c)(3)(ii)


REQUESTER_LABELS = {
    RequesterKind.INDIVIDUAL: "The patient",
    RequesterKind.PERSONAL_REPRESENTATIVE: "Personal representative",
    RequesterKind.THIRD_PARTY_DIRECTIVE: "Directive to send to a third party",
}


def fold_for_search(text: str) -> str:
    """Lower-case and strip accents so 'nguyen' finds 'Nguyễn' and 'zoe' finds 'Zoë'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
