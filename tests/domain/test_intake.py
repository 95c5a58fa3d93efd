import datetime as dt

import pytest

from accessdesk_gui.domain.errors import InvalidInput
from accessdesk_gui.domain.intake import (
    Delivery,
    RequesterKind,
    check_intake,
    fold_for_search,
    parse_date,
)
from tests.conftest import make_intake

TODAY = dt.date(2026, 2, 1)


@pytest.mark.parametrize("name", ["Zoë Nguyễn-O'Brien", "李小明", "محمد الأحمد", "O'Brien", "Ng"])
def test_names_in_any_script_are_kept(name: str) -> None:
    assert check_intake(make_intake(patient_name=name), TODAY).patient_name == name


def test_name_is_normalised_so_both_spellings_match() -> None:
    decomposed = "Zoe\u0308 Test"  # e + combining diaeresis
    assert check_intake(make_intake(patient_name=decomposed), TODAY).patient_name == "Zoë Test"


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"patient_name": ""}, "patient_name"),
        ({"patient_name": "   "}, "patient_name"),
        ({"patient_name": "x" * 201}, "patient_name"),
        ({"patient_name": "12345"}, "patient_name"),
        ({"received": dt.date(2026, 2, 2)}, "received"),
        ({"patient_dob": dt.date(2026, 2, 1)}, "patient_dob"),
        ({"patient_dob": dt.date(1850, 1, 1)}, "patient_dob"),
        ({"scope": ""}, "scope"),
        ({"scope": "x" * 5000}, "scope"),
        ({"requester_kind": RequesterKind.PERSONAL_REPRESENTATIVE}, "requester_name"),
        (
            {"requester_kind": RequesterKind.PERSONAL_REPRESENTATIVE, "requester_name": "Pat"},
            "requester_relationship",
        ),
        ({"delivery": Delivery.MAIL}, "mail_address"),
        ({"delivery": Delivery.EMAIL, "email": "not an email"}, "email"),
    ],
)
def test_bad_input_names_the_field(kw: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        check_intake(make_intake(**kw), TODAY)
    assert err.value.field == field


def test_individual_requester_defaults_to_patient() -> None:
    assert check_intake(make_intake(), TODAY).requester_name == "Zoë Testperson"


@pytest.mark.parametrize(
    ("text", "found_in"),
    [("nguyen", "Nguyễn Thị"), ("zoe", "Zoë"), ("ZOË", "zoe"), ("nguyễn", "NGUYEN")],
)
def test_search_folding_ignores_accents_both_ways(text: str, found_in: str) -> None:
    assert fold_for_search(text) in fold_for_search(found_in)


@pytest.mark.parametrize("text", ["2026-13-01", "01/02/2026", "yesterday", "2026-02-30"])
def test_malformed_dates_are_refused_with_the_format(text: str) -> None:
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        parse_date("received", text)
