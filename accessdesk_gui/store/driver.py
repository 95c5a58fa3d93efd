"""The SQLCipher DB-API module (sqlcipher3), imported when first needed."""

from __future__ import annotations

from typing import Any


def dbapi() -> Any:
    import sqlcipher3

    return sqlcipher3


def quiet_sqlcipher() -> None:
    """SQLCipher logs decryption failures to stderr by itself; we report them in words."""
    m = dbapi().connect(":memory:")
    try:
        m.execute("PRAGMA cipher_log_level = NONE")
    finally:
        m.close()
