"""Bundled fonts and per-run font fallback.

ReportLab's built-in Helvetica prints boxes for anything outside Latin-1, so every
letter uses DejaVu Sans (bundled). DejaVu has no CJK glyphs: runs of characters it
lacks switch to Droid Sans Fallback (Apache-2.0, bundled, registered only when a
letter first needs it because parsing its 3.4 MB file costs about 0.1 s).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from accessdesk_gui.resources_path import resource_dir

FAMILY = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
ITALIC = "DejaVuSans-Oblique"
BOLD_ITALIC = "DejaVuSans-BoldOblique"
FALLBACK = "DroidSansFallback"

_FILES = {
    FAMILY: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    ITALIC: "DejaVuSans-Oblique.ttf",
    BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
}
_FALLBACK_FILE = "DroidSansFallback.ttf"

_lock = threading.Lock()


def resource_path(*parts: str) -> Path:
    """Path of a bundled resource file (installed, editable, frozen or from a checkout)."""
    return resource_dir().joinpath(*parts)


def register_fonts() -> None:
    """Register the DejaVu Sans family once per process (idempotent, thread-safe)."""
    if FAMILY in pdfmetrics.getRegisteredFontNames():
        return
    with _lock:
        if FAMILY in pdfmetrics.getRegisteredFontNames():
            return
        for name, filename in _FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", filename))))
        # Without the family mapping, <b> in a paragraph silently stays regular.
        pdfmetrics.registerFontFamily(
            FAMILY, normal=FAMILY, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC
        )


def _register_fallback() -> None:
    if FALLBACK in pdfmetrics.getRegisteredFontNames():
        return
    with _lock:
        if FALLBACK not in pdfmetrics.getRegisteredFontNames():
            font = TTFont(FALLBACK, str(resource_path("fonts", _FALLBACK_FILE)))
            pdfmetrics.registerFont(font)
            # Droid has one weight; bold and italic runs of CJK use the regular face.
            pdfmetrics.registerFontFamily(
                FALLBACK, normal=FALLBACK, bold=FALLBACK, italic=FALLBACK, boldItalic=FALLBACK
            )


@lru_cache(maxsize=1)
def _primary_cmap() -> frozenset[int]:
    register_fonts()
    font = pdfmetrics.getFont(FAMILY)
    return frozenset(font.face.charToGlyph)


def runs(text: str) -> Iterator[tuple[str, bool]]:
    """Split text into (run, needs_fallback) pieces, keeping runs as long as possible."""
    if text.isascii():
        yield text, False
        return
    cmap = _primary_cmap()
    start = 0
    current = False
    for i, ch in enumerate(text):
        # Whitespace and punctuation stay in the current run: DejaVu has them anyway.
        fallback = ord(ch) not in cmap
        if i == 0:
            current = fallback
        elif fallback != current:
            yield text[start:i], current
            start, current = i, fallback
    if text:
        yield text[start:], current


@lru_cache(maxsize=4096)
def markup(text: str) -> str:
    """Escape plain text for a Paragraph and wrap glyphs DejaVu lacks in a fallback font tag."""
    parts = []
    for run, fallback in runs(text):
        if fallback:
            _register_fallback()
            parts.append(f'<font name="{FALLBACK}">{escape(run)}</font>')
        else:
            parts.append(escape(run))
    return "".join(parts)


def string_width(text: str, font: str, size: float) -> float:
    width = 0.0
    for run, fallback in runs(text):
        if fallback:
            _register_fallback()
        width += pdfmetrics.stringWidth(run, FALLBACK if fallback else font, size)
    return width


def draw_text(canv: Canvas, x: float, y: float, text: str, font: str, size: float) -> float:
    """Draw one line at (x, y) switching fonts per run; returns the width drawn."""
    start = x
    for run, fallback in runs(text):
        face = font
        if fallback:
            _register_fallback()
            face = FALLBACK
        canv.setFont(face, size)
        canv.drawString(x, y, run)
        x += pdfmetrics.stringWidth(run, face, size)
    return x - start


def draw_text_right(
    canv: Canvas, x_right: float, y: float, text: str, font: str, size: float
) -> None:
    draw_text(canv, x_right - string_width(text, font, size), y, text, font, size)
