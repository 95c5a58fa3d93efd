"""Letter engine: plain data in, PDF bytes out (ReportLab only; no Qt, no SQL).

The renderer and fonts (ReportLab's platypus, ~0.1 s to import) load on first use, not
when the app starts: the data classes here are all the first screen needs.

The rule vocabulary (denial grounds, review outcomes, deadlines) is the domain's: letters
take GroundCode (domain/denials.py) and ReviewOutcome (domain/review.py) as they are.
"""

import importlib
from typing import TYPE_CHECKING, Any

from accessdesk_gui.letters.layout import RECIPIENT_WINDOW, RETURN_WINDOW, Area
from accessdesk_gui.letters.model import (
    Language,
    LetterData,
    Letterhead,
    LetterIncomplete,
    LetterInvalid,
    LetterKind,
    Recipient,
    ReleaseItem,
    Signer,
)
from accessdesk_gui.letters.requirements import (
    COMMON_ELEMENTS,
    REQUIRED_ELEMENTS,
    Element,
    missing_elements,
    required_elements,
    unmet_elements,
)

if TYPE_CHECKING:
    from accessdesk_gui.letters.fonts import resource_path
    from accessdesk_gui.letters.render import PDF_TITLE, render_batch, render_letter

_LAZY = {
    "resource_path": "accessdesk_gui.letters.fonts",
    "PDF_TITLE": "accessdesk_gui.letters.render",
    "render_batch": "accessdesk_gui.letters.render",
    "render_letter": "accessdesk_gui.letters.render",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "COMMON_ELEMENTS",
    "PDF_TITLE",
    "RECIPIENT_WINDOW",
    "REQUIRED_ELEMENTS",
    "RETURN_WINDOW",
    "Area",
    "Element",
    "Language",
    "LetterData",
    "LetterIncomplete",
    "LetterInvalid",
    "LetterKind",
    "Letterhead",
    "Recipient",
    "ReleaseItem",
    "Signer",
    "missing_elements",
    "render_batch",
    "render_letter",
    "required_elements",
    "resource_path",
    "unmet_elements",
]
