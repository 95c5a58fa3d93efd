"""Letter engine: plain data in, PDF bytes out (ReportLab only; no Qt, no SQL)."""

from accessdesk_gui.letters.fonts import resource_path
from accessdesk_gui.letters.layout import RECIPIENT_WINDOW, RETURN_WINDOW, Area
from accessdesk_gui.letters.model import (
    DenialGround,
    Language,
    LetterData,
    Letterhead,
    LetterIncomplete,
    LetterInvalid,
    LetterKind,
    Recipient,
    ReleaseItem,
    ReviewOutcome,
    Signer,
)
from accessdesk_gui.letters.render import PDF_TITLE, render_batch, render_letter
from accessdesk_gui.letters.requirements import (
    COMMON_ELEMENTS,
    REQUIRED_ELEMENTS,
    Element,
    missing_elements,
    required_elements,
)

__all__ = [
    "COMMON_ELEMENTS",
    "PDF_TITLE",
    "RECIPIENT_WINDOW",
    "REQUIRED_ELEMENTS",
    "RETURN_WINDOW",
    "Area",
    "DenialGround",
    "Element",
    "Language",
    "LetterData",
    "LetterIncomplete",
    "LetterInvalid",
    "LetterKind",
    "Letterhead",
    "Recipient",
    "ReleaseItem",
    "ReviewOutcome",
    "Signer",
    "missing_elements",
    "render_batch",
    "render_letter",
    "required_elements",
    "resource_path",
]
