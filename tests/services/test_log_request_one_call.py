"""Logging a request with its scan and fee is one command in one transaction (issue 12),
and the intake fields are mapped to and from the stored row in one place."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accessdesk_gui.domain.deadlines import AccessKind
from accessdesk_gui.domain.errors import InvalidInput, RuleViolation
from accessdesk_gui.domain.fees import FeeComponent, FeeLine, FeeMethod
from accessdesk_gui.domain.intake import (
    Authority,
    Channel,
    Delivery,
    ElectronicFormat,
    Format,
    Intake,
    RequesterKind,
    Verification,
    VerificationMethod,
    check_intake,
)
from accessdesk_gui.services import _common, requests
from accessdesk_gui.services.intake import NewAttachment, NewEstimate
from accessdesk_gui.store import audit
from accessdesk_gui.store.intake_models import RequestAttachment
from accessdesk_gui.store.models import AccessRequest, TimelineEvent
from tests.conftest import make_intake

TODAY = dt.date(2026, 3, 1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _counts(store) -> tuple[int, int, int, int]:
    with store.read() as s:
        return (
            s.scalar(select(func.count()).select_from(AccessRequest)),
            s.scalar(select(func.count()).select_from(RequestAttachment)),
            s.scalar(select(func.count()).select_from(TimelineEvent)),
            audit.verify(s).entries,
        )


def test_request_scan_and_fee_are_saved_together(store, desk) -> None:
    rid = requests.log_request(
        store,
        desk,
        make_intake(),
        today=TODAY,
        attachment=NewAttachment("/home/desk/scans/request.pdf", PDF),
        fee=NewEstimate(FeeMethod.FLAT_FEE, [FeeLine(FeeComponent.COPY_LABOR, Decimal("6.50"))]),
    )
    d = requests.get_request(store, desk, rid, today=TODAY)
    assert [(a.kind, a.filename) for a in d.attachments] == [("scanned_request", "request.pdf")]
    assert d.fee_total == "6.50" and d.fee_given_on == d.received
    assert [e.kind for e in d.timeline] == ["received", "attached", "fee_estimate"]


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        (
            {"attachment": NewAttachment("big.pdf", b"%PDF-" + b"0" * (26 * 1024 * 1024))},
            "file",
            "at most 25 MB",
        ),
        ({"attachment": NewAttachment("virus.exe", b"MZ\x90\x00")}, "file", "not a PDF"),
        (
            {
                "fee": NewEstimate(
                    FeeMethod.FLAT_FEE, [FeeLine(FeeComponent.COPY_LABOR, Decimal("7"))]
                )
            },
            "fee_method",
            "6.50",
        ),
        (
            {"fee": NewEstimate(FeeMethod.FLAT_FEE, given_on=dt.date(2026, 1, 1))},
            "fee_given_on",
            "before",
        ),
    ],
    ids=["scan-too-large", "not-a-scan", "fee-over-flat-limit", "fee-before-receipt"],
)
def test_a_refused_scan_or_fee_saves_no_request(store, desk, kw, field, message) -> None:
    before = _counts(store)
    for _attempt in range(2):  # pressing OK again makes no second request either
        with pytest.raises(InvalidInput, match=message) as exc:
            requests.log_request(store, desk, make_intake(), today=TODAY, **kw)
        assert exc.value.field == field
    assert _counts(store) == before
    assert _counts(store)[0] == 0


def test_fulfil_and_extend_check_and_write_in_one_transaction(store, desk, monkeypatch) -> None:
    rid = requests.log_request(store, desk, make_intake(), today=TODAY)

    def no_second_session() -> None:
        raise AssertionError("a check ran in a session of its own, outside the write")

    monkeypatch.setattr(store, "read", no_second_session)
    requests.extend(
        store, desk, rid, dt.date(2026, 2, 10), "Records off site", TODAY.replace(day=20)
    )
    with pytest.raises(RuleViolation, match="only one"):
        requests.extend(store, desk, rid, dt.date(2026, 2, 11), "Again", TODAY.replace(day=25))
    requests.fulfil(store, desk, rid, dt.date(2026, 2, 20))
    monkeypatch.undo()
    assert requests.get_request(store, desk, rid).status.value == "fulfilled"


# -- one mapping between Intake and the stored row ------------------------------------------

EVERY_FIELD: dict[str, object] = {
    "patient_name": "Zoë Roundtrip",
    "patient_dob": dt.date(1970, 5, 6),
    "received": dt.date(2026, 2, 2),
    "requester_kind": RequesterKind.PERSONAL_REPRESENTATIVE,
    "scope": "Labs and imaging",
    "access": AccessKind.INSPECT,
    "format": Format.ELECTRONIC,
    "delivery": Delivery.MAIL,
    "mrn": "MRN-77",
    "requester_name": "Pat Roundtrip",
    "requester_relationship": "son",
    "mail_address": "1 Main St\nTestville",
    "email": "pat@example.org",
    "authority": Authority.EXECUTOR,
    "authority_document": "Letters testamentary",
    "directive_recipient": "Lakeside Law",
    "directive_destination": "Fax 555-010-0101",
    "directive_signed": True,
    "whole_drs": True,
    "categories": ("lab_results", "imaging"),
    "date_from": dt.date(2020, 1, 1),
    "date_to": dt.date(2025, 12, 31),
    "summary": True,
    "summary_agreed": True,
    "summary_fee_agreed": True,
    "electronic_format": ElectronicFormat.USB,
    "phi_electronic": False,
    "agreed_format": "PDF on a USB drive",
    "declined_electronic": True,
    "email_risk_accepted": True,
    "channel": Channel.FAX,
    "preferred_language": "es",
    "verification": Verification(VerificationMethod.PHOTO_ID, dt.date(2026, 2, 3), "licence"),
    "benefit_claim": True,
    "earlier_copy": True,
}


def test_every_intake_field_round_trips_through_the_row() -> None:
    fields = dataclasses.fields(Intake)
    # A new Intake field fails here until it is given a value above and mapped in _common.
    assert set(EVERY_FIELD) == {f.name for f in fields}
    for f in fields:
        if f.default is not dataclasses.MISSING:
            assert EVERY_FIELD[f.name] != f.default, f"give {f.name} a non-default value"
    intake = Intake(**EVERY_FIELD)  # type: ignore[arg-type]
    row = AccessRequest(**_common.intake_columns(intake))
    assert _common.intake_of(row) == intake
    snap = _common.snapshot(AccessRequest(**_common.intake_columns(intake)))
    assert set(_common.INTAKE_COLUMNS) <= set(snap)


def test_a_logged_request_reads_back_as_the_cleaned_intake(store, desk) -> None:
    intake = make_intake(
        requester_kind=RequesterKind.THIRD_PARTY_DIRECTIVE,
        delivery=Delivery.THIRD_PARTY,
        directive_recipient="Lakeside Law",
        directive_destination="Fax 555-010-0101",
        directive_signed=True,
        categories=("lab_results",),
        channel=Channel.FAX,
        preferred_language="es",
    )
    rid = requests.log_request(store, desk, intake, today=TODAY)
    with store.read() as s:
        assert _common.intake_of(s.get(AccessRequest, rid)) == check_intake(intake, TODAY)


def test_a_file_just_over_the_limit_is_not_said_to_be_at_the_limit() -> None:
    from accessdesk_gui.services.intake import ATTACHMENT_MAX_BYTES, check_attachment

    with pytest.raises(InvalidInput) as caught:
        check_attachment(NewAttachment("big.pdf", b"%PDF-" + b"0" * ATTACHMENT_MAX_BYTES))
    assert "is 25.1 MB; at most 25 MB" in caught.value.message
