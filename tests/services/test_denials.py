"""Denials through the services: only lawful grounds, signed determinations, complete
letters issued on time, and the request's lifecycle (45 CFR 164.524(a), (d))."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from accessdesk_gui.domain.deadlines import AccessKind
from accessdesk_gui.domain.denials import GROUNDS, INVALID_REASONS, GroundCode
from accessdesk_gui.domain.errors import InvalidInput, RuleViolation
from accessdesk_gui.domain.intake import Delivery
from accessdesk_gui.domain.lifecycle import Status
from accessdesk_gui.letters import LetterKind
from accessdesk_gui.services import audit_service, denials, letters, requests
from accessdesk_gui.services.denials import DenialStatus, DraftInput, PartInput
from accessdesk_gui.services.errors import AuthenticationFailed, PermissionDenied
from accessdesk_gui.store.models import AuditEntry
from tests.conftest import PASSWORD
from tests.denialflow_support import (
    FACTS,
    Office,
    log,
    pdf_image_count,
    pdf_text,
    rep_request,
    set_up_office,
    tiny_png,
    two_parts,
)

ISSUE = dt.date(2026, 2, 12)


@pytest.fixture
def office(store, admin, desk) -> Office:
    return set_up_office(store, admin, desk)


def _draft(o: Office, code: GroundCode, rid: int | None = None, **kw) -> int:
    rid = rid or (
        rep_request(o.store, o.desk)
        if code is GroundCode.PERSONAL_REPRESENTATIVE_HARM
        else log(o.store, o.desk)
    )
    kw.setdefault("determiner_id", o.patel.user_id)
    return denials.draft_denial(o.store, o.desk, rid, two_parts(code, **kw))


# -- each lawful ground -----------------------------------------------------------------


@pytest.mark.parametrize("code", list(GroundCode))
def test_each_lawful_ground_drafts_signs_if_reviewable_and_issues(office, code) -> None:
    did = _draft(office, code)
    d = denials.get_denial(office.store, office.desk, did)
    if GROUNDS[code].reviewable:
        # 524(a)(3): routed to the licensed professional, not issuable until signed.
        assert d.status is DenialStatus.AWAITING_SIGNATURE
        assert d.determiner == "Dr. Asha Patel-Example"
        with pytest.raises(RuleViolation, match="awaits the signed determination"):
            denials.issue_denial(office.store, office.desk, did, ISSUE)
        denials.sign_denial(office.store, office.patel, did, PASSWORD)
        d = denials.get_denial(office.store, office.desk, did)
        assert d.status is DenialStatus.SIGNED
        assert d.signature is not None and d.signature.licence_number == "MD-12345"
    else:
        assert d.status is DenialStatus.DRAFT
    letter = denials.issue_denial(office.store, office.desk, did, ISSUE)
    text = pdf_text(letter.pdf)
    assert "Notes of 2024-03-05" in text  # what is withheld
    assert "Visit notes 2020-2025" in text  # what is released (partial, 524(d)(1))
    assert ("right to ask for a review" in text) is GROUNDS[code].reviewable
    rid = denials.get_denial(office.store, office.desk, did).request_id
    # Inspection was not asked for, so the inmate's copy ground withholds the part fully.
    assert requests.get_request(office.store, office.desk, rid).status is Status.PARTIALLY_DENIED


# -- rejected reasons -------------------------------------------------------------------

REJECTED = {
    "emotional_harm": "Seeing this would cause her emotional distress",
    "may_not_understand": "The patient may not understand the results",
    "mere_possibility_of_harm": "It could possibly cause harm",
    "unpaid_bill": "The patient has an unpaid bill",
    "other_provider_records": "These records came from another provider",
    "clia_lab": "Lab results are exempt under CLIA",
}


def test_every_rejected_reason_in_the_catalogue_is_tested() -> None:
    assert set(REJECTED) == {r.code for r in INVALID_REASONS}


@pytest.mark.parametrize(("code", "text"), list(REJECTED.items()))
def test_a_rejected_reason_typed_as_a_ground_is_refused_and_explained(office, code, text) -> None:
    title = next(r.title for r in INVALID_REASONS if r.code == code)
    rid = log(office.store, office.desk)
    with pytest.raises(RuleViolation) as exc:
        denials.draft_denial(office.store, office.desk, rid, two_parts(text, facts={}))
    assert "not a ground for denying access" in exc.value.message
    assert title in exc.value.message
    assert denials.denials_for_request(office.store, office.desk, rid) == []


@pytest.mark.parametrize(("code", "text"), list(REJECTED.items()))
def test_a_rejected_reason_in_the_rationale_is_refused_at_the_field(office, code, text) -> None:
    rid = log(office.store, office.desk)
    draft = two_parts(GroundCode.LEGAL_PROCEEDING, rationale=text)
    with pytest.raises(InvalidInput) as exc:
        denials.draft_denial(office.store, office.desk, rid, draft)
    assert exc.value.field == "rationale"
    assert "not a lawful reason" in exc.value.message


def test_a_rejected_reason_as_the_harm_of_a_reviewable_ground_is_refused(office) -> None:
    facts = dict(FACTS[GroundCode.HARM_TO_OTHER_PERSON], harm="She would be upset")
    rid = log(office.store, office.desk)
    with pytest.raises(RuleViolation, match="may not understand or may be upset"):
        denials.draft_denial(
            office.store,
            office.desk,
            rid,
            two_parts(GroundCode.HARM_TO_OTHER_PERSON, facts, determiner_id=office.patel.user_id),
        )


def test_an_unknown_code_is_not_a_ground(office) -> None:
    rid = log(office.store, office.desk)
    with pytest.raises(RuleViolation, match="not a lawful ground"):
        denials.draft_denial(office.store, office.desk, rid, two_parts("doctor_said_so", facts={}))


# -- ground-specific rules --------------------------------------------------------------


@pytest.mark.parametrize(("kept", "why"), [(False, "regular chart"), (None, "Record in")])
def test_therapy_notes_not_kept_separately_cannot_be_denied(office, kept, why) -> None:
    # access-rules 10.3: notes kept in the chart are not psychotherapy notes.
    rid = log(office.store, office.desk)
    draft = two_parts(GroundCode.PSYCHOTHERAPY_NOTES, psychotherapy_notes_kept_separately=kept)
    with pytest.raises(RuleViolation, match=why):
        denials.draft_denial(office.store, office.desk, rid, draft)


def test_a_missing_fact_is_named(office) -> None:
    facts = dict(FACTS[GroundCode.RESEARCH_IN_PROGRESS])
    del facts["told_access_resumes"]
    rid = log(office.store, office.desk)
    with pytest.raises(RuleViolation, match="access will be reinstated"):
        denials.draft_denial(
            office.store, office.desk, rid, two_parts(GroundCode.RESEARCH_IN_PROGRESS, facts)
        )


def test_personal_representative_ground_needs_a_representative(office) -> None:
    rid = log(office.store, office.desk)  # the patient asked
    with pytest.raises(RuleViolation, match="only when a personal representative"):
        _draft(office, GroundCode.PERSONAL_REPRESENTATIVE_HARM, rid)


def test_inmate_ground_withholds_the_copy_only(office) -> None:
    rid = log(office.store, office.desk, access=AccessKind.BOTH)
    draft = DraftInput(
        parts=(
            PartInput(
                "p1",
                "Chart notes",
                ground="inmate_copy",
                facts=FACTS[GroundCode.INMATE_COPY],
                withholds=AccessKind.BOTH,
            ),
        )
    )
    with pytest.raises(RuleViolation, match="inspection must stay open"):
        denials.draft_denial(office.store, office.desk, rid, draft)
    draft = DraftInput(
        parts=(
            PartInput(
                "p1",
                "Chart notes",
                ground="inmate_copy",
                facts=FACTS[GroundCode.INMATE_COPY],
                withholds=AccessKind.COPY,
            ),
        )
    )
    did = denials.draft_denial(office.store, office.desk, rid, draft)
    # Inspection stays open, so the only part is not fully withheld: a partial denial.
    letter = denials.issue_denial(office.store, office.desk, did, ISSUE)
    assert "inspection of Chart notes" in pdf_text(letter.pdf)
    assert requests.get_request(office.store, office.desk, rid).status is Status.PARTIALLY_DENIED


def test_reviewable_ground_needs_a_licensed_determiner(office) -> None:
    rid = log(office.store, office.desk)
    with pytest.raises(RuleViolation, match="record who made it"):
        _draft(office, GroundCode.ENDANGERMENT, rid, determiner_id=None)
    with pytest.raises(RuleViolation, match="not licensed"):
        _draft(office, GroundCode.ENDANGERMENT, rid, determiner_id=office.desk.user_id)


# -- signing ----------------------------------------------------------------------------


def test_front_desk_cannot_sign(office) -> None:
    did = _draft(office, GroundCode.ENDANGERMENT)
    with pytest.raises(PermissionDenied, match="licensed_professional"):
        denials.sign_denial(office.store, office.desk, did, PASSWORD)


def test_only_the_routed_professional_signs_and_with_the_right_password(office) -> None:
    did = _draft(office, GroundCode.ENDANGERMENT)
    with pytest.raises(PermissionDenied, match=r"routed to Dr\. Asha Patel-Example"):
        denials.sign_denial(office.store, office.lee, did, PASSWORD)
    with pytest.raises(AuthenticationFailed, match="not signed"):
        denials.sign_denial(office.store, office.patel, did, "not the password")
    # Checked inside the signing transaction, the refusal still keeps its audit entry.
    with office.store.read() as s:
        newest = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one()
        assert (newest.action, newest.username) == ("signature_refused", "drpatel")
    d = denials.get_denial(office.store, office.desk, did)
    assert d.status is DenialStatus.AWAITING_SIGNATURE and d.signature is None
    # Re-routing hands the sign-off to another professional.
    denials.route_denial(office.store, office.desk, did, office.okafor.user_id)
    denials.sign_denial(office.store, office.okafor, did, PASSWORD)
    assert denials.get_denial(office.store, office.desk, did).signature.full_name == (
        "Dr. Chidi Okafor-Test"
    )


def test_an_issued_denial_is_final(office) -> None:
    # The denial's transitions are the domain's table: issued is final, whatever the call.
    did = _draft(office, GroundCode.ENDANGERMENT)
    denials.sign_denial(office.store, office.patel, did, PASSWORD)
    with pytest.raises(RuleViolation, match=r"is signed .*; it cannot be routed"):
        denials.route_denial(office.store, office.desk, did, office.okafor.user_id)
    denials.issue_denial(office.store, office.desk, did, ISSUE)
    with pytest.raises(RuleViolation, match=f"Denial {did} is already issued"):
        denials.discard_denial(office.store, office.desk, did, "Changed our mind")
    with pytest.raises(RuleViolation, match="already issued"):
        denials.issue_denial(office.store, office.desk, did, ISSUE)
    assert denials.get_denial(office.store, office.desk, did).status is DenialStatus.ISSUED


def test_the_signature_is_printed_with_the_licence(office) -> None:
    did = _draft(office, GroundCode.ENDANGERMENT)
    denials.sign_denial(office.store, office.patel, did, PASSWORD)
    text = pdf_text(denials.issue_denial(office.store, office.desk, did, ISSUE).pdf)
    assert "Dr. Asha Patel-Example" in text
    assert "MD, licence MD-12345; signed electronically" in text


# -- issuing ----------------------------------------------------------------------------


def test_a_letter_missing_an_element_is_refused_naming_it(store, admin, desk) -> None:
    # No complaint contact set: contact and phone named (each once, as the rule states
    # them), nothing issued.
    rid = log(store, desk)
    did = denials.draft_denial(store, desk, rid, two_parts(GroundCode.LEGAL_PROCEEDING))
    with pytest.raises(RuleViolation) as exc:
        denials.issue_denial(store, desk, did, ISSUE)
    msg = exc.value.message
    assert "complain to at the practice" in msg
    assert "telephone number" in msg
    assert msg.count("name or title") == 1 and msg.count("phone") == 1
    assert denials.get_denial(store, desk, did).status is DenialStatus.DRAFT
    assert requests.get_request(store, desk, rid).status is Status.RECEIVED


def test_a_portal_request_without_a_postal_address_can_be_denied(office) -> None:
    # The acknowledgement of such a request goes by the portal; so does its denial.
    rid = log(office.store, office.desk, delivery=Delivery.PORTAL, mail_address="")
    did = denials.draft_denial(
        office.store, office.desk, rid, two_parts(GroundCode.LEGAL_PROCEEDING)
    )
    composed = denials.compose_letter(office.store, office.desk, did, ISSUE)
    assert composed.missing == []
    letter = denials.issue_denial(office.store, office.desk, did, ISSUE)
    assert "Delivered through the patient portal" in pdf_text(letter.pdf)
    (issued,) = letters.list_letters(office.store, office.desk, rid)
    assert issued.kind is LetterKind.PARTIAL_DENIAL and not issued.postal
    with pytest.raises(RuleViolation, match="no postal address"):
        letters.record_mailing(
            office.store, office.desk, issued.id, "first_class", ISSUE, today=ISSUE
        )
    sent = letters.record_mailing(
        office.store, office.desk, issued.id, "portal", ISSUE, today=ISSUE
    )
    assert sent.in_time is True


@pytest.mark.parametrize("code", [GroundCode.LEGAL_PROCEEDING, GroundCode.ENDANGERMENT])
def test_a_denial_letter_carries_the_practice_logo(office, tmp_path, code) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(tiny_png())
    letters.set_logo_path(office.store, office.admin, str(logo))
    did = _draft(office, code)
    if GROUNDS[code].reviewable:
        denials.sign_denial(office.store, office.patel, did, PASSWORD)
    assert (
        denials.compose_letter(office.store, office.desk, did, ISSUE).data.letterhead.logo_path
        == logo
    )
    letter = denials.issue_denial(office.store, office.desk, did, ISSUE)
    assert pdf_image_count(letter.pdf) == 1


def test_a_late_denial_is_refused(office) -> None:
    did = _draft(office, GroundCode.LEGAL_PROCEEDING)
    with pytest.raises(RuleViolation, match="late: it had to be issued by 2026-03-02"):
        denials.issue_denial(office.store, office.desk, did, dt.date(2026, 3, 3))
    # On the due date itself it issues.
    denials.issue_denial(office.store, office.desk, did, dt.date(2026, 3, 2))
    assert denials.get_denial(office.store, office.desk, did).status is DenialStatus.ISSUED


def test_an_extended_due_date_is_the_deadline(office) -> None:
    rid = log(office.store, office.desk)
    requests.extend(
        office.store,
        office.desk,
        rid,
        dt.date(2026, 2, 20),
        "Off-site storage",
        dt.date(2026, 3, 20),
    )
    did = _draft(office, GroundCode.LEGAL_PROCEEDING, rid)
    # After the 30-day due date (2026-03-02), before the extended one: still in time.
    with pytest.raises(RuleViolation, match="late: it had to be issued by 2026-03-20"):
        denials.issue_denial(office.store, office.desk, did, dt.date(2026, 3, 21))
    denials.issue_denial(office.store, office.desk, did, dt.date(2026, 3, 15))
    assert denials.get_denial(office.store, office.desk, did).status is DenialStatus.ISSUED
    # _draft denies one part of two: the request is partly denied, the rest provided.
    assert requests.get_request(office.store, office.desk, rid).status is Status.PARTIALLY_DENIED


def test_full_denial_closes_the_request_with_timeline_and_audit(office) -> None:
    rid = log(office.store, office.desk)
    draft = DraftInput(
        parts=(
            PartInput(
                "all",
                "Litigation file",
                ground="legal_proceeding",
                facts=FACTS[GroundCode.LEGAL_PROCEEDING],
            ),
        ),
        other_holder="Example County Court records office, 1 Court St, Springfield, OR",
    )
    did = denials.draft_denial(office.store, office.desk, rid, draft)
    letter = denials.issue_denial(office.store, office.desk, did, ISSUE)
    assert letter.kind.value == "denial"
    text = pdf_text(letter.pdf)
    assert "We cannot give you the records described below" in text
    assert "Example County Court records office" in text  # 524(d)(3)
    r = requests.get_request(office.store, office.desk, rid)
    assert r.status is Status.DENIED
    assert any("Denial" in e.summary and "issued" in e.summary for e in r.timeline)
    assert audit_service.verify(office.store, office.admin).ok
    assert denials.letter_pdf(office.store, office.desk, did) == letter.pdf


def test_only_an_open_request_can_be_denied_and_one_draft_at_a_time(office) -> None:
    rid = log(office.store, office.desk)
    _draft(office, GroundCode.LEGAL_PROCEEDING, rid)
    with pytest.raises(RuleViolation, match="already has denial"):
        _draft(office, GroundCode.LEGAL_PROCEEDING, rid)
    other = log(office.store, office.desk)
    requests.withdraw(office.store, office.desk, other, dt.date(2026, 2, 2), "No longer needed")
    with pytest.raises(RuleViolation, match="only an open request"):
        _draft(office, GroundCode.LEGAL_PROCEEDING, other)


def test_only_a_privacy_officer_sets_the_complaint_contact(office) -> None:
    with pytest.raises(PermissionDenied):
        denials.set_complaint_contact(office.store, office.desk, "Front desk", "555-010-0100")
    with pytest.raises(InvalidInput, match="7 digits"):
        denials.set_complaint_contact(office.store, office.admin, "Privacy Officer", "12")


@pytest.mark.parametrize("partial", [False, True])
def test_denial_letters_carry_every_required_element(office, partial) -> None:
    # 164.524(d)(2)(i)-(iii), (d)(3), (d)(1); 160.306(b)(3).
    rid = log(office.store, office.desk)
    parts = [
        PartInput(
            "p2", "Note of 2024-03-05", ground="endangerment", facts=FACTS[GroundCode.ENDANGERMENT]
        )
    ]
    if partial:
        parts.insert(0, PartInput("p1", "Visit notes 2020-2025"))
    did = denials.draft_denial(
        office.store,
        office.desk,
        rid,
        DraftInput(
            parts=tuple(parts),
            determiner_id=office.patel.user_id,
            other_holder="Prairie Behavioral Health, 77 Oak Street",
        ),
    )
    denials.sign_denial(office.store, office.patel, did, PASSWORD)
    letter = denials.issue_denial(office.store, office.desk, did, ISSUE)
    text = pdf_text(letter.pdf)
    assert letter.kind.value == ("partial_denial" if partial else "denial")
    assert "likely to put your life or physical safety" in text  # the basis
    assert "right to ask for a review" in text  # the review right
    assert "To ask for a review: write to the Privacy Officer" in text  # and how
    assert "contact the Privacy Officer at 555-010-0199" in text  # complaint to the practice
    assert "Department of Health and Human Services" in text and "180 days" in text
    assert "Prairie Behavioral Health" in text  # 524(d)(3)
    assert ("What we are giving you: Visit notes 2020-2025" in text) is partial
    assert "MD, licence MD-12345" in text  # the signature, printed


def test_denial_letter_is_frozen_with_the_requests_letters_and_its_mailing_checked(office) -> None:
    from accessdesk_gui.services import letters

    did = _draft(office, GroundCode.PSYCHOTHERAPY_NOTES)
    issued = denials.issue_denial(office.store, office.desk, did, ISSUE)
    rid = denials.get_denial(office.store, office.desk, did).request_id
    listed = letters.list_letters(office.store, office.desk, rid)
    assert [(item.kind.value, item.sha256) for item in listed] == [
        ("partial_denial", issued.sha256)
    ]
    assert letters.original_pdf(office.store, office.desk, listed[0].id) == issued.pdf


@pytest.mark.parametrize(("kept", "allowed"), [(True, True), (False, False)])
def test_the_record_set_map_decides_whether_therapy_notes_can_be_excepted(
    office, kept, allowed
) -> None:
    # 10.3: when the user does not say, the map in force says where therapy notes are kept.
    import dataclasses

    from accessdesk_gui.domain import drs_catalogue
    from accessdesk_gui.services import drs as drs_service

    base = drs_catalogue.demo_map()
    others = tuple(
        c for c in base.categories if c.code != drs_catalogue.psychotherapy_notes(True).code
    )
    proposed = dataclasses.replace(
        base, categories=(*others, drs_catalogue.psychotherapy_notes(kept))
    )
    drs_service.save_map(
        office.store,
        office.admin,
        proposed,
        dt.date(2026, 1, 1),
        accept_gaps=True,
        today=dt.date(2026, 1, 1),
    )
    rid = log(office.store, office.desk)
    draft = two_parts(GroundCode.PSYCHOTHERAPY_NOTES, psychotherapy_notes_kept_separately=None)
    if allowed:
        assert denials.draft_denial(office.store, office.desk, rid, draft) > 0
    else:
        with pytest.raises(RuleViolation, match="regular chart"):
            denials.draft_denial(office.store, office.desk, rid, draft)


def test_awaiting_sign_off_view_lists_denials_to_sign_and_reviews_to_decide(office) -> None:
    from accessdesk_gui.services import review
    from accessdesk_gui.services.requests import Query, View

    def waiting() -> list[int]:
        q = Query(view=View.AWAITING_SIGN_OFF, today=ISSUE)
        return [row.id for row in requests.list_requests(office.store, office.desk, q)]

    did = _draft(office, GroundCode.ENDANGERMENT)
    rid = denials.get_denial(office.store, office.desk, did).request_id
    assert waiting() == [rid]  # routed to Dr. Patel for the determination
    denials.sign_denial(office.store, office.patel, did, PASSWORD)
    assert waiting() == []
    denials.issue_denial(office.store, office.desk, did, ISSUE)
    review.request_review(office.store, office.desk, did, ISSUE + dt.timedelta(days=3))
    assert waiting() == [rid]  # a review asked for and not decided
    assert (
        requests.count_requests(
            office.store, office.desk, Query(view=View.AWAITING_SIGN_OFF, today=ISSUE)
        )
        == 1
    )


def test_audit_report_by_patient_includes_letters_and_denials(office) -> None:
    did = _draft(office, GroundCode.LEGAL_PROCEEDING)
    denials.issue_denial(office.store, office.desk, did, ISSUE)
    rid = denials.get_denial(office.store, office.desk, did).request_id
    name = requests.get_request(office.store, office.desk, rid).patient_name
    report = audit_service.report(office.store, office.admin, patient=name)
    actions = {row.action for row in report.rows if row.patient_ref == f"request:{rid}"}
    # Changes to the request's denial and its frozen letter count as this patient's record.
    assert {"denial_drafted", "denial_issued", "letter_issued"} <= actions


def test_denial_letter_is_in_the_requesters_preferred_language(office) -> None:
    rid = log(office.store, office.desk, preferred_language="es")
    did = _draft(office, GroundCode.ENDANGERMENT, rid)
    denials.sign_denial(office.store, office.patel, did, PASSWORD)
    letter = denials.issue_denial(office.store, office.desk, did, ISSUE)
    text = pdf_text(letter.pdf)
    assert "Nuestra respuesta a su solicitud" in text
    assert "No hay plazo para pedirla" in text  # how to ask for review, in Spanish
    assert "Notes of 2024-03-05" in text  # staff-typed descriptions stay as typed
    assert "Our answer to your request" not in text
