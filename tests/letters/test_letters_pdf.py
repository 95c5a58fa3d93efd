"""Envelope windows, fonts, metadata, batches and reproducible output."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from accessdesk_gui.letters import (
    RECIPIENT_WINDOW,
    RETURN_WINDOW,
    LetterKind,
    Recipient,
    render_batch,
    render_letter,
    resource_path,
)
from accessdesk_gui.letters.fonts import string_width
from accessdesk_gui.letters.layout import FIRST_BODY_TOP
from accessdesk_gui.letters.samples import SAMPLE_LETTERHEAD, sample_letter

from .conftest import page_texts, text_runs

REPO = Path(__file__).resolve().parents[2]


def _assert_lines_inside(pdf: bytes, lines: list[str], area) -> None:
    # Only the page header (above the body) holds the address blocks; a line may be drawn
    # as several runs (font fallback), so runs are joined per baseline.
    rows: dict[float, list] = {}
    for r in text_runs(pdf):
        if r.y_from_top < FIRST_BODY_TOP and r.x < 300:
            rows.setdefault(round(r.y_from_top, 2), []).append(r)
    for line in lines:
        matches = [
            row
            for row in rows.values()
            if "".join(r.text.rstrip("\n") for r in sorted(row, key=lambda r: r.x)).strip() == line
        ]
        assert len(matches) == 1, f"{line!r} not drawn once in the header"
        for r in matches[0]:
            face = "DejaVuSans-Bold" if r.font.endswith("Bold") else "DejaVuSans"
            right = r.x + string_width(r.text.strip(), face, r.size)
            assert area.left <= r.x and right <= area.right, (line, r)
            # Glyphs reach about 0.76 em above and 0.24 em below the baseline.
            assert area.top <= r.y_from_top - 0.76 * r.size, (line, r)
            assert r.y_from_top + 0.24 * r.size <= area.bottom, (line, r)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", [LetterKind.ACKNOWLEDGEMENT, LetterKind.PARTIAL_DENIAL])
def test_recipient_address_sits_in_the_10_window(kind, language) -> None:
    data = sample_letter(kind, language)
    pdf = render_letter(data)
    _assert_lines_inside(
        pdf, [data.recipient.name, *data.recipient.address_lines], RECIPIENT_WINDOW
    )


def test_return_address_sits_in_the_upper_window() -> None:
    pdf = render_letter(sample_letter(LetterKind.EXTENSION))
    lines = [SAMPLE_LETTERHEAD.name, *SAMPLE_LETTERHEAD.address_lines]
    _assert_lines_inside(pdf, lines, RETURN_WINDOW)


def test_long_address_is_shrunk_to_stay_in_the_window() -> None:
    recipient = Recipient(
        name="Maximiliana Alejandra Fernández-Villalobos de la Torre",
        address_lines=(
            "c/o Law Offices of Henderson, Okafor & Castellanos-Brightwater LLP",
            "Attn: Medical Records Unit",
            "4500 North Lincoln Memorial Parkway, Building C, Suite 1200",
            "Floor 12",
            "Springfield, IL 62704-1234",
        ),
    )
    data = sample_letter(LetterKind.ACKNOWLEDGEMENT, recipient=recipient)
    pdf = render_letter(data)
    _assert_lines_inside(pdf, [recipient.name, *recipient.address_lines], RECIPIENT_WINDOW)


def test_unicode_names_are_real_text() -> None:
    recipient = Recipient(name="李小龍", address_lines=("1 Main St", "Springfield, IL 62701"))
    data = sample_letter(
        LetterKind.ACKNOWLEDGEMENT, recipient=recipient, patient_name="Zoë Nguyễn-O'Brien"
    )
    pdf = render_letter(data)
    text = page_texts(pdf)[0]
    assert "李小龍" in text
    assert "Zoë Nguyễn-O'Brien" in text
    # The CJK run is drawn with a font that has the glyphs (DejaVu has none: it would
    # print empty boxes).
    runs = text_runs(pdf)
    cjk = [r for r in runs if "李" in r.text]
    assert cjk and all("DroidSansFallback" in r.font for r in cjk)
    assert not [r for r in runs if "Helvetica" in r.font]


def test_bold_is_a_real_bold_face() -> None:
    pdf = render_letter(sample_letter(LetterKind.ACKNOWLEDGEMENT))
    fonts = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    names = {str(f.get_object()["/BaseFont"]) for f in fonts.values()}
    assert any(n.endswith("DejaVuSans-Bold") for n in names)


def test_no_patient_details_in_metadata() -> None:
    pdf = render_letter(sample_letter(LetterKind.DENIAL, patient_name="Hortensia Quackenbush"))
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta.title == "AccessDesk letter"
    values = " ".join(str(v) for v in meta.values())
    for secret in ("Hortensia", "Quackenbush", "2025-0042", "Riverside", "Zoë"):
        assert secret not in values
    assert b"Quackenbush" not in pdf  # not even uncompressed somewhere outside page content


def test_batch_keeps_order_and_starts_each_letter_on_a_new_page() -> None:
    letters = [
        sample_letter(LetterKind.ACKNOWLEDGEMENT, request_number="A-1"),
        sample_letter(LetterKind.PARTIAL_DENIAL, "es", request_number="B-2"),  # two pages
        sample_letter(LetterKind.RECORDS_READY, request_number="C-3"),
    ]
    pages = page_texts(render_batch(letters))
    assert len(pages) == 4
    starts = [i for i, p in enumerate(pages) if SAMPLE_LETTERHEAD.name + "\n" in p[:60]]
    assert starts == [0, 1, 3]
    assert "A-1" in pages[0] and "B-2" in pages[1] and "C-3" in pages[3]
    assert "Solicitud n.º B-2 (continuación)" in pages[2]
    # Page numbers count within each letter, and only on letters longer than a page.
    assert "Página 1 de 2" in pages[1] and "Página 2 de 2" in pages[2]
    assert "Page 1 of" not in pages[0] and "Page 1 of" not in pages[3]


def test_batch_refuses_incomplete_letter_and_says_which() -> None:
    good = sample_letter(LetterKind.ACKNOWLEDGEMENT)
    bad = sample_letter(LetterKind.EXTENSION, reasons=())
    with pytest.raises(ValueError) as info:
        render_batch([good, bad])
    assert "Letter 2 of 2" in "".join(getattr(info.value, "__notes__", []))


def test_same_input_same_bytes() -> None:
    data = sample_letter(LetterKind.RECORDS_READY, "es")
    assert render_letter(data) == render_letter(data)


_HASH_SCRIPT = """
import hashlib
from accessdesk_gui.letters import LetterKind, Recipient, render_letter
from accessdesk_gui.letters.samples import sample_letter
r = Recipient("李小龍", ("1 Main St", "Town, ST 00000"))
print(hashlib.sha256(render_letter(sample_letter(LetterKind.DENIAL, recipient=r))).hexdigest())
"""


def test_same_input_same_sha256_across_processes() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    digests = {
        subprocess.run(
            [sys.executable, "-c", _HASH_SCRIPT],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for _ in range(2)
    }
    r = Recipient("李小龍", ("1 Main St", "Town, ST 00000"))
    here = hashlib.sha256(render_letter(sample_letter(LetterKind.DENIAL, recipient=r))).hexdigest()
    assert digests == {here}


def test_resource_path_finds_bundled_fonts() -> None:
    assert resource_path("fonts", "DejaVuSans.ttf").is_file()
    assert resource_path("fonts", "DroidSansFallback.ttf").is_file()
