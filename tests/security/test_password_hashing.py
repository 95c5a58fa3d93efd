"""Password hashing: production parameters by default, cheap ones only inside the tests.

Every other test runs with the cheap hasher (tests/fixtures/cheap_hashing.py); these check
that a real install hashes with the production parameters, that no setting outside the
code changes them, and that a hash is never remade weaker (164.312(d)).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher, Type, extract_parameters, profiles
from sqlalchemy import select

import accessdesk_gui
from accessdesk_gui.services import auth, passwords
from accessdesk_gui.store.db import Store, connect_raw
from accessdesk_gui.store.models import User
from tests.conftest import PASSWORD
from tests.fixtures import cheap_hashing

OWASP_MIN_MEMORY_KIB = 19 * 1024  # OWASP Password Storage Cheat Sheet, argon2id minimum
OWASP_MIN_PASSES = 2


def _child(code: str, **env: str) -> str:
    r = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_a_real_process_hashes_with_the_production_parameters_whatever_the_environment() -> None:
    # The test-only variable is set here (conftest sets it for every child) and ignored:
    # without the test keyring module imported, the application's own defaults apply.
    assert os.environ[cheap_hashing.ENV] == "1"
    out = _child(
        "from argon2 import extract_parameters\n"
        "from accessdesk_gui.services import passwords\n"
        "print(repr(extract_parameters(passwords.hash_password('a long passphrase'))))"
    )
    assert out == repr(passwords.PRODUCTION)
    p = passwords.PRODUCTION
    assert p.type is Type.ID
    assert p.memory_cost >= OWASP_MIN_MEMORY_KIB and p.time_cost >= OWASP_MIN_PASSES
    assert p.parallelism >= 1
    # Never below what argon2-cffi recommends (RFC 9106's low-memory option).
    rfc = profiles.RFC_9106_LOW_MEMORY
    assert (p.memory_cost, p.time_cost, p.hash_len, p.salt_len) >= (
        rfc.memory_cost,
        rfc.time_cost,
        rfc.hash_len,
        rfc.salt_len,
    )


def test_no_application_module_reads_the_test_only_variable() -> None:
    package = Path(accessdesk_gui.__file__).parent
    readers = [
        str(f.relative_to(package))
        for f in package.rglob("*.py")
        if cheap_hashing.ENV in f.read_text(encoding="utf-8")
    ]
    assert readers == []


def _hash_of(store: Store, username: str) -> str:
    with store.read() as s:
        return str(s.scalar(select(User.password_hash).where(User.username == username)))


def _set_hash(store: Store, username: str, value: str) -> None:
    with store.write(unaudited="test set-up: plant a hash of given strength") as s:
        user = s.scalar(select(User).where(User.username == username))
        assert user is not None
        user.password_hash = value


def test_a_production_hash_verifies_under_the_cheap_hasher_and_is_not_downgraded(
    store, admin
) -> None:
    assert passwords.hasher().memory_cost == cheap_hashing.CHEAP.memory_cost
    strong = PasswordHasher.from_parameters(passwords.PRODUCTION).hash(PASSWORD)
    _set_hash(store, "admin", strong)
    assert auth.login(store, "admin", PASSWORD).username == "admin"
    assert _hash_of(store, "admin") == strong  # not remade with the cheap parameters
    with pytest.raises(auth.AuthenticationFailed):
        auth.login(store, "admin", "not the passphrase at all")


def test_a_weaker_hash_is_remade_with_production_parameters_at_log_in(store, admin) -> None:
    assert extract_parameters(_hash_of(store, "admin")) == cheap_hashing.CHEAP
    passwords.use_hasher(None)  # as in a real install
    try:
        auth.login(store, "admin", PASSWORD)
    finally:
        passwords.use_hasher(cheap_hashing.cheap_hasher())
    assert extract_parameters(_hash_of(store, "admin")) == passwords.PRODUCTION
    assert auth.login(store, "admin", PASSWORD).username == "admin"


def _cli_init(path: Path, **env: str) -> str:
    r = subprocess.run(
        [sys.executable, "-m", "accessdesk_gui", "init", "--db", str(path), "--user", "admin",
         "--practice-name", "Clinic", "--address", "1 Main St", "--phone", "555-010-0100",
         "--state", "OR", "--admin-name", "Ada Admin"],
        capture_output=True, text=True, env={**os.environ, "ACCESSDESK_PASSWORD": PASSWORD, **env},
        timeout=60, check=False,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    con = connect_raw(path)
    try:
        return str(con.execute("SELECT password_hash FROM users").fetchone()[0])
    finally:
        con.close()


def test_command_line_children_hash_cheaply_only_through_the_test_keyring(tmp_path: Path) -> None:
    # As tests/cli runs them: the test keyring module is loaded, and installs cheap hashes.
    assert os.environ["PYTHON_KEYRING_BACKEND"] == cheap_hashing.BACKEND
    assert extract_parameters(_cli_init(tmp_path / "a.sqlite")) == cheap_hashing.CHEAP
    # The same variable with the plain test keyring: production parameters.
    plain = _cli_init(
        tmp_path / "b.sqlite", PYTHON_KEYRING_BACKEND="tests.keyring_backend.MemoryKeyring"
    )
    assert extract_parameters(plain) == passwords.PRODUCTION
