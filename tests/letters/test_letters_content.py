"""What a patient, a reviewer of the practice, or the regulation needs from each letter."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from types import MappingProxyType

import pytest
from pypdf import PdfReader

from accessdesk_gui.domain.denials import GroundCode
from accessdesk_gui.domain.review import ReviewOutcome
from accessdesk_gui.letters import (
    COMMON_ELEMENTS,
    REQUIRED_ELEMENTS,
    LetterIncomplete,
    LetterInvalid,
    LetterKind,
    ReleaseItem,
    missing_elements,
    render_letter,
    unmet_elements,
)
from accessdesk_gui.letters.samples import sample_letter
from accessdesk_gui.letters.texts import TEXTS

from .conftest import page_texts

LANGS = ("en", "es")


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("language", LANGS)
@pytest.mark.parametrize("kind", list(LetterKind))
def test_every_kind_renders_in_both_languages(kind: LetterKind, language: str) -> None:
    pdf = render_letter(sample_letter(kind, language))
    assert pdf.startswith(b"%PDF")
    text = _flat(" ".join(page_texts(pdf)))
    assert _flat(TEXTS[language][kind.value]["subject"]) in text
    assert _flat(TEXTS[language]["closing"]) in text
    assert "Dana Whitfield" in text


@pytest.mark.parametrize("kind", list(LetterKind))
def test_sample_letters_are_complete(kind: LetterKind) -> None:
    assert missing_elements(sample_letter(kind)) == []


_KIND_ELEMENTS = [
    (kind, element) for kind, elements in REQUIRED_ELEMENTS.items() for element in elements
]


@pytest.mark.parametrize(
    ("kind", "element"), _KIND_ELEMENTS, ids=[f"{k.value}-{e.key}" for k, e in _KIND_ELEMENTS]
)
def test_removing_a_required_element_names_it(kind, element) -> None:
    data = sample_letter(kind)
    fields = {k: v for k, v in data.fields.items() if k != element.key}
    incomplete = dataclasses.replace(data, fields=MappingProxyType(fields))
    assert element.label in missing_elements(incomplete)
    with pytest.raises(LetterIncomplete) as info:
        render_letter(incomplete)
    assert element.label in str(info.value)


@pytest.mark.parametrize("element", COMMON_ELEMENTS, ids=[e.key for e in COMMON_ELEMENTS])
def test_blank_common_element_is_named(element) -> None:
    data = sample_letter(LetterKind.ACKNOWLEDGEMENT)
    path = element.key.split(".")
    blank: object = () if path[-1] == "address_lines" else "  "
    if len(path) == 2:
        inner = dataclasses.replace(getattr(data, path[0]), **{path[1]: blank})
        data = dataclasses.replace(data, **{path[0]: inner})
    else:
        data = dataclasses.replace(data, **{path[0]: blank})
    with pytest.raises(LetterIncomplete) as info:
        render_letter(data)
    assert element.label in str(info.value)


def test_every_missing_element_is_named_at_once() -> None:
    data = dataclasses.replace(
        sample_letter(LetterKind.EXTENSION), fields=MappingProxyType({}), request_number=""
    )
    with pytest.raises(LetterIncomplete) as info:
        render_letter(data)
    message = str(info.value)
    for label in (
        "the request number",
        "the date the request was received",
        "the reasons for the delay",
        "the date by which the practice will act",
    ):
        assert label in message


def test_empty_list_counts_as_missing() -> None:
    data = sample_letter(LetterKind.CLARIFICATION, unclear_points=["", "  "])
    assert "what is unclear about the request" in missing_elements(data)


# --- denial family: 164.524(d)(2)-(3) ------------------------------------------------


@pytest.mark.parametrize("language", LANGS)
def test_every_ground_of_the_catalogue_has_its_letter_text(language: str) -> None:
    # One catalogue: the letter explains exactly the domain's grounds, keyed by their codes.
    assert set(TEXTS[language]["grounds"]) == set(GroundCode)
    for code in GroundCode:
        data = sample_letter(
            LetterKind.DENIAL, language, denial_grounds=(code,), review_how="call us."
        )
        text = _flat(" ".join(page_texts(render_letter(data))))
        assert _flat(TEXTS[language]["grounds"][code])[:60] in text


def test_reviewable_denial_needs_how_to_ask_for_review() -> None:
    data = sample_letter(
        LetterKind.DENIAL,
        denial_grounds=(GroundCode.ENDANGERMENT,),
    )
    assert "how to ask for a review" in missing_elements(data)


def test_unreviewable_denial_does_not_offer_review() -> None:
    data = sample_letter(LetterKind.DENIAL)  # psychotherapy notes: 164.524(a)(1)(i)
    assert "how to ask for a review" not in missing_elements(data)
    text = _flat(" ".join(page_texts(render_letter(data))))
    assert "right to ask for a review" not in text


def test_reviewable_denial_states_review_right_and_how() -> None:
    data = sample_letter(
        LetterKind.DENIAL,
        denial_grounds=(GroundCode.PERSONAL_REPRESENTATIVE_HARM,),
        review_how="write to the Privacy Officer.",
        knows_other_holder=False,
    )
    text = _flat(" ".join(page_texts(render_letter(data))))
    assert "You have the right to ask for a review" in text
    assert "write to the Privacy Officer." in text


@pytest.mark.parametrize("language", LANGS)
def test_denial_has_complaint_routes_and_180_days(language: str) -> None:
    text = _flat(" ".join(page_texts(render_letter(sample_letter(LetterKind.DENIAL, language)))))
    assert "the Privacy Officer" in text and "(217) 555-0142" in text
    assert "www.hhs.gov/ocr/complaints" in text
    assert ("180 days" if language == "en" else "180 días") in text


def test_other_holder_required_only_when_known() -> None:
    unknown = sample_letter(LetterKind.DENIAL, knows_other_holder=False, other_holder="")
    assert missing_elements(unknown) == []
    assert "We believe it is kept by" not in " ".join(page_texts(render_letter(unknown)))
    known = sample_letter(LetterKind.DENIAL, knows_other_holder=True, other_holder="")
    assert missing_elements(known) == ["who holds the information and where to send the request"]


def test_a_denial_is_checked_by_the_domains_rule_each_element_once() -> None:
    # 164.524(d)(2)(iii), 164.530(d): a complaint phone needs a number one can call.
    data = sample_letter(LetterKind.DENIAL, complaint_phone="call us", complaint_contact="")
    missing = unmet_elements(data)
    assert [e.label for e in missing] == [
        "the name or title of the person who takes complaints",
        "the phone number for complaints",
    ]
    assert "164.530(d)" in missing[0].sentence
    with pytest.raises(LetterIncomplete, match="the phone number for complaints"):
        render_letter(data)


def test_a_ground_outside_the_catalogue_is_named() -> None:
    data = sample_letter(LetterKind.DENIAL, denial_grounds=("patient_might_be_upset",))
    assert missing_elements(data) == [
        "the basis for the denial",
        "a lawful ground in place of 'patient_might_be_upset' (45 CFR 164.524(a)(1)-(3))",
    ]


def test_partial_denial_says_what_is_released() -> None:
    text = _flat(" ".join(page_texts(render_letter(sample_letter(LetterKind.PARTIAL_DENIAL)))))
    assert "What we are giving you: all visit notes" in text


@pytest.mark.parametrize(
    ("outcome", "needs_complaint", "needs_released"),
    [
        (ReviewOutcome.UPHOLD, True, False),
        (ReviewOutcome.REVERSE, False, False),
        (ReviewOutcome.PARTLY_REVERSE, True, True),
    ],
)
def test_review_determination_requirements_follow_outcome(
    outcome, needs_complaint, needs_released
) -> None:
    data = sample_letter(
        LetterKind.REVIEW_DETERMINATION,
        outcome=outcome,
        complaint_contact="",
        complaint_phone="",
        released_description="",
    )
    missing = missing_elements(data)
    assert ("the phone number for complaints" in missing) is needs_complaint
    assert ("what is being released" in missing) is needs_released


def test_review_determination_names_reviewer_and_licence() -> None:
    pdf = render_letter(sample_letter(LetterKind.REVIEW_DETERMINATION, outcome="uphold"))
    text = _flat(" ".join(page_texts(pdf)))
    assert "Dr. Priya Raman" in text and "Illinois license 036-112233" in text
    assert "The reviewer agreed with the first decision." in text


# --- timing rules stated in letters ----------------------------------------------------


def test_clarification_says_the_clock_keeps_running() -> None:
    text = _flat(" ".join(page_texts(render_letter(sample_letter(LetterKind.CLARIFICATION)))))
    assert "Our deadline does not stop while we wait for your answer" in text
    assert "April 2, 2025" in text


def test_extension_states_reasons_and_date() -> None:
    text = _flat(" ".join(page_texts(render_letter(sample_letter(LetterKind.EXTENSION, "es")))))
    assert "Part of your record from before 2015" in text
    assert "2 de mayo de 2025" in text


def test_extension_beyond_60_days_is_refused() -> None:
    data = sample_letter(LetterKind.EXTENSION, act_by_date=dt.date(2025, 5, 3))
    with pytest.raises(LetterInvalid, match="60 days"):
        render_letter(data)


def test_extension_notice_after_day_30_is_refused() -> None:
    data = dataclasses.replace(sample_letter(LetterKind.EXTENSION), letter_date=dt.date(2025, 4, 3))
    with pytest.raises(LetterInvalid, match="within 30 days"):
        render_letter(data)


def test_acknowledgement_fee_only_when_estimated() -> None:
    with_fee = _flat(" ".join(page_texts(render_letter(sample_letter(LetterKind.ACKNOWLEDGEMENT)))))
    assert "$6.50" in with_fee
    no_fee = render_letter(sample_letter(LetterKind.ACKNOWLEDGEMENT, fee_estimate=None))
    assert "estimate the cost" not in " ".join(page_texts(no_fee))


# --- release list ------------------------------------------------------------------------


def test_release_list_has_category_dates_and_count_per_line() -> None:
    text = _flat(" ".join(page_texts(render_letter(sample_letter(LetterKind.RECORDS_READY)))))
    assert "Office visit notes" in text
    assert "January 1, 2021 to December 31, 2024" in text
    assert "42 pages" in text and "3 files" in text and "1 page" in text


def test_release_line_without_count_is_named() -> None:
    items = (ReleaseItem("Lab results", dt.date(2023, 1, 1), dt.date(2023, 2, 1), 0),)
    data = sample_letter(LetterKind.RECORDS_READY, release_items=items)
    assert missing_elements(data) == ["the page or file count on release list line 1"]


def test_email_risk_letter_has_a_signable_choice() -> None:
    text = _flat(" ".join(page_texts(render_letter(sample_letter(LetterKind.EMAIL_RISK)))))
    assert "I understand the risks. I still want my records sent" in text
    assert "zoe.obrien@example.com" in text
    assert "Signature" in text


def test_markup_characters_in_data_are_printed_literally() -> None:
    data = sample_letter(LetterKind.CLARIFICATION, unclear_points=["Records <b>A</b> & B?"])
    assert "Records <b>A</b> & B?" in " ".join(page_texts(render_letter(data)))


def test_pdf_is_us_letter() -> None:
    page = PdfReader(io.BytesIO(render_letter(sample_letter(LetterKind.DENIAL)))).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == (612.0, 792.0)
