"""Shared fixtures. Qt runs offscreen; set before any Qt import (pytest-qt imports it late)."""

from __future__ import annotations

import atexit
import datetime as dt
import os
import secrets
import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Store keys go to a test keyring (tests/keyring_backend.py), never the developer's own;
# subprocesses inherit it, and share keys through a file in the test's temporary folder.
# The class named here is that keyring, in tests/fixtures/cheap_hashing.py: loaded in a
# child process, it also installs cheap argon2 parameters because of the test-only
# ACCESSDESK_TEST_CHEAP_HASHES=1 (the application never reads it; see that module).
os.environ["PYTHON_KEYRING_BACKEND"] = "tests.fixtures.cheap_hashing.MemoryKeyring"
os.environ["ACCESSDESK_TEST_CHEAP_HASHES"] = "1"
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH")) if p
)

import keyring
import pytest

from accessdesk_gui.domain.deadlines import AccessKind
from accessdesk_gui.domain.intake import (
    Delivery,
    Format,
    Intake,
    RequesterKind,
    Verification,
    VerificationMethod,
)
from accessdesk_gui.domain.roles import Role
from accessdesk_gui.services import auth, passwords, practice
from accessdesk_gui.store import keys
from accessdesk_gui.store.db import Store
from tests.fixtures import cheap_hashing
from tests.keyring_backend import FILE_ENV, MemoryKeyring

PASSWORD = "correct horse battery"  # a test-only passphrase


# One file for the session (entries are per store path, and every test's path is new), so
# module-scoped fixtures that run the command line keep their keys too. Child processes
# that import this module keep their parent's file.
if FILE_ENV not in os.environ:
    _KEYRING_DIR = tempfile.mkdtemp(prefix="accessdesk-test-keyring-")
    atexit.register(shutil.rmtree, _KEYRING_DIR, True)
    os.environ[FILE_ENV] = os.path.join(_KEYRING_DIR, "keyring.json")


@pytest.fixture(autouse=True)
def test_keyring() -> MemoryKeyring:
    kr = MemoryKeyring()
    keyring.set_keyring(kr)
    return kr


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashes() -> Iterator[None]:
    """Cheap argon2 parameters for every test; tests/security/test_password_hashing.py checks
    production's. Hashes record their parameters, so every hash still verifies."""
    passwords.use_hasher(cheap_hashing.cheap_hasher())
    yield
    passwords.use_hasher(None)


STANDARD_PRACTICE = practice.PracticeInfo(
    "Test Clinic", "1 Test St\nTestville, OR 97000", "555-010-0199", "OR"
)


def _set_up_admin(store: Store) -> auth.Actor:
    return practice.set_up(store, STANDARD_PRACTICE, "admin", "Ada Admin", PASSWORD)


def _add_desk(store: Store, admin: auth.Actor) -> auth.Actor:
    return auth.add_user(store, admin, "desk", "Dee Desk", PASSWORD, {Role.FRONT_DESK})


def _add_office(store: Store, made: dict[str, auth.Actor]) -> dict[str, auth.Actor]:
    from tests.denialflow_support import add_office_staff

    return add_office_staff(store, made["admin"])


_Build = Callable[[Store, dict[str, auth.Actor]], dict[str, auth.Actor]]
# Each set-up level: the level below it, and what it adds (returning the users it made).
_LEVELS: dict[str, tuple[str, _Build]] = {
    "admin": ("migrated", lambda s, made: {"admin": _set_up_admin(s)}),
    "desk": ("admin", lambda s, made: {"desk": _add_desk(s, made["admin"])}),
    "office": ("desk", _add_office),
}


class StoreTemplates:
    """Stores made once per session and copied for each test, instead of running Alembic and
    the practice set-up in every test. Each level is the one below plus what a fixture adds:
    "migrated" (a new store at head), "admin" (the practice and its privacy officer, as the
    admin fixture makes them), "desk" (and the front desk user), "office" (and the
    physicians and settings of tests/denialflow_support.set_up_office). A copy is a new
    file of its own: tests stay as isolated as with a store made from nothing."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.key = keys.StoreKey.raw(secrets.token_bytes(keys.KEY_BYTES))
        self._actors: dict[str, dict[str, auth.Actor]] = {}

    def _path(self, level: str) -> Path:
        return self.folder / f"{level}.sqlite"

    def _open(self, level: str, create: bool = False) -> Store:
        return Store.open(self._path(level), create, keys.FixedKeyProvider(self.key))

    def actors(self, level: str) -> dict[str, auth.Actor]:
        """The users a level's template holds (making the template on first use)."""
        if level not in self._actors:
            if level == "migrated":
                self._open(level, create=True).close()
                made: dict[str, auth.Actor] = {}
            else:
                below, build = _LEVELS[level]
                made = dict(self.actors(below))
                shutil.copyfile(self._path(below), self._path(level))
                s = self._open(level)
                made.update(build(s, made))
                s.close()
            # Closed: no -wal file is left, the whole store is in the one file copied.
            assert not self._path(level).with_name(f"{level}.sqlite-wal").exists()
            self._actors[level] = made
        return self._actors[level]

    def copy(self, level: str, path: Path) -> tuple[Store, dict[str, auth.Actor]]:
        """A store at path as ``Store.open(path, create=True)`` plus the level's set-up would
        leave it: private to this account, its key in the test keyring under its own path."""
        actors = self.actors(level)
        shutil.copyfile(self._path(level), path)
        path.chmod(0o600)
        keys.save_key(path, self.key)
        return Store.open(path), actors


@pytest.fixture(scope="session")
def store_templates(tmp_path_factory: pytest.TempPathFactory) -> StoreTemplates:
    return StoreTemplates(tmp_path_factory.mktemp("templates"))


# The users each test's store already holds, when it was copied from a set-up template.
_PREPARED: weakref.WeakKeyDictionary[Store, dict[str, auth.Actor]] = weakref.WeakKeyDictionary()


@pytest.fixture
def store(
    request: pytest.FixtureRequest, tmp_path: Path, store_templates: StoreTemplates
) -> Iterator[Store]:
    # The closure of the test's fixtures says whether admin and desk will be asked for; if
    # so the copy already holds them (those fixtures then return them instead of adding).
    needs = set(request.fixturenames)
    level = next((lv for lv in ("office", "desk", "admin") if lv in needs), "migrated")
    s, actors = store_templates.copy(level, tmp_path / "store.sqlite")
    _PREPARED[s] = actors
    yield s
    s.close()


def prepared_actors(store: Store) -> dict[str, auth.Actor]:
    """The users already in a store copied from a template (none for any other store)."""
    return _PREPARED.get(store, {})


@pytest.fixture
def admin(store: Store) -> auth.Actor:
    return prepared_actors(store).get("admin") or _set_up_admin(store)


@pytest.fixture
def desk(store: Store, admin: auth.Actor) -> auth.Actor:
    return prepared_actors(store).get("desk") or _add_desk(store, admin)


def make_intake(**kw: object) -> Intake:
    base: dict[str, object] = dict(
        patient_name="Zoë Testperson",
        patient_dob=dt.date(1980, 1, 2),
        received=dt.date(2026, 1, 31),
        requester_kind=RequesterKind.INDIVIDUAL,
        scope="All records",
        access=AccessKind.COPY,
        format=Format.ELECTRONIC,
        delivery=Delivery.PORTAL,
    )
    base.update(kw)
    if "verification" not in kw:
        # Most tests are about other things: the requester is verified on the day received.
        base["verification"] = Verification(VerificationMethod.PHOTO_ID, base["received"])  # type: ignore[arg-type]
    return Intake(**base)  # type: ignore[arg-type]
