"""Password hashing (argon2id) and the password rules, for log-in, accounts and signing.

HIPAA Security Rule, person authentication (164.312(d)). The hasher is one object that the
process can replace (tests install cheap parameters; see tests/conftest.py); nothing here
reads the environment, so no setting outside the code can weaken the hashing of a real
install. Each hash records its own parameters, so a hash made with any parameters still
verifies; a hash is remade at log-in only when it is weaker than the production
parameters, never to make it weaker.
"""

from __future__ import annotations

from argon2 import Parameters, PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError

from accessdesk_gui.domain.roles import PASSWORD_MIN
from accessdesk_gui.services.errors import InvalidInput

# argon2id at RFC 9106's second recommended option (64 MiB, 3 passes, 4 lanes): argon2-cffi's
# default when this was written, pinned so a library upgrade cannot change it unnoticed.
# Above OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane).
PRODUCTION = Parameters(
    type=Type.ID,
    version=19,
    salt_len=16,
    hash_len=32,
    time_cost=3,
    memory_cost=64 * 1024,  # KiB
    parallelism=4,
)

_hasher: PasswordHasher = PasswordHasher.from_parameters(PRODUCTION)


def hasher() -> PasswordHasher:
    """The hasher in use (production parameters unless a test installed its own)."""
    return _hasher


def use_hasher(replacement: PasswordHasher | None) -> None:
    """Install another hasher for this process (tests only); None puts production back."""
    global _hasher
    _hasher = replacement or PasswordHasher.from_parameters(PRODUCTION)


def hash_password(password: str) -> str:
    return str(_hasher.hash(password))


def password_matches(password_hash: str, password: str) -> bool:
    """Whether ``password`` is the one hashed in ``password_hash`` (with its own parameters)."""
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash is weaker than the hasher in use, in any parameter.

    argon2's own ``check_needs_rehash`` says yes to any difference, which would turn a
    production hash into a cheap one whenever a cheaper hasher is installed; this only
    ever strengthens.
    """
    try:
        stored = extract_parameters(password_hash)
    except InvalidHashError:
        return True
    now = _hasher
    return bool(
        stored.type != now.type
        or stored.version < PRODUCTION.version
        or stored.memory_cost < now.memory_cost
        or stored.time_cost < now.time_cost
        or stored.hash_len < now.hash_len
        or stored.salt_len < now.salt_len
    )


def check_password_rules(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise InvalidInput(
            "password", f"must be at least {PASSWORD_MIN} characters (a passphrase works well)."
        )
