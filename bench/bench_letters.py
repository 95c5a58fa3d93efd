"""Letter engine timing against a bare ReportLab letter of the same length.

Run from the repository root:
    PYTHONPATH=. python bench/bench_letters.py [--single 30] [--batch-size 1000] [--batch-runs 3]

The baseline renders the same text (extracted from the engine's own output, so the
length matches) as plain Paragraphs in the same DejaVu font with SimpleDocTemplate: no
letterhead, window placement, font fallback, page numbering or checks. A Helvetica
baseline is printed too, for scale.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape

from pypdf import PdfReader
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate

from accessdesk_gui.letters import LetterData, LetterKind, render_batch, render_letter
from accessdesk_gui.letters.fonts import FAMILY, register_fonts
from accessdesk_gui.letters.samples import sample_letter


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _page_texts(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]


def _bare(letters_text: Sequence[Sequence[str]], font: str) -> bytes:
    style = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=14, spaceAfter=8)
    story: list[Flowable] = []
    for i, paragraphs in enumerate(letters_text):
        if i:
            story.append(PageBreak())
        story += [Paragraph(escape(p), style) for p in paragraphs if p.strip()]
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=LETTER, invariant=1).build(story)
    return buf.getvalue()


def _batch(size: int) -> list[LetterData]:
    kinds = list(LetterKind)
    return [
        sample_letter(kinds[i % len(kinds)], "en" if i % 2 else "es", request_number=f"B-{i:05d}")
        for i in range(size)
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--single", type=int, default=30, help="runs for the one-letter median")
    ap.add_argument("--batch-size", type=int, default=1000)
    ap.add_argument("--batch-runs", type=int, default=3)
    args = ap.parse_args()

    register_fonts()
    one = sample_letter(LetterKind.ACKNOWLEDGEMENT)
    one_pdf = render_letter(one)  # warm-up: font parsing, caches
    one_text = ["\n".join(_page_texts(one_pdf)).split("\n")]
    _bare(one_text, FAMILY)
    _bare(one_text, "Helvetica")

    ours = _median_ms(lambda: render_letter(one), args.single)
    bare = _median_ms(lambda: _bare(one_text, FAMILY), args.single)
    helv = _median_ms(lambda: _bare(one_text, "Helvetica"), args.single)
    print(
        f"one letter   : engine {ours:7.1f} ms | bare DejaVu {bare:6.1f} ms | "
        f"ratio {ours / bare:.2f} | bare Helvetica {helv:6.1f} ms"
    )

    letters = _batch(args.batch_size)
    batch_pdf = render_batch(letters)
    texts = []
    page_iter = iter(_page_texts(batch_pdf))
    # Rebuild each letter's text in order (each letter starts with the letterhead line).
    current: list[str] = []
    for page in page_iter:
        if page.startswith(letters[0].letterhead.name) and current:
            texts.append(current)
            current = []
        current += page.split("\n")
    texts.append(current)
    ours_b = _median_ms(lambda: render_batch(letters), args.batch_runs) / 1000
    bare_b = _median_ms(lambda: _bare(texts, FAMILY), args.batch_runs) / 1000
    print(
        f"{args.batch_size} letters: engine {ours_b:7.2f} s  | bare DejaVu {bare_b:6.2f} s  | "
        f"ratio {ours_b / bare_b:.2f} | {len(batch_pdf) / 1e6:.1f} MB, "
        f"{len(PdfReader(io.BytesIO(batch_pdf)).pages)} pages"
    )


if __name__ == "__main__":
    main()
