"""The written designated record set policy (164.524(e), 164.526(f)) as a PDF.

Plain data in (a DrsMap, the practice's letterhead, the review's gaps), PDF bytes out. Uses
the letter engine's fonts (DejaVu with the CJK fallback) and its letterhead style: practice
name and address top left, phone top right, a grey rule, the same margins.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from accessdesk_gui.domain.drs import (
    SYSTEM_KIND_LABELS,
    AccessException,
    CategoryGroup,
    DrsMap,
    Gap,
    RecordCategory,
    retain_until,
)
from accessdesk_gui.letters import layout as L
from accessdesk_gui.letters.fonts import (
    BOLD,
    FAMILY,
    draw_text,
    draw_text_right,
    markup,
    register_fonts,
    string_width,
)
from accessdesk_gui.letters.model import Letterhead

PDF_TITLE = "Designated record set policy"

_BODY = ParagraphStyle("p_body", fontName=FAMILY, fontSize=10, leading=13.5, spaceAfter=6)
_TITLE = ParagraphStyle("p_title", parent=_BODY, fontName=BOLD, fontSize=16, leading=20)
_SUBTITLE = ParagraphStyle("p_sub", parent=_BODY, fontSize=10.5, spaceAfter=10)
_H = ParagraphStyle(
    "p_h", parent=_BODY, fontName=BOLD, fontSize=12, leading=15, spaceBefore=10, spaceAfter=5
)
_CELL = ParagraphStyle("p_cell", parent=_BODY, fontSize=8.5, leading=10.5, spaceAfter=0)
_CELL_HEAD = ParagraphStyle("p_cellhead", parent=_CELL, fontName=BOLD)
_WARN = ParagraphStyle("p_warn", parent=_BODY, textColor=colors.Color(0.55, 0, 0.07))

_GROUP_BASIS = {
    CategoryGroup.MEDICAL: "Medical record",
    CategoryGroup.BILLING: "Billing record",
    CategoryGroup.DECISIONS: "Used to make decisions about individuals",
    CategoryGroup.INTERNAL: "Internal operations",
}
_GROUP_WHY = {
    CategoryGroup.MEDICAL: "records about individuals, in the set by definition (164.501), "
    "including information from other providers and from the patient.",
    CategoryGroup.BILLING: "records about individuals, in the set by definition (164.501), "
    "including those a billing company keeps for the practice.",
    CategoryGroup.DECISIONS: "used in whole or in part to make decisions about individuals "
    "(164.501), whether or not decisive for the person asking.",
    CategoryGroup.INTERNAL: "",
}
_SUBHEAD = ParagraphStyle("p_subhead", parent=_BODY, fontSize=9.5, spaceAfter=3, keepWithNext=1)
HEADER_BOTTOM = 118.0  # from the top: the letterhead block ends here on page 1


def _p(text: str, style: ParagraphStyle = _BODY) -> Paragraph:
    return Paragraph(markup(text), style)


def _rich(html_text: str, style: ParagraphStyle = _BODY) -> Paragraph:
    """A paragraph whose markup is ours (bold labels); values must go through markup()."""
    return Paragraph(html_text, style)


def _table(
    head: Sequence[str], rows: Sequence[Sequence[str | Paragraph]], widths: Sequence[float]
) -> Table:
    data: list[list[Any]] = [[_p(h, _CELL_HEAD) for h in head]]
    data += [[c if isinstance(c, Paragraph) else _p(c, _CELL) for c in row] for row in rows]
    total = sum(widths)
    t = Table(data, colWidths=[L.BODY_WIDTH * w / total for w in widths], repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.Color(0.3, 0.3, 0.3)),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, colors.Color(0.75, 0.75, 0.75)),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.93, 0.93, 0.93)),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return t


def _fmt(d: dt.date) -> str:
    return f"{d:%B} {d.day}, {d.year}"


def _story(
    m: DrsMap,
    gaps: Sequence[Gap],
    saved_by: str,
    printed: dt.date,
    last_in_effect: dt.date | None,
) -> list[Flowable]:
    out: list[Flowable] = [
        _p("Designated record set policy", _TITLE),
        _p(
            f"{m.practice} · Version {m.version} · in effect from {_fmt(m.effective)}",
            _SUBTITLE,
        ),
        _p(
            "This policy documents the practice's designated record sets (45 CFR 164.501): "
            "the medical and billing records it keeps about individuals and the other records "
            "it uses, in whole or in part, to make decisions about individuals, whether kept "
            "by the practice or by a business associate for it, wherever stored and whatever "
            "their origin. Individuals may inspect and obtain a copy of the protected health "
            "information about them in these sets (164.524). Linking a system to a health "
            "information exchange does not change what is in them."
        ),
    ]

    # 1. Responsibilities
    r = m.responsibilities
    out.append(_p("1. Who receives and processes requests", _H))
    titles = ", ".join(t for t in r.access_titles if t.strip()) or "NOT YET NAMED"
    rows = [
        ("Access requests (164.524(e)(2))", titles),
        (
            "Complaints (164.530(a)(1)(ii), (d))",
            f"{r.complaint_contact.name_or_title}, {r.complaint_contact.phone}".strip(", "),
        ),
        (
            "Amendment requests (164.526(f))",
            f"{r.amendment_contact.name_or_title}, {r.amendment_contact.phone}".strip(", "),
        ),
    ]
    out.append(_table(("Requests of this kind", "Go to"), rows, (2, 3)))

    # 2. Systems
    out.append(_p("2. Where records are kept", _H))
    sys_rows = []
    for s in m.systems:
        ba = s.business_associate
        if ba is None:
            kept = "The practice"
            retrieval = "—"
        else:
            kept = f"{ba.name} for the practice" + (f" ({ba.contact})" if ba.contact else "")
            days = (
                "turnaround not agreed"
                if ba.turnaround_days is None
                else (f"about {ba.turnaround_days} days")
            )
            retrieval = f"{ba.how_to_get_records or 'NO RETRIEVAL PATH RECORDED'} ({days})"
        dates = ""
        if s.holds_from or s.holds_until:
            dates = (
                f" Holds records from {s.holds_from or 'the start'} to {s.holds_until or 'today'}."
            )
        linked = "Yes (no change to DRS status)" if s.exchange_linked else "No"
        note = f"{s.notes}{dates}".strip()
        sys_rows.append(
            (
                _rich(
                    f"<b>{markup(s.name)}</b><br/>{markup(SYSTEM_KIND_LABELS[s.kind])}"
                    + (f". {markup(note)}" if note else ""),
                    _CELL,
                ),
                kept,
                retrieval,
                linked,
            )
        )
    if sys_rows:
        out.append(
            _table(
                (
                    "System",
                    "Maintained by",
                    "Getting records from the vendor",
                    "Linked to an exchange",
                ),
                sys_rows,
                (3.2, 2.2, 3.6, 1.6),
            )
        )
    else:
        out.append(_p("No systems recorded.", _WARN))

    # 3. Categories in
    def where(c: RecordCategory) -> str:
        names = [m.system(h.system).name for h in m.holdings_of(c.code)]
        return "; ".join(names) or "NOT MAPPED"

    out.append(_p("3. Records in the designated record set", _H))
    for group in (CategoryGroup.MEDICAL, CategoryGroup.BILLING, CategoryGroup.DECISIONS):
        cats = [
            c
            for c in m.categories
            if c.in_drs and c.group is group and c.exception is AccessException.NONE
        ]
        if not cats:
            continue
        rows_c = [(c.title + (f" ({c.examples})" if c.examples else ""), where(c)) for c in cats]
        out += [
            _p(f"{_GROUP_BASIS[group]}: {_GROUP_WHY[group]}", _SUBHEAD),
            _table(("Category", "Kept in"), rows_c, (5, 4)),
            Spacer(1, 6),
        ]

    # 4. Categories out
    excluded = [c for c in m.categories if not c.in_drs]
    out.append(_p("4. Records outside the designated record set", _H))
    if excluded:
        out.append(
            _p(
                "These records are kept out because they are not medical or billing records "
                "and are not used to make decisions about individuals. Any part that is used "
                "for a patient's care or account belongs in the designated record set."
            )
        )
        out.append(
            _table(
                ("Category", "Rationale"),
                [(c.title, c.rationale or "NO RATIONALE RECORDED") for c in excluded],
                (2.5, 6.5),
            )
        )
    else:
        out.append(_p("None: every category the practice keeps is in the set."))

    # 5. Exceptions
    out.append(_p("5. Access exceptions (164.524(a)(1))", _H))
    excepted = [c for c in m.categories if c.exception is not AccessException.NONE]
    out.append(
        _p(
            "These records are in the designated record set but may be withheld. Withholding "
            "them needs a written denial stating the basis, and everything else requested is "
            "still given (164.524(d)(1)-(2))."
        )
    )
    if not any(c.exception is AccessException.PSYCHOTHERAPY_NOTES for c in excepted):
        out.append(_p("Psychotherapy notes: the practice keeps none."))
    for c in excepted:
        if c.exception is AccessException.PSYCHOTHERAPY_NOTES and not c.kept_separate:
            out.append(
                _p(
                    f"{c.title}: kept in the chart, so they are not psychotherapy notes "
                    "(164.501) and cannot be excepted; they are given on request.",
                    _WARN,
                )
            )
        else:
            out.append(_p(f"{c.title}: {c.rationale} Kept in: {where(c)}."))

    # 6. Retrieval
    out.append(_p("6. Retrieval procedures", _H))
    out.append(
        _p(
            "For each request, collect every requested category from each place it is kept. "
            "Where the same information is kept in two places it is produced once "
            "(164.524(c)(1)), after checking the copy for anything missing from the source."
        )
    )
    for s in m.systems:
        hs = [h for h in m.holdings if h.system == s.id]
        if not hs:
            continue
        rows_s = []
        for h in hs:
            how = h.retrieval.how or "NOT RECORDED"
            if h.duplicate_of:
                how += f" (same information as {m.system(h.duplicate_of).name}: produce once)"
            rows_s.append((m.category(h.category).title, h.retrieval.who or "NOT RECORDED", how))
        out.append(
            KeepTogether(
                [
                    _p(s.name, ParagraphStyle("p_sys", parent=_BODY, fontName=BOLD, spaceAfter=3)),
                    _table(("Category", "Who pulls it", "How"), rows_s, (3, 2, 4)),
                    Spacer(1, 6),
                ]
            )
        )

    # 7. Gaps
    if gaps:
        out.append(_p("7. Open gaps when this version was adopted", _H))
        out += [_p(f"• {g.message}", _WARN) for g in gaps]

    # Versions and retention
    out.append(_p("Version and retention", _H))
    if last_in_effect is None:
        status = "It is kept while in effect and for six years after it is replaced."
    else:
        status = (
            f"It was last in effect on {_fmt(last_in_effect)} and is kept until at least "
            f"{_fmt(retain_until(last_in_effect))}."
        )
    out.append(
        _p(
            f"Version {m.version}, in effect from {_fmt(m.effective)}"
            + (f", saved by {saved_by}" if saved_by else "")
            + f". Printed {_fmt(printed)}. Each change makes a new version; earlier versions "
            "stay on file and are kept at least six years from the date they were last in "
            f"effect (164.530(j)(2)). {status}"
        )
    )
    return out


class _PolicyCanvas(Canvas):  # type: ignore[misc]  # ReportLab is untyped: Canvas is Any
    """Draws the letterhead on page 1 and 'Page n of N' on every page."""

    def __init__(self, *args: Any, head: Letterhead, label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head = head
        self._label = label
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for n, page in enumerate(self._pages, start=1):
            self.__dict__.update(page)
            if n == 1:
                self._letterhead()
            text = f"{self._label} · Page {n} of {total}"
            width = string_width(text, FAMILY, 8)
            draw_text(self, (L.PAGE_WIDTH - width) / 2, L.FOOTER_BASELINE, text, FAMILY, 8)
            super().showPage()
        super().save()

    def _letterhead(self) -> None:
        head = self._head
        top = L.RETURN_WINDOW.top + 11
        draw_text(self, L.MARGIN_LEFT, L.from_bottom(top), head.name.strip(), BOLD, 11)
        for line in head.address_lines:
            if line.strip():
                top += 12.5
                draw_text(self, L.MARGIN_LEFT, L.from_bottom(top), line.strip(), FAMILY, 9.5)
        draw_text_right(
            self,
            L.HEADER_RIGHT,
            L.from_bottom(L.RETURN_WINDOW.top + 11),
            f"Phone: {head.phone}",
            FAMILY,
            9,
        )
        self.setStrokeColor(colors.Color(0.55, 0.55, 0.55))
        self.setLineWidth(0.5)
        y = L.from_bottom(max(L.HEADER_RULE_TOP, top + 10))
        self.line(L.MARGIN_LEFT, y, L.HEADER_RIGHT, y)


def letterhead_of(name: str, address: str, phone: str) -> Letterhead:
    """The practice's letterhead from its stored name, multi-line address and phone."""
    return Letterhead(name, tuple(line for line in address.splitlines() if line.strip()), phone)


def render_policy(
    drs_map: DrsMap,
    letterhead: Letterhead,
    gaps: Sequence[Gap] = (),
    saved_by: str = "",
    printed: dt.date | None = None,
    last_in_effect: dt.date | None = None,
) -> bytes:
    """The policy for one map version as PDF bytes (same input, same bytes)."""
    return build_pdf(
        lambda: _story(drs_map, gaps, saved_by, printed or dt.date.today(), last_in_effect),
        letterhead,
        f"Designated record set policy, version {drs_map.version}",
        PDF_TITLE,
    )


def build_pdf(
    story: Callable[[], list[Flowable]], letterhead: Letterhead, label: str, title: str
) -> bytes:
    """A printed document in this layout: letterhead on page 1, ``label`` and page numbers
    in every footer (also used by letters/fee_notice.py). ``story`` is called once the fonts
    are registered (paragraphs look their font up when made).
    """
    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=(L.PAGE_WIDTH, L.PAGE_HEIGHT),
        leftMargin=L.MARGIN_LEFT,
        rightMargin=L.MARGIN_RIGHT,
        topMargin=L.LATER_BODY_TOP,
        bottomMargin=L.BODY_BOTTOM,
        title=title,
        author="AccessDesk",
        subject="",
        creator="AccessDesk",
        invariant=1,
    )

    def canvasmaker(*args: Any, **kwargs: Any) -> _PolicyCanvas:
        return _PolicyCanvas(*args, head=letterhead, label=label, **kwargs)

    doc.build([Spacer(1, HEADER_BOTTOM - L.LATER_BODY_TOP), *story()], canvasmaker=canvasmaker)
    return buffer.getvalue()
