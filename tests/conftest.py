"""Shared fixtures. Qt runs offscreen; set before any Qt import (pytest-qt imports it late)."""

from __future__ import annotations

import atexit
import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Store keys go to a test keyring (tests/keyring_backend.py), never the developer's own;
# subprocesses inherit it, and share keys through a file in the test's temporary folder.
os.environ["PYTHON_KEYRING_BACKEND"] = "tests.keyring_backend.MemoryKeyring"
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
from accessdesk_gui.services import auth, practice
from accessdesk_gui.store.db import Store
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


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "store.sqlite", create=True)
    yield s
    s.close()


@pytest.fixture
def admin(store: Store) -> auth.Actor:
    return practice.set_up(
        store,
        practice.PracticeInfo(
            "Test Clinic", "1 Test St\nTestville, OR 97000", "555-010-0199", "OR"
        ),
        "admin",
        "Ada Admin",
        PASSWORD,
    )


@pytest.fixture
def desk(store: Store, admin: auth.Actor) -> auth.Actor:
    return auth.add_user(store, admin, "desk", "Dee Desk", PASSWORD, {Role.FRONT_DESK})


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
