import pytest

from accessdesk_gui.services import practice
from accessdesk_gui.services.errors import InvalidInput, SetupError
from tests.conftest import PASSWORD


def test_set_up_records_practice_and_admin(store) -> None:
    admin = practice.set_up(
        store,
        practice.PracticeInfo("Clinic Zoë", "1 Rue\nTown", "(555) 010-1234", "ca"),
        "boss",
        "Nguyễn Boss",
        PASSWORD,
    )
    assert practice.get_practice(store).state == "CA"
    assert admin.has(practice.Role.PRIVACY_OFFICER)
    with pytest.raises(SetupError, match="already set up"):
        practice.set_up(
            store, practice.PracticeInfo("B", "x", "5550101234", "CA"), "b", "B", PASSWORD
        )


@pytest.mark.parametrize(
    ("info", "field"),
    [
        (practice.PracticeInfo("", "addr", "5550101234", "CA"), "practice_name"),
        (practice.PracticeInfo("A", "", "5550101234", "CA"), "address"),
        (practice.PracticeInfo("A", "addr", "12", "CA"), "phone"),
        (practice.PracticeInfo("A", "addr", "5550101234", "XX"), "state"),
        (practice.PracticeInfo("A", "addr", "5550101234", ""), "state"),
    ],
)
def test_bad_practice_details_name_the_field(store, info, field) -> None:
    with pytest.raises(InvalidInput) as err:
        practice.set_up(store, info, "boss", "Boss", PASSWORD)
    assert err.value.field == field
    assert not practice.is_set_up(store)
