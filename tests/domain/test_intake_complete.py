"""Complete intake rules: requester kinds, scope, form and format, clarifications, fee facts."""

import datetime as dt

import pytest

from accessdesk_gui.domain.deadlines import AccessKind
from accessdesk_gui.domain.errors import InvalidInput
from accessdesk_gui.domain.intake import (
    Authority,
    Delivery,
    ElectronicFormat,
    Format,
    RequesterKind,
    Verification,
    VerificationMethod,
    check_intake,
    clarifications,
    fee_facts,
)
from tests.conftest import make_intake

TODAY = dt.date(2026, 2, 1)
DIRECTIVE = {
    "requester_kind": RequesterKind.THIRD_PARTY_DIRECTIVE,
    "delivery": Delivery.THIRD_PARTY,
}


def test_representative_keeps_authority_and_document() -> None:
    c = check_intake(
        make_intake(
            requester_kind=RequesterKind.PERSONAL_REPRESENTATIVE,
            requester_name="Marta Guardián",
            authority=Authority.COURT_GUARDIAN,
            authority_document="Letters of guardianship, case 26-PR-0001",
        ),
        TODAY,
    )
    assert c.requester_relationship == "Court-appointed guardian"
    assert c.authority_document.startswith("Letters")
    assert clarifications(c) == []


def test_representative_without_document_needs_clarification_but_is_accepted() -> None:
    c = check_intake(
        make_intake(
            requester_kind=RequesterKind.PERSONAL_REPRESENTATIVE,
            requester_name="Pat Parent",
            authority=Authority.PARENT_OF_MINOR,
        ),
        TODAY,
    )
    assert any("authority" in t for t in clarifications(c))


def test_unsigned_directive_without_destination_is_incomplete_never_refused() -> None:
    c = check_intake(make_intake(**DIRECTIVE, directive_recipient="Dr. Example Law LLP"), TODAY)
    todo = clarifications(c)
    assert any("not signed" in t for t in todo)
    assert any("where to send" in t for t in todo)
    # Never a demand for a full HIPAA authorization (FAQ 2041).
    assert all("authorization is not needed" in t or "authorization" not in t for t in todo)


def test_signed_directive_with_recipient_and_destination_is_complete() -> None:
    c = check_intake(
        make_intake(
            **DIRECTIVE,
            directive_recipient="Lakeside Orthopedics",
            directive_destination="records@lakeside.example",
            directive_signed=True,
        ),
        TODAY,
    )
    assert clarifications(c) == []
    assert c.requester_name == c.patient_name


def test_third_party_delivery_needs_a_directive() -> None:
    with pytest.raises(InvalidInput) as err:
        check_intake(make_intake(delivery=Delivery.THIRD_PARTY), TODAY)
    assert err.value.field == "delivery"


def test_directive_must_go_to_the_third_party() -> None:
    with pytest.raises(InvalidInput) as err:
        check_intake(make_intake(requester_kind=RequesterKind.THIRD_PARTY_DIRECTIVE), TODAY)
    assert err.value.field == "delivery"


def test_whole_drs_or_categories_give_the_scope_text() -> None:
    assert check_intake(make_intake(scope="", whole_drs=True), TODAY).scope.startswith("The whole")
    c = check_intake(make_intake(scope="", categories=("lab_results", "billing")), TODAY)
    assert c.scope == "Laboratory results; Billing and claims records"


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"categories": ("psychic_readings",)}, "categories"),
        ({"whole_drs": True, "categories": ("billing",)}, "categories"),
        ({"date_from": dt.date(2026, 1, 10), "date_to": dt.date(2025, 1, 1)}, "date_to"),
        ({"date_from": dt.date(2026, 3, 1)}, "date_from"),
        ({"date_to": dt.date(2027, 1, 1)}, "date_to"),
        ({"preferred_language": "fr"}, "preferred_language"),
        ({"summary": True, "access": AccessKind.INSPECT}, "access"),
        ({"format": Format.PAPER, "delivery": Delivery.EMAIL, "email": "a@b.example"}, "format"),
        ({"agreed_format": "fax"}, "agreed_format"),
        ({"mrn": "M1\x00"}, "mrn"),
        (
            {"verification": Verification(VerificationMethod.PHOTO_ID, dt.date(2026, 1, 1))},
            "verified_on",
        ),
        (
            {"verification": Verification(VerificationMethod.PHOTO_ID, dt.date(2026, 2, 2))},
            "verified_on",
        ),
        ({"delivery": Delivery.EMAIL, "email": "x@"}, "email"),
        ({"directive_recipient": "x" * 300, **DIRECTIVE}, "directive_recipient"),
    ],
)
def test_bad_intake_fields_name_the_field(kw: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        check_intake(make_intake(**kw), TODAY)
    assert err.value.field == field


def test_electronic_records_asked_electronically_are_not_switched_to_paper() -> None:
    with pytest.raises(InvalidInput, match=r"164.524\(c\)\(2\)\(ii\)") as err:
        check_intake(make_intake(agreed_format="paper"), TODAY)
    assert err.value.field == "agreed_format"
    # ... unless the patient declined every electronic format offered, or the records are paper.
    assert check_intake(make_intake(agreed_format="paper", declined_electronic=True), TODAY)
    assert check_intake(make_intake(agreed_format="paper", phi_electronic=False), TODAY)


def test_summary_needs_two_separate_agreements() -> None:
    c = check_intake(make_intake(summary=True, summary_agreed=True), TODAY)
    assert [t for t in clarifications(c) if "fee" in t]
    c = check_intake(make_intake(summary=True, summary_agreed=True, summary_fee_agreed=True), TODAY)
    assert clarifications(c) == []
    assert fee_facts(c).summary_agreed and fee_facts(c).summary_fee_agreed


def test_email_without_accepted_warning_is_incomplete() -> None:
    c = check_intake(make_intake(delivery=Delivery.EMAIL, email="zoe@example.invalid"), TODAY)
    assert any("unencrypted" in t for t in clarifications(c))
    c = check_intake(
        make_intake(delivery=Delivery.EMAIL, email="zoe@example.invalid", email_risk_accepted=True),
        TODAY,
    )
    assert clarifications(c) == []


def test_fee_facts_follow_the_request() -> None:
    f = fee_facts(
        check_intake(
            make_intake(electronic_format=ElectronicFormat.USB, delivery=Delivery.PICKUP), TODAY
        )
    )
    assert f.portable_media_requested and f.copy_electronic and not f.mailing_requested
    f = fee_facts(
        check_intake(
            make_intake(
                format=Format.PAPER,
                delivery=Delivery.MAIL,
                mail_address="1 Rd",
                phi_electronic=False,
            ),
            TODAY,
        )
    )
    assert f.mailing_requested and not f.copy_electronic
    f = fee_facts(check_intake(make_intake(**DIRECTIVE, directive_signed=True), TODAY))
    assert f.third_party_directive


@pytest.mark.parametrize("name", ["李小龍", "דוד כהן", "محمد الأحمد", "Nguyễn Văn Ä", "O'Brien"])
def test_recipient_and_requester_names_in_any_script(name: str) -> None:
    c = check_intake(
        make_intake(**DIRECTIVE, directive_recipient=name, directive_destination="Fax 555"), TODAY
    )
    assert c.directive_recipient == name
