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


def test_a_set_up_that_fails_leaves_no_first_user_behind(store, monkeypatch) -> None:
    # Practice and first user are one transaction: if the practice cannot be recorded, the
    # user is not kept either, so 'accessdesk init' can simply be run again.
    from accessdesk_gui.services import auth
    from accessdesk_gui.store import audit

    real_append = audit.append

    def failing(s, username, action, *args, **kw):
        if action == "practice_set_up":
            raise OSError("disk full")
        return real_append(s, username, action, *args, **kw)

    monkeypatch.setattr(audit, "append", failing)
    info = practice.PracticeInfo("Clinic", "1 Main St", "5550101234", "OR")
    with pytest.raises(OSError, match="disk full"):
        practice.set_up(store, info, "boss", "Boss Person", PASSWORD)
    monkeypatch.undo()
    assert not practice.is_set_up(store)
    admin = practice.set_up(store, info, "boss", "Boss Person", PASSWORD)
    assert [u.username for u in auth.list_users(store, admin)] == ["boss"]
