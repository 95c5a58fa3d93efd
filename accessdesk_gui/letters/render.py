"""Turn LetterData into PDF bytes with ReportLab (no Qt, no SQL)."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    HRFlowable,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from accessdesk_gui.domain.denials import GroundCode, is_reviewable
from accessdesk_gui.domain.review import ReviewOutcome
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
from accessdesk_gui.letters.model import LetterData, LetterKind, ReleaseItem
from accessdesk_gui.letters.requirements import check
from accessdesk_gui.letters.texts import TEXTS

# Neutral metadata: PDF properties are visible in file browsers and mail previews, so no
# patient, request or practice details go there.
PDF_TITLE = "AccessDesk letter"
PDF_AUTHOR = "AccessDesk"

_BODY = ParagraphStyle(
    "body",
    fontName=FAMILY,
    bulletFontName=FAMILY,  # the default bullet font is Helvetica, which has no ☐
    fontSize=10.5,
    leading=14,
    spaceAfter=8,
    alignment=TA_LEFT,
)
_SUBJECT = ParagraphStyle("subject", parent=_BODY, fontName=BOLD, fontSize=11.5, spaceAfter=2)
_PATIENT = ParagraphStyle("patient", parent=_BODY, spaceAfter=12)
_BULLET = ParagraphStyle("bullet", parent=_BODY, leftIndent=18, bulletIndent=6, spaceAfter=4)
_HEADING = ParagraphStyle("heading", parent=_BODY, fontName=BOLD, spaceBefore=6, spaceAfter=6)
_CELL = ParagraphStyle("cell", parent=_BODY, fontSize=9.5, leading=12, spaceAfter=0)
_CELL_HEAD = ParagraphStyle("cellhead", parent=_CELL, fontName=BOLD)
_SIGN = ParagraphStyle("sign", parent=_BODY, spaceAfter=0)
_SMALL = ParagraphStyle("small", parent=_BODY, fontSize=8.5, leading=11, spaceAfter=0)


# ---------------------------------------------------------------- value formatting


def format_date(value: dt.date, language: str) -> str:
    months = TEXTS[language]["months"]
    if language == "es":
        return f"{value.day} de {months[value.month - 1]} de {value.year}"
    return f"{months[value.month - 1]} {value.day}, {value.year}"


def format_money(value: object) -> str:
    amount = Decimal(str(value))
    return f"${amount:,.2f}"


def _text(value: object, language: str) -> str:
    """A field value as plain text (before escaping)."""
    if isinstance(value, dt.date):
        return format_date(value, language)
    if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
        return format_money(value)
    return str(value).strip()


def _items(value: object) -> list[str]:
    if isinstance(value, str):
        return [value.strip()]
    if isinstance(value, Sequence):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value)]


class _Fill:
    """Fills a trusted template with escaped, font-aware values."""

    def __init__(self, data: LetterData) -> None:
        self.data = data
        self.t: Mapping[str, Any] = TEXTS[data.language]

    def __call__(self, template: str, **values: object) -> str:
        language = self.data.language
        return template.format(**{k: markup(_text(v, language)) for k, v in values.items()})

    def para(self, template: str, style: ParagraphStyle = _BODY, **values: object) -> Paragraph:
        return Paragraph(self(template, **values), style)

    def bullets(self, items: Sequence[str]) -> list[Flowable]:
        return [Paragraph(markup(item), _BULLET, bulletText="•") for item in items]


# ---------------------------------------------------------------- page furniture


class _LetterStart(Flowable):  # type: ignore[misc]  # ReportLab is untyped: Flowable is Any
    """Zero-size marker drawn at the top of a letter's first page.

    It draws the letterhead and both address blocks at fixed page positions (they must
    line up with envelope windows wherever the body text flows) and tells the canvas
    which letter the following pages belong to.
    """

    def __init__(self, data: LetterData, index: int) -> None:
        super().__init__()
        self.data = data
        self.index = index

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0.0, 0.0

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        canvas.ad_letter = (self.index, self.data.request_number, self.data.language)
        canvas.saveState()
        _draw_first_page(canvas, self.data)
        canvas.restoreState()


def _fit_height(count: int, area: L.Area, size: float, leading: float) -> tuple[float, float]:
    """Font size and leading so that `count` lines fit the window's height."""
    # Ascent about 0.76 em above the first baseline and 0.24 em below the last one.
    if size + leading * (count - 1) + 0.24 * size <= area.height:
        return size, leading
    leading = max(size, (area.height - 1.24 * size) / max(1, count - 1))
    if size + leading * (count - 1) + 0.24 * size > area.height:
        size = leading = area.height / (1.24 + (count - 1))
    return size, leading


def _draw_block(
    canvas: Canvas,
    lines: Sequence[str],
    area: L.Area,
    left: float,
    size: float,
    leading: float,
    first_font: str,
) -> None:
    """Draw an address block inside a window area.

    Too many lines tighten the leading; a line too wide for the window is set smaller on
    its own, so one long line does not shrink the whole address.
    """
    size, leading = _fit_height(len(lines), area, size, leading)
    usable = area.right - left - 2.0  # a little room for rounding in viewers
    baseline = area.top + size  # from top
    for i, line in enumerate(lines):
        font = first_font if i == 0 else FAMILY
        width = string_width(line, font, size)
        line_size = size if width <= usable else size * usable / width
        draw_text(canvas, left, L.from_bottom(baseline), line, font, line_size)
        baseline += leading


def _draw_first_page(canvas: Canvas, data: LetterData) -> None:
    t = TEXTS[data.language]
    head = data.letterhead
    # Return address in the upper window of a #10 double-window envelope.
    return_lines = [head.name.strip(), *[ln.strip() for ln in head.address_lines if ln.strip()]]
    _draw_block(canvas, return_lines, L.RETURN_WINDOW, L.RETURN_TEXT_LEFT, 11, 12.5, BOLD)

    # Logo and phone at the right, outside the windows.
    phone_top = L.RETURN_WINDOW.top + 10
    if head.logo_path is not None:
        canvas.drawImage(
            str(head.logo_path),
            L.HEADER_RIGHT - L.LOGO_MAX_WIDTH,
            L.from_bottom(L.RETURN_WINDOW.top + L.LOGO_MAX_HEIGHT),
            width=L.LOGO_MAX_WIDTH,
            height=L.LOGO_MAX_HEIGHT,
            preserveAspectRatio=True,
            anchor="ne",
            mask="auto",
        )
        phone_top = L.RETURN_WINDOW.top + L.LOGO_MAX_HEIGHT + 12
    draw_text_right(
        canvas, L.HEADER_RIGHT, L.from_bottom(phone_top), f"{t['phone']}: {head.phone}", FAMILY, 9
    )
    canvas.setStrokeColor(colors.Color(0.55, 0.55, 0.55))
    canvas.setLineWidth(0.5)
    y = L.from_bottom(L.HEADER_RULE_TOP)
    canvas.line(L.MARGIN_LEFT, y, L.HEADER_RIGHT, y)

    # Recipient in the #10 window.
    rec = data.recipient
    rec_lines = [rec.name.strip(), *[ln.strip() for ln in rec.address_lines if ln.strip()]]
    _draw_block(canvas, rec_lines, L.RECIPIENT_WINDOW, L.RECIPIENT_TEXT_LEFT, 10, 12, FAMILY)

    # Date and request number beside the window, hidden by the envelope.
    top = L.REFERENCE_TOP + 10
    for label, value in (
        (t["date_label"], format_date(data.letter_date, data.language)),
        (t["request_no"], data.request_number),
    ):
        width = draw_text(canvas, L.REFERENCE_LEFT, L.from_bottom(top), f"{label}: ", BOLD, 9.5)
        draw_text(canvas, L.REFERENCE_LEFT + width, L.from_bottom(top), value, FAMILY, 9.5)
        top += 13


class _LetterCanvas(Canvas):  # type: ignore[misc]  # ReportLab is untyped: Canvas is Any
    """Defers page output so each letter's pages can say "Page 1 of 2"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ad_letter: tuple[int, str, str] | None = None
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        totals = Counter(page["ad_letter"][0] for page in self._pages if page["ad_letter"])
        seen: Counter[int] = Counter()
        for page in self._pages:
            self.__dict__.update(page)
            if self.ad_letter is not None:
                index, number, language = self.ad_letter
                seen[index] += 1
                self._decorate(seen[index], totals[index], number, language)
            super().showPage()
        super().save()

    def _decorate(self, n: int, total: int, number: str, language: str) -> None:
        t = TEXTS[language]
        if total > 1:
            label = t["page"].format(n=n, total=total)
            width = string_width(label, FAMILY, 8.5)
            draw_text(self, (L.PAGE_WIDTH - width) / 2, L.FOOTER_BASELINE, label, FAMILY, 8.5)
        if n > 1:
            text = t["continued"].format(number=number)
            y = L.from_bottom(L.CONTINUED_BASELINE_FROM_TOP)
            draw_text(self, L.MARGIN_LEFT, y, text, FAMILY, 8.5)


# ---------------------------------------------------------------- letter bodies


def _body_acknowledgement(f: _Fill) -> list[Flowable]:
    k, fields = f.t["acknowledgement"], f.data.fields
    out: list[Flowable] = [f.para(k["received"], received=fields["received_date"])]
    if fields.get("request_summary"):
        out.append(f.para(k["summary"], summary=fields["request_summary"]))
    # 164.524(b)(2)(i): act within 30 days of receipt (access-rules 1.1).
    out.append(f.para(k["due"], due=fields["due_date"]))
    if fields.get("fee_estimate") not in (None, ""):
        # 164.524(c)(4) and access-rules 3.6: tell the approximate fee in advance.
        out.append(f.para(k["fee"], fee=fields["fee_estimate"]))
    return out


def _body_clarification(f: _Fill) -> list[Flowable]:
    k, fields = f.t["clarification"], f.data.fields
    out: list[Flowable] = [f.para(k["intro"])]
    out += f.bullets(_items(fields["unclear_points"]))
    out.append(Spacer(1, 4))
    out.append(f.para(k["reply"], phone=f.data.letterhead.phone))
    # 164.524(c)(3)(i), access-rules 1.5: discussing scope does not pause the clock.
    out.append(f.para(k["clock"], due=fields["due_date"]))
    return out


def _body_extension(f: _Fill) -> list[Flowable]:
    k, fields = f.t["extension"], f.data.fields
    out: list[Flowable] = [f.para(k["intro"], received=fields["received_date"])]
    # 164.524(b)(2)(ii): the reasons for the delay and the date of action (access-rules 1.3).
    out.append(f.para(k["reasons"], _HEADING))
    out += f.bullets(_items(fields["reasons"]))
    out.append(Spacer(1, 4))
    out.append(f.para(k["act_by"], act_by=fields["act_by_date"]))
    return out


def _release_range(item: ReleaseItem, language: str) -> str:
    t = TEXTS[language]
    start = format_date(item.date_from, language) if item.date_from else None
    end = format_date(item.date_to, language) if item.date_to else None
    if start and end:
        return str(t["range"].format(start=start, end=end))
    if start:
        return str(t["range_from"].format(start=start))
    return str(t["range_to"].format(end=end))


def _release_table(items: Sequence[ReleaseItem], f: _Fill, columns: Sequence[str]) -> Table:
    language = f.data.language
    units = f.t["unit"]
    rows: list[list[Flowable]] = [[Paragraph(markup(c), _CELL_HEAD) for c in columns]]
    for item in items:
        singular, plural = units[item.unit]
        amount = f"{item.count:,} {singular if item.count == 1 else plural}"
        rows.append(
            [
                Paragraph(markup(item.category), _CELL),
                Paragraph(markup(_release_range(item, language)), _CELL),
                Paragraph(markup(amount), _CELL),
            ]
        )
    table = Table(rows, colWidths=[L.BODY_WIDTH * 0.38, L.BODY_WIDTH * 0.45, L.BODY_WIDTH * 0.17])
    table.hAlign = "LEFT"
    grey = colors.Color(0.7, 0.7, 0.7)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.4, grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.93, 0.93, 0.93)),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    table.repeatRows = 1
    return table


def _body_records_ready(f: _Fill) -> list[Flowable]:
    k, fields = f.t["records_ready"], f.data.fields
    items = [i for i in _seq(fields["release_items"]) if isinstance(i, ReleaseItem)]
    out: list[Flowable] = [f.para(k["intro"]), _release_table(items, f, k["columns"])]
    out.append(Spacer(1, 10))
    if fields.get("delivery"):
        out.append(f.para(k["delivery"], delivery=fields["delivery"]))
    if fields.get("amount_due") not in (None, ""):
        out.append(f.para(k["fee"], fee=fields["amount_due"]))
    out.append(f.para(k["check"], phone=f.data.letterhead.phone))
    return out


def _body_email_risk(f: _Fill) -> list[Flowable]:
    k, fields = f.t["email_risk"], f.data.fields
    email = fields["email_address"]
    # 78 FR 5634 and HHS FAQ 2061 (access-rules 2.7): warn of the risk first, then record
    # whether the patient still wants unencrypted email.
    out: list[Flowable] = [f.para(k["intro"], email=email)]
    out += f.bullets(list(k["risks"]))
    out.append(Spacer(1, 4))
    out.append(f.para(k["right"], phone=f.data.letterhead.phone))
    out.append(f.para(k["return"]))
    return out


def _form_email_risk(f: _Fill) -> list[Flowable]:
    """The reply form, placed after the signature so the patient can sign and return it."""
    k, email = f.t["email_risk"], f.data.fields["email_address"]
    box = ParagraphStyle("box", parent=_BODY, leftIndent=20, bulletIndent=0)
    form: list[Flowable] = [
        HRFlowable(width="100%", thickness=0.6, dash=(3, 2), color=colors.grey, spaceAfter=8),
        f.para(k["form_title"], _HEADING),
        Paragraph(
            f"{markup(f.t['request_no'])}: {markup(f.data.request_number)} \u2002·\u2002 "
            f"{markup(f.t['patient'])}: {markup(f.data.patient_name)}",
            _BODY,
        ),
        Paragraph(f(k["accept"], email=email), box, bulletText="☐"),
        Paragraph(f(k["decline"]), box, bulletText="☐"),
        Spacer(1, 22),
    ]
    sig = Table(
        [
            [Paragraph(markup(k["signature"]), _SMALL), "", Paragraph(markup(k["date"]), _SMALL)],
            ["", "", ""],
            [Paragraph(markup(k["print_name"]), _SMALL), "", ""],
        ],
        colWidths=[280, 30, 150],
        rowHeights=[14, 24, 14],
    )
    sig.hAlign = "LEFT"
    sig.setStyle(
        TableStyle(
            [
                ("LINEABOVE", (0, 0), (0, 0), 0.8, colors.black),
                ("LINEABOVE", (2, 0), (2, 0), 0.8, colors.black),
                ("LINEABOVE", (0, 2), (0, 2), 0.8, colors.black),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    form.append(sig)
    return [Spacer(1, 18), KeepTogether(form)]


def _seq(value: object) -> list[Any]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        return [value]
    return list(value)


def _complaint(f: _Fill) -> list[Flowable]:
    fields = f.data.fields
    # 164.524(d)(2)(iii): complaint to the practice (contact name or title and phone,
    # 164.530(d)) and to the Secretary (160.306; 180 days, 160.306(b)(3)).
    return [
        f.para(
            f.t["complaint"], contact=fields["complaint_contact"], phone=fields["complaint_phone"]
        ),
        f.para(f.t["hhs"]),
    ]


def _body_denial(f: _Fill) -> list[Flowable]:
    partial = f.data.kind is LetterKind.PARTIAL_DENIAL
    k, fields = f.t["partial_denial" if partial else "denial"], f.data.fields
    out: list[Flowable] = [f.para(k["intro"])]
    if partial:
        # 164.524(d)(1): give everything else, to the extent possible (access-rules 4.5).
        out.append(f.para(k["released"], released=fields["released_description"]))
    # 164.524(d)(2)(i): the basis for the denial, in plain language.
    out.append(f.para(k["why"], _HEADING))
    grounds = [GroundCode(g) for g in _seq(fields["denial_grounds"])]
    out += f.bullets([f.t["grounds"][g] for g in grounds])
    out.append(Spacer(1, 4))
    if fields.get("withheld_description"):
        out.append(f.para(k["withheld"], withheld=fields["withheld_description"]))
    if fields.get("basis_detail"):
        out.append(f.para(k["detail"], detail=fields["basis_detail"]))
    reviewable = [g for g in grounds if is_reviewable(g)]
    if reviewable:
        # 164.524(d)(2)(ii) and (a)(4): the right to review and how to exercise it.
        out.append(f.para(f.t["review_right"], review_how=fields["review_how"]))
        if len(reviewable) < len(grounds):
            out.append(f.para(f.t["review_right_mixed"]))
    if fields.get("knows_other_holder") is True:
        # 164.524(d)(3): say where to direct the request (access-rules 4.7).
        out.append(f.para(f.t["other_holder"], other_holder=fields["other_holder"]))
    out += _complaint(f)
    return out


def _body_review_referral(f: _Fill) -> list[Flowable]:
    k, fields = f.t["review_referral"], f.data.fields
    # 164.524(d)(4): prompt referral to a licensed reviewer who did not take part in the
    # original decision; the practice follows the determination (access-rules 5.1-5.3).
    return [
        f.para(k["intro"], requested=fields["review_requested_date"]),
        f.para(k["reviewer"], reviewer=fields["reviewer_name"], licence=fields["reviewer_licence"]),
        f.para(k["next"]),
    ]


def _body_review_determination(f: _Fill) -> list[Flowable]:
    k, fields = f.t["review_determination"], f.data.fields
    outcome = ReviewOutcome(str(fields["outcome"]))
    out: list[Flowable] = [
        f.para(k["intro"], reviewer=fields["reviewer_name"], licence=fields["reviewer_licence"])
    ]
    # 164.524(d)(4): written notice of the determination; the practice must follow it.
    if outcome is ReviewOutcome.PARTLY_REVERSE:
        out.append(f.para(k["partly_reverse"], released=fields["released_description"]))
    else:
        out.append(f.para(k[outcome.value]))
    if outcome is not ReviewOutcome.UPHOLD:
        access = fields.get("access_details")
        out.append(f.para(k["access"], access=access) if access else f.para(k["reverse_next"]))
    if outcome is not ReviewOutcome.REVERSE:
        out += _complaint(f)
    return out


_BODIES = {
    LetterKind.ACKNOWLEDGEMENT: _body_acknowledgement,
    LetterKind.CLARIFICATION: _body_clarification,
    LetterKind.EXTENSION: _body_extension,
    LetterKind.RECORDS_READY: _body_records_ready,
    LetterKind.EMAIL_RISK: _body_email_risk,
    LetterKind.DENIAL: _body_denial,
    LetterKind.PARTIAL_DENIAL: _body_denial,
    LetterKind.REVIEW_REFERRAL: _body_review_referral,
    LetterKind.REVIEW_DETERMINATION: _body_review_determination,
}


_APPENDICES = {LetterKind.EMAIL_RISK: _form_email_risk}


def _story(data: LetterData, index: int) -> list[Flowable]:
    f = _Fill(data)
    t = f.t
    out: list[Flowable] = [
        _LetterStart(data, index),
        f.para(t[data.kind.value]["subject"], _SUBJECT),
        Paragraph(f"{markup(t['patient'])}: {markup(data.patient_name.strip())}", _PATIENT),
        f.para(t["salutation"], name=data.recipient.name),
    ]
    out += _BODIES[data.kind](f)
    signer = data.signer
    # The last paragraph travels with the signature so a page never holds only "Sincerely".
    block: list[Flowable] = [
        f.para(t["questions"], phone=data.letterhead.phone),
        f.para(t["closing"], _SIGN),
        Spacer(1, 30),
    ]
    block.append(Paragraph(f"<b>{markup(signer.name.strip())}</b>", _SIGN))
    if signer.title.strip():
        block.append(Paragraph(markup(signer.title.strip()), _SIGN))
    block.append(Paragraph(markup(data.letterhead.name.strip()), _SIGN))
    out.append(KeepTogether(block))
    appendix = _APPENDICES.get(data.kind)
    if appendix is not None:
        out += appendix(f)
    return out


# ---------------------------------------------------------------- public entry points


def _document(buffer: io.BytesIO) -> BaseDocTemplate:
    first = Frame(
        L.MARGIN_LEFT,
        L.BODY_BOTTOM,
        L.BODY_WIDTH,
        L.from_bottom(L.FIRST_BODY_TOP) - L.BODY_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="first-body",
    )
    later = Frame(
        L.MARGIN_LEFT,
        L.BODY_BOTTOM,
        L.BODY_WIDTH,
        L.from_bottom(L.LATER_BODY_TOP) - L.BODY_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="later-body",
    )
    doc = BaseDocTemplate(
        buffer,
        pagesize=(L.PAGE_WIDTH, L.PAGE_HEIGHT),
        title=PDF_TITLE,
        author=PDF_AUTHOR,
        subject="",
        keywords="",
        creator=PDF_AUTHOR,
        invariant=1,  # fixed dates and document ID: same input, same bytes (same SHA-256)
    )
    doc.addPageTemplates(
        [
            PageTemplate(id="first", frames=[first], autoNextPageTemplate="later"),
            PageTemplate(id="later", frames=[later]),
        ]
    )
    return doc


def render_batch(letters: Sequence[LetterData]) -> bytes:
    """One PDF with each letter starting on a new page, in the order given.

    Every letter is checked first; nothing is rendered if any is incomplete.
    """
    if not letters:
        raise ValueError("render_batch needs at least one letter")
    for position, data in enumerate(letters, start=1):
        try:
            check(data)
        except ValueError as exc:
            if len(letters) > 1:
                exc.add_note(f"Letter {position} of {len(letters)}, request {data.request_number}")
            raise
    register_fonts()
    story: list[Flowable] = []
    for index, data in enumerate(letters):
        if index:
            story += [NextPageTemplate("first"), PageBreak()]
        story += _story(data, index)
    buffer = io.BytesIO()
    _document(buffer).build(story, canvasmaker=_LetterCanvas)
    return buffer.getvalue()


def render_letter(data: LetterData) -> bytes:
    """One letter as PDF bytes; raises LetterIncomplete naming every missing element."""
    return render_batch([data])
