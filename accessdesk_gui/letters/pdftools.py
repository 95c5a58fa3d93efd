"""Work on finished letter PDFs: mark a copy, join letters into one print job.

Issued letters are frozen bytes; these functions never re-render a letter, so what is
printed later is exactly what was issued (plus, for a copy, the COPY stamp).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from pypdf import PdfReader, PdfWriter
from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas

from accessdesk_gui.letters.fonts import BOLD, FAMILY, draw_text, register_fonts, string_width
from accessdesk_gui.letters.render import PDF_AUTHOR, PDF_TITLE

COPY_WORD = {"en": "COPY", "es": "COPIA"}


class Cancelled(Exception):
    """The caller asked to stop; nothing was produced."""


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def _overlay(width: float, height: float, word: str, note: str) -> PdfReader:
    register_fonts()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(width, height), invariant=1)
    # A large, light diagonal word that does not hide the text under it...
    c.saveState()
    c.setFillColor(colors.Color(0.75, 0.1, 0.1, alpha=0.18))
    c.translate(width / 2, height / 2)
    c.rotate(35)
    size = 120.0
    c.setFont(BOLD, size)
    c.drawCentredString(0, -size / 3, word)
    c.restoreState()
    # ...and a plain line in the top margin that says what this is.
    c.setFillColor(colors.Color(0.6, 0.0, 0.0))
    label = f"{word} — {note}"
    w = string_width(label, FAMILY, 8.5)
    draw_text(c, (width - w) / 2, height - 18, label, FAMILY, 8.5)
    c.showPage()
    c.save()
    return PdfReader(io.BytesIO(buf.getvalue()))


def stamp_copy(pdf: bytes, note: str, language: str = "en") -> bytes:
    """The same letter with COPY across every page and ``note`` at the top of each page."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    word = COPY_WORD.get(language, "COPY")
    cache: dict[tuple[float, float], PdfReader] = {}
    for page in writer.pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        if size not in cache:
            cache[size] = _overlay(*size, word, note)
        page.merge_page(cache[size].pages[0])
    writer.add_metadata({"/Title": f"{PDF_TITLE} ({word.lower()})", "/Author": PDF_AUTHOR})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def concatenate(
    pdfs: Sequence[bytes],
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> bytes:
    """One PDF of all letters in the order given; each letter keeps its own pages.

    ``progress(done, total)`` is called after each letter; if ``cancelled()`` turns true
    the work stops and Cancelled is raised.
    """
    if not pdfs:
        raise ValueError("concatenate needs at least one PDF")
    writer = PdfWriter()
    total = len(pdfs)
    for n, pdf in enumerate(pdfs, start=1):
        if cancelled is not None and cancelled():
            raise Cancelled()
        writer.append(PdfReader(io.BytesIO(pdf)))
        if progress is not None:
            progress(n, total)
    if cancelled is not None and cancelled():
        raise Cancelled()
    writer.add_metadata({"/Title": PDF_TITLE, "/Author": PDF_AUTHOR})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
