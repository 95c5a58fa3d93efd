"""Helpers for reading back what the letter engine drew."""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfReader

from accessdesk_gui.letters.layout import PAGE_HEIGHT


@dataclass(frozen=True)
class Run:
    text: str
    x: float
    y_from_top: float
    size: float
    font: str


def text_runs(pdf: bytes, page: int = 0) -> list[Run]:
    """Every shown text piece with its baseline origin, in points from the left/top edges."""
    runs: list[Run] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        base = str(font.get("/BaseFont", "")) if isinstance(font, dict) else ""
        runs.append(Run(text, x, PAGE_HEIGHT - y, size * tm[0] * cm[0], base))

    PdfReader(io.BytesIO(pdf)).pages[page].extract_text(visitor_text=visit)
    return runs


def page_texts(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
