"""Letters for requests: issued frozen, copies marked and logged, mailing log and deadlines."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
import sqlcipher3
from pypdf import PdfReader

from accessdesk_gui.domain.denials import GroundCode
from accessdesk_gui.domain.errors import InvalidInput, RuleViolation
from accessdesk_gui.domain.intake import Delivery, Format
from accessdesk_gui.letters import LetterKind
from accessdesk_gui.services import auth, demo, letters, requests
from accessdesk_gui.services.errors import PermissionDenied
from accessdesk_gui.services.letters import LetterNotReady, MailMethod
from accessdesk_gui.store import audit
from accessdesk_gui.store.db import Store, connect_raw
from tests.conftest import make_intake
from tests.denialflow_support import pdf_image_count

TODAY = dt.date(2026, 3, 10)
MAIL = dict(
    delivery=Delivery.MAIL,
    format=Format.PAPER,
    mail_address="12 Invented Lane\nTestville, OR 97000",
)

EXTRA = {
    LetterKind.ACKNOWLEDGEMENT: {"fee_estimate": "6.50"},
    LetterKind.CLARIFICATION: {"unclear_points": "Which years you want\nImages or reports"},
    LetterKind.RECORDS_READY: {
        "release_items": "Visit notes | 2024-01-01 | 2025-12-31 | 12 pages\n"
        "Knee MRI images | 2025-03-01 | | 2 files",
        "amount_due": "6.50",
    },
    LetterKind.EMAIL_RISK: {"email_address": "zoe@example.invalid"},
    LetterKind.EXTENSION: {},
}


def text_of(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def audit_count(store: Store) -> int:
    with store.read() as s:
        return audit.verify(s).entries


@pytest.fixture
def rid(store, admin) -> int:
    return requests.log_request(store, admin, make_intake(**MAIL), today=TODAY)


# -- every kind for the demo requests -----------------------------------------------------


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory):
    store = demo.build_demo_store(
        tmp_path_factory.mktemp("demo") / "demo.sqlite", today=dt.date(2026, 6, 15)
    )
    yield store, auth.login(store, demo.DEMO_USER, demo.DEMO_PASSWORD)
    store.close()


@pytest.mark.parametrize("kind", letters.COMPOSED_KINDS)
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_kind_issues_for_every_demo_request(demo_store, kind, language) -> None:
    store, actor = demo_store
    rows = requests.list_requests(
        store, actor, requests.Query(view=requests.View.ALL, today=dt.date(2026, 6, 15))
    )
    assert len(rows) > 15
    issued = 0
    for row in rows:
        detail = requests.get_request(store, actor, row.id)
        on = None if kind is LetterKind.EXTENSION else dt.date(2026, 6, 15)
        if kind is LetterKind.EXTENSION and detail.extended_due is None:
            with pytest.raises(LetterNotReady) as exc:
                letters.issue_letter(store, actor, row.id, kind, language, EXTRA[kind], on)
            assert "the reasons for the delay" in exc.value.missing
            assert "Extend once" in str(exc.value)
            continue
        letter = letters.issue_letter(store, actor, row.id, kind, language, EXTRA[kind], on)
        text = text_of(letters.original_pdf(store, actor, letter.id))
        assert detail.patient_name.split()[0] in text
        assert f"{row.id}" in text
        issued += 1
    assert issued >= 2


# -- required elements --------------------------------------------------------------------


def test_a_letter_missing_elements_is_refused_naming_them_and_nothing_is_stored(
    store, admin, rid
) -> None:
    before = audit_count(store)
    with pytest.raises(LetterNotReady) as exc:
        letters.issue_letter(store, admin, rid, LetterKind.CLARIFICATION, "en", {})
    assert exc.value.missing == ["what is unclear about the request"]
    assert "Missing: what is unclear about the request" in str(exc.value)
    with pytest.raises(LetterNotReady) as exc:
        letters.issue_letter(store, admin, rid, LetterKind.RECORDS_READY, "en", {})
    assert "the list of records released" in exc.value.missing
    assert letters.list_letters(store, admin, rid) == []
    assert audit_count(store) == before


def test_a_bad_release_line_names_the_field(store, admin, rid) -> None:
    with pytest.raises(InvalidInput) as exc:
        letters.issue_letter(
            store, admin, rid, LetterKind.RECORDS_READY, "en", {"release_items": "Notes | 12"}
        )
    assert exc.value.field == "release_items"


def test_unknown_language_is_refused(store, admin, rid) -> None:
    with pytest.raises(InvalidInput) as exc:
        letters.issue_letter(store, admin, rid, LetterKind.ACKNOWLEDGEMENT, "fr")
    assert exc.value.field == "language"


# -- frozen -------------------------------------------------------------------------------


def test_issued_letter_is_frozen_with_its_hash(store, admin, rid) -> None:
    letter = letters.issue_letter(store, admin, rid, LetterKind.ACKNOWLEDGEMENT, "en", on=TODAY)
    pdf = letters.original_pdf(store, admin, letter.id)
    assert hashlib.sha256(pdf).hexdigest() == letter.sha256
    text = text_of(pdf)
    assert "Zoë Testperson" in text and "12 Invented Lane" in text
    assert "March 2, 2026" in text  # due date: received 2026-01-31 + 30 days

    # The store itself refuses to change or remove it.
    con = connect_raw(store.path)
    for sql in (
        "UPDATE letters SET pdf = x'00' WHERE id = ?",
        "UPDATE letters SET recipient_name = 'Someone Else' WHERE id = ?",
        "DELETE FROM letters WHERE id = ?",
    ):
        with pytest.raises(sqlcipher3.IntegrityError, match="cannot be changed"):
            con.execute(sql, (letter.id,))
    con.close()

    # A reprint is a new file marked COPY and logged; the original stays byte for byte.
    copy = letters.reprint(store, admin, letter.id)
    assert "COPY" in text_of(copy) and "COPY" not in text
    assert letters.original_pdf(store, admin, letter.id) == pdf
    again = letters.get_letter(store, admin, letter.id)
    assert again.sha256 == letter.sha256 and again.copies == 1
    timeline = requests.get_request(store, admin, rid).timeline
    assert [e.kind for e in timeline][-2:] == ["letter_issued", "letter_copy"]
    with store.read() as s:
        assert audit.verify(s).ok


def test_same_facts_give_the_same_bytes(store, admin, rid) -> None:
    a = letters.issue_letter(store, admin, rid, LetterKind.ACKNOWLEDGEMENT, "es", on=TODAY)
    b = letters.issue_letter(store, admin, rid, LetterKind.ACKNOWLEDGEMENT, "es", on=TODAY)
    assert a.id != b.id and a.sha256 == b.sha256
    assert "Recibimos su solicitud" in text_of(letters.original_pdf(store, admin, a.id))


def test_output_is_the_original_until_sent_then_a_marked_copy(store, admin, rid) -> None:
    letter = letters.issue_letter(store, admin, rid, LetterKind.ACKNOWLEDGEMENT, on=TODAY)
    first = letters.letter_for_output(store, admin, letter.id, "print")
    assert not first.is_copy
    assert hashlib.sha256(first.pdf).hexdigest() == letter.sha256
    letters.record_mailing(store, admin, letter.id, MailMethod.FIRST_CLASS, TODAY, today=TODAY)
    later = letters.letter_for_output(store, admin, letter.id, "save")
    assert later.is_copy and "COPY" in text_of(later.pdf)
    assert letters.get_letter(store, admin, letter.id).copies == 1


# -- mailing ------------------------------------------------------------------------------


def test_a_letter_is_sent_only_when_the_mailing_is_recorded(store, admin, rid) -> None:
    letter = letters.issue_letter(store, admin, rid, LetterKind.ACKNOWLEDGEMENT, on=TODAY)
    assert not letter.sent
    assert [x.id for x in letters.mail_queue(store, admin)] == [letter.id]
    with pytest.raises(InvalidInput) as exc:
        letters.record_mailing(store, admin, letter.id, MailMethod.CERTIFIED, TODAY, today=TODAY)
    assert exc.value.field == "tracking"
    with pytest.raises(InvalidInput):
        letters.record_mailing(
            store, admin, letter.id, "first_class", TODAY + dt.timedelta(days=1), today=TODAY
        )
    sent = letters.record_mailing(
        store, admin, letter.id, "certified", TODAY, tracking="9400 1000 0000", today=TODAY
    )
    assert sent.sent and sent.sent_on == TODAY and sent.in_time is None
    assert "certified mail (tracking 9400 1000 0000)" in sent.state_text()
    assert letters.mail_queue(store, admin) == []
    last = requests.get_request(store, admin, rid).timeline[-1]
    assert last.kind == "letter_sent" and last.event_date == TODAY
    assert "9400 1000 0000" in last.summary
    con = connect_raw(store.path)
    with pytest.raises(sqlcipher3.IntegrityError):
        con.execute("DELETE FROM letter_mailings")
    con.close()


def test_no_postal_mailing_for_a_letter_without_a_postal_address(store, admin) -> None:
    rid = requests.log_request(store, admin, make_intake(), today=TODAY)  # portal, no address
    letter = letters.issue_letter(store, admin, rid, LetterKind.ACKNOWLEDGEMENT, on=TODAY)
    assert letter.recipient_address == ("Delivered through the patient portal",)
    with pytest.raises(RuleViolation, match="no postal address"):
        letters.record_mailing(store, admin, letter.id, "first_class", TODAY, today=TODAY)
    assert letters.record_mailing(store, admin, letter.id, "portal", TODAY, today=TODAY).sent


@pytest.mark.parametrize(
    ("sent_on", "in_time"), [(dt.date(2026, 3, 2), True), (dt.date(2026, 3, 3), False)]
)
def test_extension_notice_reports_whether_it_went_out_within_30_days(
    store, admin, rid, sent_on, in_time
) -> None:
    requests.extend(
        store, admin, rid, dt.date(2026, 2, 20), "Paper chart off site", dt.date(2026, 3, 25)
    )
    letter = letters.issue_letter(store, admin, rid, LetterKind.EXTENSION, "en")
    assert letter.letter_date == dt.date(2026, 2, 20)  # dated as the extension notice
    assert "Paper chart off site" in text_of(letters.original_pdf(store, admin, letter.id))
    assert letter.deadline is not None and letter.deadline.due == dt.date(2026, 3, 2)
    assert "send by 2026-03-02" in letter.state_text(dt.date(2026, 2, 25))
    assert "LATE" in letter.state_text(dt.date(2026, 3, 5))
    sent = letters.record_mailing(store, admin, letter.id, "first_class", sent_on, today=TODAY)
    assert sent.in_time is in_time
    summary = requests.get_request(store, admin, rid).timeline[-1].summary
    assert ("LATE" in summary) is not in_time


def test_denial_service_can_issue_through_the_general_path(store, admin, rid) -> None:
    fields = {
        "denial_grounds": (GroundCode.PSYCHOTHERAPY_NOTES,),
        "withheld_description": "psychotherapy notes",
        "complaint_contact": "the Privacy Officer",
        "complaint_phone": "555-010-0199",
    }
    with pytest.raises(LetterNotReady) as exc:
        letters.issue_letter(store, admin, rid, LetterKind.DENIAL, "en", {}, on=TODAY)
    assert "the basis for the denial" in exc.value.missing
    letter = letters.issue_letter(store, admin, rid, LetterKind.DENIAL, "en", fields, on=TODAY)
    # Received 2026-01-31: the denial was due by 2026-03-02, so sending it now is late.
    assert letter.deadline is not None and letter.deadline.due == dt.date(2026, 3, 2)
    assert letters.record_mailing(store, admin, letter.id, "first_class", TODAY).in_time is False


def test_mail_queue_puts_deadline_notices_first(store, admin, rid) -> None:
    ack = letters.issue_letter(store, admin, rid, LetterKind.ACKNOWLEDGEMENT, on=TODAY)
    requests.extend(
        store, admin, rid, dt.date(2026, 2, 20), "Paper chart off site", dt.date(2026, 3, 25)
    )
    ext = letters.issue_letter(store, admin, rid, LetterKind.EXTENSION)
    queue = letters.mail_queue(store, admin)
    assert [x.id for x in queue] == [ext.id, ack.id]
    pdf = letters.batch_pdf(store, admin, [x.id for x in queue])
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == ext.pages + ack.pages
    assert "We need more time" in pages[0].extract_text()


def test_logo_setting_needs_the_privacy_officer(store, admin, desk, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(_tiny_png())
    with pytest.raises(PermissionDenied):
        letters.set_logo_path(store, desk, str(logo))
    letters.set_logo_path(store, admin, str(logo))
    assert letters.get_logo_path(store) == str(logo)
    rid = requests.log_request(store, admin, make_intake(**MAIL), today=TODAY)
    with_logo = letters.issue_letter(store, admin, rid, LetterKind.ACKNOWLEDGEMENT, on=TODAY)
    assert with_logo.pages == 1
    assert pdf_image_count(letters.original_pdf(store, admin, with_logo.id)) == 1


def _tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    raw = b"".join(b"\x00" + b"\x20\x40\x80" * 8 for _ in range(8))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_letters_default_to_the_requesters_preferred_language(store, admin) -> None:
    rid = requests.log_request(
        store, admin, make_intake(preferred_language="es"), today=dt.date(2026, 2, 10)
    )
    issued = letters.issue_letter(store, admin, rid, LetterKind.ACKNOWLEDGEMENT)
    assert issued.language == "es"
    assert "recibimos su solicitud" in text_of(letters.original_pdf(store, admin, issued.id))
    english = letters.issue_letter(store, admin, rid, LetterKind.ACKNOWLEDGEMENT, "en")
    assert english.language == "en"
