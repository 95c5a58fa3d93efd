"""The store's encryption key: where it is kept and how a person can type it back.

Each store is encrypted by SQLCipher with a random 256-bit key, passed as a raw key
(``PRAGMA key = "x'...'"``: no key derivation, about 0.5 ms per connection). The key lives
in the operating system's keyring (Windows Credential Manager, macOS Keychain, Secret
Service) under the service "AccessDesk", one entry per store file. A recovery sheet shows
the key in groups a person can type back on a new PC.

When no keyring works the app never falls back to plain text: it says so and offers the
choices (set a keyring up, or explicitly choose a practice passphrase typed at each start;
that choice is recorded next to the store in ``<store>.keymode``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

SERVICE = "AccessDesk"
KEY_BYTES = 32
PASSPHRASE_ENV = "ACCESSDESK_STORE_PASSPHRASE"
PASSPHRASE_MIN = 16


class KeyProblem(Exception):
    """Base of key errors; store/db.py turns them into StoreError subclasses for callers."""


@dataclass(frozen=True)
class StoreKey:
    """What goes into ``PRAGMA key``: a raw key (hex) or a practice passphrase."""

    kind: str  # "raw" or "passphrase"
    secret: str  # 64 hex digits for raw, the passphrase otherwise

    @classmethod
    def raw(cls, key: bytes) -> StoreKey:
        if len(key) != KEY_BYTES:
            raise ValueError("a store key is 32 bytes")
        return cls("raw", key.hex())

    @property
    def pragma_value(self) -> str:
        """The text the SQLCipher dialect puts inside ``pragma key="..."``."""
        return f"x'{self.secret}'" if self.kind == "raw" else self.secret

    def __repr__(self) -> str:  # never print the secret by accident
        return f"StoreKey(kind={self.kind!r}, secret=<hidden>)"


# -- where keys are kept ----------------------------------------------------------------


class KeyringUnavailable(KeyProblem):
    pass


class KeyStore:
    """The OS keyring behind one small interface (tests pin their own backend)."""

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service

    def backend_name(self) -> str:
        import keyring

        kr = keyring.get_keyring()
        return f"{type(kr).__module__}.{type(kr).__name__}"

    def _call(self, what: str, fn: object, *args: str) -> str | None:
        import keyring.errors

        try:
            return fn(self.service, *args)  # type: ignore[operator,no-any-return]
        except keyring.errors.NoKeyringError:
            raise KeyringUnavailable(NO_KEYRING) from None
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(
                f"The system keyring could not {what} the store key ({exc}). Unlock the "
                "keyring (log in to the desktop session) and try again."
            ) from None

    def get(self, entry: str) -> str | None:
        import keyring

        return self._call("read", keyring.get_password, entry)

    def set(self, entry: str, value: str) -> None:
        import keyring

        self._call("save", keyring.set_password, entry, value)


def keyring_available(keystore: KeyStore | None = None) -> bool:
    """Whether the OS keyring can be used at all (reading an entry that need not exist)."""
    try:
        (keystore or KeyStore()).get("store:availability-check")
    except KeyringUnavailable:
        return False
    return True


NO_KEYRING = (
    "No system keyring is available to keep the store's encryption key, so AccessDesk will "
    "not create or open an encrypted store (it never falls back to plain text). Choose one: "
    "(1) set up a keyring: Windows Credential Manager and the macOS Keychain work out of the "
    "box; on Linux start a Secret Service (GNOME Keyring or KWallet) in your desktop session; "
    "or (2) choose a practice passphrase typed at every start: 'accessdesk init --key-mode "
    f"passphrase' with the passphrase in {PASSPHRASE_ENV} or typed when asked."
)


def entry_name(path: Path) -> str:
    """One keyring entry per store file, by its absolute path."""
    return f"store:{Path(path).resolve()}"


def mode_file(path: Path) -> Path:
    return Path(path).with_name(Path(path).name + ".keymode")


def recorded_mode(path: Path) -> str:
    f = mode_file(path)
    if not f.exists():
        return "keyring"
    try:
        return str(json.loads(f.read_text(encoding="utf-8"))["mode"])
    except (ValueError, KeyError, OSError):
        return "keyring"


def record_passphrase_mode(path: Path, chosen_by: str = "", salt: bytes | None = None) -> None:
    """Write down, next to the store, that its key is a typed passphrase (not secret)."""
    mode_file(path).write_text(
        json.dumps(
            {
                "mode": "passphrase",
                "chosen_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "chosen_by": chosen_by,
                # Not secret: it makes the same passphrase give another key in another store.
                "salt": salt.hex() if salt else None,
                "note": "The store is encrypted with a key derived from a practice passphrase "
                "typed at each start (no keyring was used). Keep this file with the store.",
            },
            indent=2,
        ),
        encoding="utf-8",
    )


# -- key providers ----------------------------------------------------------------------


class KeyProvider(Protocol):
    def key_for(self, path: Path, create: bool) -> StoreKey:
        """The key for the store at path; with create, make one if there is none yet."""
        ...


class KeyMissing(KeyProblem):
    pass


class KeyringKeyProvider:
    """The default: a random 256-bit key kept in the OS keyring."""

    def __init__(self, keystore: KeyStore | None = None) -> None:
        self.keystore = keystore or KeyStore()

    def key_for(self, path: Path, create: bool) -> StoreKey:
        stored = self.keystore.get(entry_name(path))
        if stored is not None:
            return StoreKey("raw", stored)
        if not create:
            raise KeyMissing(
                f"The encryption key for {path} is not in this computer's keyring "
                f"({self.keystore.backend_name()}); this is not a wrong password. If the "
                "store was moved or this is a new PC, type the key from the recovery sheet "
                f"with 'accessdesk key restore --db {path}'. If the file is not an "
                "AccessDesk store, open the right file. Nothing was changed."
            )
        key = StoreKey.raw(secrets.token_bytes(KEY_BYTES))
        self.keystore.set(entry_name(path), key.secret)
        return key


class FixedKeyProvider:
    """A key given directly (typed from a recovery sheet, or in tests)."""

    def __init__(self, key: StoreKey) -> None:
        self.key = key

    def key_for(self, path: Path, create: bool) -> StoreKey:
        return self.key


# The passphrase is stretched once per start with PBKDF2-HMAC-SHA512 (SQLCipher 4's own
# KDF and iteration count) and handed to SQLCipher as a raw key. Given the passphrase
# itself, SQLCipher would run its KDF again for every connection (about 180 ms each).
KDF_ITERATIONS = 256_000


def passphrase_salt(path: Path, create: bool) -> bytes | None:
    """The store's KDF salt from its mode file; a new one when the store is created.
    None for a passphrase store made before salts were recorded (passphrase given as is).
    """
    f = mode_file(path)
    data: dict[str, object] = {}
    if f.exists():
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            data = {}
    salt = data.get("salt")
    if isinstance(salt, str):
        return bytes.fromhex(salt)
    if not create:
        return None
    return secrets.token_bytes(16)


def derive_key(passphrase: str, salt: bytes) -> StoreKey:
    return StoreKey.raw(
        hashlib.pbkdf2_hmac("sha512", passphrase.encode("utf-8"), salt, KDF_ITERATIONS, KEY_BYTES)
    )


class PassphraseKeyProvider:
    """The explicit fallback: the key is derived from a practice passphrase."""

    def __init__(self, passphrase: str | None = None) -> None:
        self.passphrase = passphrase

    def key_for(self, path: Path, create: bool) -> StoreKey:
        pp = self.passphrase if self.passphrase is not None else os.environ.get(PASSPHRASE_ENV)
        if not pp:
            raise KeyMissing(
                f"The store {path} is encrypted with a practice passphrase (chosen instead of "
                f"a keyring). Type it when asked, or set {PASSPHRASE_ENV}."
            )
        if create and len(pp) < PASSPHRASE_MIN:
            raise KeyProblem(
                f"The practice passphrase must be at least {PASSPHRASE_MIN} characters."
            )
        salt = passphrase_salt(path, create)
        if salt is None:
            return StoreKey("passphrase", pp)
        if create:
            record_passphrase_mode(path, salt=salt)
        return derive_key(pp, salt)


# Demo stores hold only invented people. Their key comes from this published phrase so a
# demo works on a machine without a keyring; the mode file says so, and no real store
# ever takes this path (record_demo_mode is called only by services/demo.py).
DEMO_PASSPHRASE = "accessdesk demo store: fictional data only"
DEMO_KEY = StoreKey.raw(hashlib.sha256(DEMO_PASSPHRASE.encode()).digest())


def record_demo_mode(path: Path) -> None:
    mode_file(path).write_text(
        json.dumps(
            {
                "mode": "demo",
                "note": "A demo store of invented requests; its key is public on purpose.",
            },
            indent=2,
        ),
        encoding="utf-8",
    )


def default_key_provider(path: Path) -> KeyProvider:
    """The keyring, unless the practice recorded that this store uses a passphrase."""
    mode = recorded_mode(path)
    if mode == "passphrase":
        return PassphraseKeyProvider()
    if mode == "demo":
        return FixedKeyProvider(DEMO_KEY)
    return KeyringKeyProvider()


# -- the recovery form ------------------------------------------------------------------

_CHECK_BYTES = 3  # 32 + 3 bytes = 280 bits = 56 base32 characters = 14 groups of 4


def recovery_code(key: StoreKey) -> str:
    """The raw key in 14 groups of 4 letters/digits, the last 6 characters a checksum."""
    if key.kind != "raw":
        raise ValueError("only a raw key has a recovery code")
    raw = bytes.fromhex(key.secret)
    data = raw + hashlib.sha256(raw).digest()[:_CHECK_BYTES]
    text = base64.b32encode(data).decode("ascii")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


class BadRecoveryCode(KeyProblem):
    pass


def parse_recovery_code(typed: str) -> StoreKey:
    """Accept the code as typed: any case, spaces or dashes, 0/1/8 read as O/I/B."""
    clean = "".join(c for c in typed.upper() if c.isalnum())
    clean = clean.translate(str.maketrans("018", "OIB"))
    if len(clean) != 56:
        raise BadRecoveryCode(
            f"The recovery key has 56 letters and digits (14 groups of 4); {len(clean)} were "
            "typed. Check the sheet and type it again."
        )
    try:
        data = base64.b32decode(clean)
    except ValueError:
        raise BadRecoveryCode(
            "The recovery key has a character that is not on the sheet."
        ) from None
    raw, check = data[:KEY_BYTES], data[KEY_BYTES:]
    if hashlib.sha256(raw).digest()[:_CHECK_BYTES] != check:
        raise BadRecoveryCode(
            "The recovery key does not add up (a group was mistyped). Check each group of four "
            "against the sheet and type it again."
        )
    return StoreKey.raw(raw)


def keyring_key(path: Path) -> StoreKey:
    """The key the keyring holds for the store at path (KeyMissing if none)."""
    return KeyringKeyProvider().key_for(path, False)


def save_key(path: Path, key: StoreKey, keystore: KeyStore | None = None) -> None:
    (keystore or KeyStore()).set(entry_name(path), key.secret)
