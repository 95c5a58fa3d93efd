"""Letters for a request: issue (frozen as issued), copies, mailing log, today's mail.

The letter engine (accessdesk_gui.letters) turns plain data into PDF bytes; this module
builds that data from the request, the practice and the user, stores the PDF with its
SHA-256, and keeps the record of how and when each letter went out.

Rules kept here:
- An issued letter never changes (the store refuses UPDATE and DELETE on it). Printing
  or saving it after it was sent gives a copy stamped COPY, and every output is logged.
- A letter counts as sent only when a mailing is recorded (method and date).
- The extension notice must be sent within the first 30 days (164.524(b)(2)(ii),
  access-rules 1.3); a denial by the (possibly extended) due date (164.524(b)(2),
  access-rules 4.6). The mailing record says whether it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum, StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from accessdesk_gui.domain import deadlines
from accessdesk_gui.domain.errors import InvalidInput, RuleViolation
from accessdesk_gui.domain.intake import Delivery, check_text, parse_date
from accessdesk_gui.domain.roles import Role
from accessdesk_gui.letters import (
    Language,
    LetterData,
    LetterIncomplete,
    LetterInvalid,
    LetterKind,
    ReleaseItem,
)
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.services.errors import NotFound
from accessdesk_gui.services.letter_parts import addressee, letterhead, staff_signer
from accessdesk_gui.store import audit
from accessdesk_gui.store.db import Store
from accessdesk_gui.store.letter_models import (
    IssuedLetterRow,
    LetterheadSettings,
    LetterMailing,
    LetterOutput,
)
from accessdesk_gui.store.models import AccessRequest, TimelineEvent

LANGUAGES: dict[str, str] = {"en": "English", "es": "Spanish (Español)"}

KIND_LABELS: dict[LetterKind, str] = {
    LetterKind.ACKNOWLEDGEMENT: "Acknowledgement of receipt",
    LetterKind.CLARIFICATION: "Request for clarification",
    LetterKind.EXTENSION: "Extension notice",
    LetterKind.RECORDS_READY: "Records ready (cover letter)",
    LetterKind.EMAIL_RISK: "Unencrypted e-mail risk notice",
    LetterKind.DENIAL: "Denial",
    LetterKind.PARTIAL_DENIAL: "Partial denial",
    LetterKind.REVIEW_REFERRAL: "Review referral",
    LetterKind.REVIEW_DETERMINATION: "Review determination",
}

# Kinds composed from the request here. Denials and reviews are composed by their own
# service, which calls issue_letter with its fields in ``extra``.
COMPOSED_KINDS: tuple[LetterKind, ...] = (
    LetterKind.ACKNOWLEDGEMENT,
    LetterKind.CLARIFICATION,
    LetterKind.EXTENSION,
    LetterKind.RECORDS_READY,
    LetterKind.EMAIL_RISK,
)


class MailMethod(StrEnum):
    FIRST_CLASS = "first_class"
    CERTIFIED = "certified"
    HANDED_OVER = "handed_over"
    EMAILED = "emailed"
    PORTAL = "portal"


METHOD_LABELS: dict[MailMethod, str] = {
    MailMethod.FIRST_CLASS: "first-class mail",
    MailMethod.CERTIFIED: "certified mail",
    MailMethod.HANDED_OVER: "handed over in person",
    MailMethod.EMAILED: "e-mail",
    MailMethod.PORTAL: "the patient portal",
}
POSTAL_METHODS = frozenset({MailMethod.FIRST_CLASS, MailMethod.CERTIFIED})


class LetterNotReady(RuleViolation):
    """The letter lacks required elements (named in ``missing``) or breaks a timing rule."""

    def __init__(self, message: str, missing: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.missing = list(missing)


# -- read models --------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """The date by which a notice had to be sent, and the rule that sets it."""

    due: dt.date
    rule: str


@dataclass(frozen=True)
class Mailing:
    id: int
    method: MailMethod
    sent_on: dt.date
    tracking: str
    note: str
    recorded_by: str
    recorded_at: dt.datetime

    def describe(self) -> str:
        text = f"{self.sent_on.isoformat()} by {METHOD_LABELS[self.method]}"
        if self.tracking:
            text += f" (tracking {self.tracking})"
        return text


@dataclass(frozen=True)
class IssuedLetter:
    id: int
    request_id: int
    kind: LetterKind
    language: str
    letter_date: dt.date
    issued_at: dt.datetime
    issued_by: str
    recipient_name: str
    recipient_address: tuple[str, ...]
    postal: bool
    sha256: str
    pages: int
    mailings: tuple[Mailing, ...]
    deadline: Deadline | None
    copies: int

    @property
    def sent(self) -> bool:
        return bool(self.mailings)

    @property
    def sent_on(self) -> dt.date | None:
        return min((m.sent_on for m in self.mailings), default=None)

    @property
    def in_time(self) -> bool | None:
        """None when the rule sets no deadline for this notice or it is not sent yet."""
        if self.deadline is None or self.sent_on is None:
            return None
        return self.sent_on <= self.deadline.due

    @property
    def title(self) -> str:
        return f"{KIND_LABELS[self.kind]} #{self.id}"

    def state_text(self, today: dt.date | None = None) -> str:
        """One line for lists: sent how and when, or not sent; late or in time."""
        if not self.mailings:
            text = "Not sent yet"
            if self.deadline is not None:
                due = self.deadline.due
                if today is not None and today > due:
                    text += f"; LATE: had to be sent by {due.isoformat()}"
                else:
                    text += f"; send by {due.isoformat()}"
            return text
        text = "Sent " + "; ".join(m.describe() for m in self.mailings)
        if self.in_time is True:
            text += " (in time)"
        elif self.in_time is False and self.deadline is not None:
            text += f" (LATE: due by {self.deadline.due.isoformat()})"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "request_id": self.request_id,
            "kind": self.kind.value,
            "language": self.language,
            "letter_date": self.letter_date.isoformat(),
            "issued_at": self.issued_at.isoformat(),
            "issued_by": self.issued_by,
            "recipient": {"name": self.recipient_name, "address": list(self.recipient_address)},
            "postal": self.postal,
            "sha256": self.sha256,
            "pages": self.pages,
            "sent": self.sent,
            "sent_on": self.sent_on.isoformat() if self.sent_on else None,
            "deadline": (
                {"due": self.deadline.due.isoformat(), "rule": self.deadline.rule}
                if self.deadline
                else None
            ),
            "in_time": self.in_time,
            "copies": self.copies,
            "mailings": [
                {
                    "id": m.id,
                    "method": m.method.value,
                    "sent_on": m.sent_on.isoformat(),
                    "tracking": m.tracking,
                    "note": m.note,
                    "recorded_by": m.recorded_by,
                    "recorded_at": m.recorded_at.isoformat(),
                }
                for m in self.mailings
            ],
        }


@dataclass(frozen=True)
class LetterFile:
    """Bytes handed out for one letter: the original, or a copy stamped COPY."""

    letter_id: int
    pdf: bytes
    is_copy: bool


# -- helpers ------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _load_request(s: Session, request_id: int) -> AccessRequest:
    r = s.get(AccessRequest, request_id)
    if r is None:
        raise NotFound(f"There is no request number {request_id}.")
    return r


def _load_letter(s: Session, letter_id: int) -> IssuedLetterRow:
    row = s.get(IssuedLetterRow, letter_id)
    if row is None:
        raise NotFound(f"There is no letter number {letter_id}.")
    return row


def request_number(request_id: int) -> str:
    return str(request_id)


def letter_deadline(kind: LetterKind, r: AccessRequest) -> Deadline | None:
    """The date by which the rule says this notice must be sent, if it sets one."""
    if kind is LetterKind.EXTENSION:
        # 164.524(b)(2)(ii): the notice goes out within the first 30 days (access-rules 1.3).
        return Deadline(
            deadlines.federal_due(r.received),
            "45 CFR 164.524(b)(2)(ii): within 30 days of receipt",
        )
    if kind in (LetterKind.DENIAL, LetterKind.PARTIAL_DENIAL):
        # 164.524(b)(2): the written denial is due by the same, possibly extended, deadline
        # (access-rules 4.6), and an earlier state deadline controls (access-rules 1.7).
        return Deadline(r.effective_due, f"by the due date ({r.due_source})")
    return None


_DELIVERY = {
    "en": {
        Delivery.MAIL: "We are mailing the copies to the address above, as you asked.",
        Delivery.EMAIL: "We are sending the copies by e-mail to {email}, as you asked.",
        Delivery.PORTAL: "The copies are in your patient portal.",
        Delivery.PICKUP: "The copies are ready for you to collect at our front desk.",
    },
    "es": {
        Delivery.MAIL: "Le enviamos las copias por correo a la dirección de arriba, como pidió.",
        Delivery.EMAIL: "Le enviamos las copias por correo electrónico a {email}, como pidió.",
        Delivery.PORTAL: "Las copias están en su portal del paciente.",
        Delivery.PICKUP: "Las copias están listas para que las recoja en nuestra recepción.",
    },
}


def parse_release_line(text: str, line_no: int = 1) -> ReleaseItem:
    """'Category | from | to | count [pages|files]', dates YYYY-MM-DD, either may be blank."""
    parts = [p.strip() for p in text.split("|")]
    if len(parts) != 4:
        raise InvalidInput(
            "release_items",
            f"line {line_no}: write 'category | from | to | count pages' "
            "(dates YYYY-MM-DD; leave one blank if open-ended).",
        )
    category, start, end, amount = parts
    words = amount.split()
    unit = words[1].lower() if len(words) > 1 else "pages"
    if not words or not words[0].isdigit() or unit not in ("pages", "files", "page", "file"):
        raise InvalidInput(
            "release_items", f"line {line_no}: the count must be a number of pages or files."
        )
    return ReleaseItem(
        category=category,
        date_from=parse_date("release_items", start) if start else None,
        date_to=parse_date("release_items", end) if end else None,
        count=int(words[0]),
        unit="files" if unit.startswith("file") else "pages",
    )


def _money(value: object, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, Decimal):
        return value
    try:
        amount = Decimal(str(value).strip().lstrip("$"))
    except InvalidOperation:
        raise InvalidInput(field, f"'{value}' is not an amount (e.g. 6.50).") from None
    if amount < 0:
        raise InvalidInput(field, "cannot be negative.")
    return amount


def _lines(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(ln.strip() for ln in value.splitlines() if ln.strip())
    if isinstance(value, Iterable):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return ()


def _fields(
    kind: LetterKind, r: AccessRequest, language: str, extra: dict[str, object]
) -> dict[str, object]:
    f: dict[str, object] = {}
    if kind is LetterKind.ACKNOWLEDGEMENT:
        f["received_date"] = r.received
        # 164.524(b)(2)(i), with an earlier state deadline if one applies (access-rules 1.7).
        f["due_date"] = r.effective_due
        f["request_summary"] = r.scope
        fee = _money(extra.pop("fee_estimate", None), "fee_estimate")
        if fee is not None:
            f["fee_estimate"] = fee
    elif kind is LetterKind.CLARIFICATION:
        f["unclear_points"] = _lines(extra.pop("unclear_points", ()))
        # The clock keeps running while we ask (access-rules 1.5).
        f["due_date"] = r.effective_due
    elif kind is LetterKind.EXTENSION:
        # 164.524(b)(2)(ii): the reasons and the date, as recorded with the extension.
        f["received_date"] = r.received
        f["reasons"] = _lines(r.extension_reasons)
        f["act_by_date"] = r.extended_due
    elif kind is LetterKind.RECORDS_READY:
        items = extra.pop("release_items", ())
        parsed: list[ReleaseItem] = []
        for n, item in enumerate(_release_seq(items), start=1):
            parsed.append(item if isinstance(item, ReleaseItem) else parse_release_line(item, n))
        f["release_items"] = tuple(parsed)
        f["delivery"] = _DELIVERY[language][Delivery(r.delivery)].format(email=r.email)
        amount = _money(extra.pop("amount_due", None), "amount_due")
        if amount is not None:
            f["amount_due"] = amount
    elif kind is LetterKind.EMAIL_RISK:
        # 78 FR 5634; HHS FAQ 2061 (access-rules 2.7).
        f["email_address"] = str(extra.pop("email_address", "") or r.email).strip()
    # Anything else the caller gives (e.g. a denial's grounds) goes in as given; a value
    # the caller sets overrides the one taken from the request.
    f.update(extra)
    return f


def _release_seq(items: object) -> list[ReleaseItem | str]:
    if isinstance(items, str):
        return [ln for ln in items.splitlines() if ln.strip()]
    if isinstance(items, Iterable):
        return [i if isinstance(i, ReleaseItem) else str(i) for i in items]
    return []


def _check_language(language: str) -> Language:
    if language not in LANGUAGES:
        raise InvalidInput("language", f"'{language}' is not offered; choose en or es.")
    return cast(Language, language)


def build_letter_data(
    s: Session,
    actor: Actor,
    request_id: int,
    kind: LetterKind,
    language: str | None = None,
    extra: Mapping[str, object] | None = None,
    on: dt.date | None = None,
) -> tuple[LetterData, bool]:
    """The engine's input for this request and kind, and whether it has a postal address.

    Without a ``language`` the letter is in the requester's preferred language recorded at
    intake.
    """
    r = _load_request(s, request_id)
    lang = _check_language(language or r.preferred_language or "en")
    rest = dict(extra or {})
    to = addressee(
        r,
        lang,
        str(rest.pop("recipient_name", "") or ""),
        str(rest.pop("recipient_address", "") or ""),
    )
    fields = _fields(kind, r, lang, rest)
    if on is None:
        # The extension notice is dated the day it was recorded as sent.
        on = (
            r.extension_notice_date
            if kind is LetterKind.EXTENSION and r.extension_notice_date
            else dt.date.today()
        )
    data = LetterData(
        kind=kind,
        language=lang,
        letterhead=letterhead(s),
        recipient=to.recipient,
        letter_date=on,
        request_number=request_number(r.id),
        patient_name=r.patient_name,
        signer=staff_signer(actor, lang),
        fields=MappingProxyType(fields),
    )
    return data, to.postal


def _jsonable(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, ReleaseItem):
        return {
            "category": value.category,
            "from": _jsonable(value.date_from),
            "to": _jsonable(value.date_to),
            "count": value.count,
            "unit": value.unit,
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _hint(kind: LetterKind, r: AccessRequest) -> str:
    if kind is LetterKind.EXTENSION and r.extended_due is None:
        return " Record the extension first (Extend once), then issue its notice."
    if kind is LetterKind.EMAIL_RISK and not r.email:
        return " Give the e-mail address the patient wants to use."
    return ""


def _event(s: Session, actor: Actor, request_id: int, on: dt.date, kind: str, text: str) -> None:
    s.add(
        TimelineEvent(
            request_id=request_id,
            event_date=on,
            recorded_at=_now(),
            kind=kind,
            summary=text,
            user_id=actor.user_id,
        )
    )
    s.flush()


def _copies_count(s: Session, letter_id: int) -> int:
    rows = s.scalars(
        select(LetterOutput.id).where(LetterOutput.letter_id == letter_id, LetterOutput.is_copy)
    ).all()
    return len(rows)


def _to_issued(s: Session, row: IssuedLetterRow, r: AccessRequest) -> IssuedLetter:
    kind = LetterKind(row.kind)
    return IssuedLetter(
        id=row.id,
        request_id=row.request_id,
        kind=kind,
        language=row.language,
        letter_date=row.letter_date,
        issued_at=row.issued_at,
        issued_by=row.issued_by.full_name,
        recipient_name=row.recipient_name,
        recipient_address=tuple(row.recipient_address.split("\n")) if row.recipient_address else (),
        postal=row.postal,
        sha256=row.sha256,
        pages=row.pages,
        mailings=tuple(
            Mailing(
                id=m.id,
                method=MailMethod(m.method),
                sent_on=m.sent_on,
                tracking=m.tracking,
                note=m.note,
                recorded_by=m.recorded_by.full_name,
                recorded_at=m.recorded_at,
            )
            for m in row.mailings
        ),
        deadline=letter_deadline(kind, r),
        copies=_copies_count(s, row.id),
    )


# -- issuing ------------------------------------------------------------------------------


def issue_letter(
    store: Store,
    actor: Actor,
    request_id: int,
    kind: LetterKind | str,
    language: str | None = None,
    extra: Mapping[str, object] | None = None,
    on: dt.date | None = None,
) -> IssuedLetter:
    """Render the letter, store its PDF and SHA-256 with the request, and log it.

    ``extra`` carries what the request does not hold: clarification points
    (``unclear_points``), a release list (``release_items``: ReleaseItem or
    'category | from | to | count pages' lines), ``fee_estimate``, ``amount_due``,
    ``email_address``, ``recipient_name`` / ``recipient_address``, or any engine field
    (a denial's ``denial_grounds`` and so on). Refuses with LetterNotReady naming every
    missing element; nothing is stored then.
    """
    actor.require_staff()
    try:
        kind = LetterKind(kind)
    except ValueError:
        raise InvalidInput(
            "kind", f"'{kind}' is not a letter kind ({', '.join(k.value for k in LetterKind)})."
        ) from None
    with store.write() as s:
        data, postal = build_letter_data(s, actor, request_id, kind, language, extra, on)
        r = _load_request(s, request_id)
        if data.letter_date < r.received:
            raise RuleViolation(
                f"The letter date {data.letter_date.isoformat()} is before the request was "
                f"received ({r.received.isoformat()})."
            )
        try:
            row = freeze_letter(s, actor, r, data, postal)
        except LetterIncomplete as exc:
            raise LetterNotReady(str(exc) + _hint(kind, r), exc.missing) from None
        except LetterInvalid as exc:
            raise LetterNotReady(str(exc)) from None
        s.refresh(row)
        return _to_issued(s, row, r)


def freeze_letter(
    s: Session, actor: Actor, r: AccessRequest, data: LetterData, postal: bool
) -> IssuedLetterRow:
    """Render, store and log a letter inside the caller's transaction.

    The one place any letter becomes an issued, frozen PDF: the letter kinds here and
    the denial and review letters of services/denials.py and services/review.py alike.
    Raises LetterIncomplete / LetterInvalid from the engine; nothing is stored then.
    """
    from accessdesk_gui.letters.pdftools import page_count
    from accessdesk_gui.letters.render import render_letter  # ReportLab: on first use

    pdf = render_letter(data)
    digest = hashlib.sha256(pdf).hexdigest()
    row = IssuedLetterRow(
        request_id=r.id,
        kind=data.kind.value,
        language=data.language,
        letter_date=data.letter_date,
        issued_at=_now(),
        issued_by_id=actor.user_id,
        recipient_name=data.recipient.name,
        recipient_address="\n".join(data.recipient.address_lines),
        postal=postal,
        fields_json=json.dumps(
            {k: _jsonable(v) for k, v in data.fields.items()},
            ensure_ascii=False,
            sort_keys=True,
        ),
        pdf=pdf,
        sha256=digest,
        pages=page_count(pdf),
    )
    s.add(row)
    s.flush()
    _event(
        s,
        actor,
        r.id,
        data.letter_date,
        "letter_issued",
        f"{KIND_LABELS[data.kind]} #{row.id} issued ({LANGUAGES[data.language].split()[0]}), "
        f"dated {data.letter_date.isoformat()}; SHA-256 {digest[:12]}…",
    )
    audit.append(
        s,
        actor.username,
        "letter_issued",
        "letter",
        row.id,
        None,
        {
            "request_id": r.id,
            "kind": data.kind.value,
            "language": data.language,
            "letter_date": data.letter_date.isoformat(),
            "recipient": [data.recipient.name, *data.recipient.address_lines],
            "sha256": digest,
        },
    )
    return row


# -- reading ------------------------------------------------------------------------------


def list_letters(store: Store, actor: Actor, request_id: int) -> list[IssuedLetter]:
    actor.require_staff()
    with store.read() as s:
        r = _load_request(s, request_id)
        rows = s.scalars(
            select(IssuedLetterRow)
            .where(IssuedLetterRow.request_id == request_id)
            .options(selectinload(IssuedLetterRow.mailings))
            .order_by(IssuedLetterRow.id)
        ).all()
        found = [_to_issued(s, row, r) for row in rows]
    # One entry per listing (recipients and dates are the patient's), none per table row;
    # an empty list shows nothing of the patient's beyond the request itself.
    if found:
        audit.record_view(
            store, actor.username, "letters_listed", "request", request_id, request_id
        )
    return found


def get_letter(store: Store, actor: Actor, letter_id: int) -> IssuedLetter:
    actor.require_staff()
    with store.read() as s:
        row = _load_letter(s, letter_id)
        letter = _to_issued(s, row, _load_request(s, row.request_id))
    audit.record_view(
        store, actor.username, "letter_viewed", "letter", letter_id, letter.request_id
    )
    return letter


def original_pdf(store: Store, actor: Actor, letter_id: int) -> bytes:
    """The PDF exactly as issued, for preview: no output is logged, the viewing is audited."""
    actor.require_staff()
    with store.read() as s:
        row = _load_letter(s, letter_id)
        pdf, request_id = bytes(row.pdf), row.request_id
    audit.record_view(store, actor.username, "letter_viewed", "letter", letter_id, request_id)
    return pdf


# -- outputs: originals while unsent, marked copies after -----------------------------------


def _copy_note(row: IssuedLetterRow, today: dt.date, language: str) -> str:
    if language == "es":
        return (
            f"carta n.º {row.id} emitida el {row.letter_date.isoformat()}; "
            f"copia hecha el {today.isoformat()}"
        )
    return (
        f"of letter #{row.id} issued {row.letter_date.isoformat()}; copy made {today.isoformat()}"
    )


def _log_output(
    s: Session, actor: Actor, row: IssuedLetterRow, is_copy: bool, how: str, pdf: bytes
) -> None:
    digest = hashlib.sha256(pdf).hexdigest()
    s.add(
        LetterOutput(
            letter_id=row.id,
            is_copy=is_copy,
            how=how,
            sha256=digest,
            at=_now(),
            by_id=actor.user_id,
        )
    )
    s.flush()
    if is_copy:
        _event(
            s,
            actor,
            row.request_id,
            dt.date.today(),
            "letter_copy",
            f"Copy of {KIND_LABELS[LetterKind(row.kind)].lower()} #{row.id} made ({how}).",
        )
    audit.append(
        s,
        actor.username,
        "letter_copy" if is_copy else "letter_output",
        "letter",
        row.id,
        None,
        {"how": how, "is_copy": is_copy, "sha256": digest, "original_sha256": row.sha256},
    )


def reprint(store: Store, actor: Actor, letter_id: int, how: str = "print") -> bytes:
    """A copy stamped COPY on every page; logged. The stored original never changes."""
    actor.require_staff()
    from accessdesk_gui.letters.pdftools import stamp_copy  # pypdf: on first use

    with store.write() as s:
        row = _load_letter(s, letter_id)
        pdf = stamp_copy(
            bytes(row.pdf), _copy_note(row, dt.date.today(), row.language), row.language
        )
        _log_output(s, actor, row, True, how, pdf)
        return pdf


def letter_for_output(store: Store, actor: Actor, letter_id: int, how: str) -> LetterFile:
    """What to print or save: the original until the letter is sent, then a marked copy."""
    actor.require_staff()
    from accessdesk_gui.letters.pdftools import stamp_copy  # pypdf: on first use

    with store.write() as s:
        row = _load_letter(s, letter_id)
        sent = s.scalar(select(exists().where(LetterMailing.letter_id == letter_id)))
        if sent:
            pdf = stamp_copy(
                bytes(row.pdf), _copy_note(row, dt.date.today(), row.language), row.language
            )
        else:
            pdf = bytes(row.pdf)
        _log_output(s, actor, row, bool(sent), how, pdf)
        return LetterFile(letter_id, pdf, bool(sent))


# -- mailing ------------------------------------------------------------------------------


def record_mailing(
    store: Store,
    actor: Actor,
    letter_id: int,
    method: MailMethod | str,
    sent_on: dt.date,
    tracking: str = "",
    note: str = "",
    today: dt.date | None = None,
) -> IssuedLetter:
    """Record how and when a letter went out; only then does it count as sent."""
    actor.require_staff()
    try:
        method = MailMethod(method)
    except ValueError:
        raise InvalidInput(
            "method", f"'{method}' is not a method ({', '.join(m.value for m in MailMethod)})."
        ) from None
    tracking = check_text("tracking", tracking, limit=60)
    note = check_text("note", note, limit=1000)
    if method is MailMethod.CERTIFIED and not tracking:
        raise InvalidInput("tracking", "is required for certified mail.")
    today = today or dt.date.today()
    if sent_on > today:
        raise InvalidInput("date", f"{sent_on.isoformat()} is in the future.")
    with store.write() as s:
        row = _load_letter(s, letter_id)
        r = _load_request(s, row.request_id)
        if sent_on < row.letter_date:
            raise InvalidInput(
                "date",
                f"{sent_on.isoformat()} is before the letter's date "
                f"({row.letter_date.isoformat()}).",
            )
        if method in POSTAL_METHODS and not row.postal:
            raise RuleViolation(
                f"Letter #{row.id} has no postal address in its window, so it cannot be "
                "mailed. Record it as e-mailed, portal or handed over, or add the mailing "
                "address to the request and issue the letter again."
            )
        m = LetterMailing(
            letter_id=row.id,
            method=method.value,
            sent_on=sent_on,
            tracking=tracking,
            note=note,
            recorded_at=_now(),
            recorded_by_id=actor.user_id,
        )
        s.add(m)
        s.flush()
        s.refresh(row)
        letter = _to_issued(s, row, r)
        summary = f"{KIND_LABELS[letter.kind]} #{row.id} sent {m.sent_on.isoformat()} by "
        summary += METHOD_LABELS[method]
        if tracking:
            summary += f" (tracking {tracking})"
        if letter.deadline is not None:
            due = letter.deadline.due.isoformat()
            late = sent_on > letter.deadline.due
            summary += (
                f"; LATE: the rule required it by {due} ({letter.deadline.rule})."
                if late
                else f"; in time (due by {due})."
            )
        else:
            summary += "."
        _event(s, actor, r.id, sent_on, "letter_sent", summary)
        audit.append(
            s,
            actor.username,
            "letter_mailed",
            "letter",
            row.id,
            None,
            {
                "method": method.value,
                "sent_on": sent_on.isoformat(),
                "tracking": tracking,
                "in_time": None if letter.deadline is None else sent_on <= letter.deadline.due,
            },
        )
        return letter


# -- today's mail -------------------------------------------------------------------------


def _mailing_order(letter: IssuedLetter) -> tuple[int, dt.date, int]:
    # Notices with a deadline first, the earliest deadline first (if the printer stops
    # half way, the urgent ones are out); then the others in the order they were issued.
    if letter.deadline is not None:
        return (0, letter.deadline.due, letter.id)
    return (1, dt.date.min, letter.id)


def mail_queue(store: Store, actor: Actor) -> list[IssuedLetter]:
    """Every letter issued and not yet sent, in mailing order."""
    actor.require_staff()
    with store.read() as s:
        rows = s.scalars(
            select(IssuedLetterRow)
            .where(~exists().where(LetterMailing.letter_id == IssuedLetterRow.id))
            .options(selectinload(IssuedLetterRow.mailings))
        ).all()
        requests = {
            r.id: r
            for r in s.scalars(
                select(AccessRequest).where(AccessRequest.id.in_({row.request_id for row in rows}))
            )
        }
        letters = [_to_issued(s, row, requests[row.request_id]) for row in rows]
    return sorted(letters, key=_mailing_order)


def batch_pdf(
    store: Store,
    actor: Actor,
    letter_ids: Sequence[int],
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> bytes:
    """The issued PDFs joined in the order given, as one print job (nothing is logged).

    Safe to run off the UI thread: it only reads. Raises pdftools.Cancelled if stopped.
    """
    from accessdesk_gui.letters.pdftools import concatenate  # pypdf: on first use

    actor.require_staff()
    pdfs: list[bytes] = []
    with store.read() as s:
        for letter_id in letter_ids:
            pdfs.append(bytes(_load_letter(s, letter_id).pdf))
    return concatenate(pdfs, progress, cancelled)


def log_batch_printed(store: Store, actor: Actor, letter_ids: Sequence[int]) -> None:
    """Record that these originals were handed to the printer in one job."""
    actor.require_staff()
    with store.write() as s:
        for letter_id in letter_ids:
            row = _load_letter(s, letter_id)
            _log_output(s, actor, row, False, "batch_print", bytes(row.pdf))


# -- letterhead settings ------------------------------------------------------------------


def get_logo_path(store: Store) -> str:
    with store.read() as s:
        settings = s.scalar(select(LetterheadSettings).limit(1))
        return settings.logo_path if settings else ""


def set_logo_path(store: Store, actor: Actor, path: str) -> None:
    """Set (or clear, with "") the logo printed at the top right of every letter."""
    actor.require(Role.PRIVACY_OFFICER, "change the letterhead")
    path = path.strip()
    if path and not Path(path).is_file():
        raise InvalidInput("logo_path", f"{path} is not a file.")
    if path and Path(path).suffix.lower() not in (".png", ".jpg", ".jpeg"):
        raise InvalidInput("logo_path", "must be a PNG or JPEG image.")
    with store.write() as s:
        settings = s.scalar(select(LetterheadSettings).limit(1))
        before = {"logo_path": settings.logo_path} if settings else {"logo_path": ""}
        if settings is None:
            settings = LetterheadSettings(logo_path=path, updated_at=_now())
            s.add(settings)
        else:
            settings.logo_path = path
            settings.updated_at = _now()
        s.flush()
        audit.append(
            s,
            actor.username,
            "letterhead_changed",
            "settings",
            settings.id,
            before,
            {"logo_path": path},
        )
