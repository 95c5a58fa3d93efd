"""Checking a copy of the store (a backup) without changing it: pages, structure, chain."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import URL, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from accessdesk_gui.store import audit
from accessdesk_gui.store.db import _quiet_sqlcipher
from accessdesk_gui.store.keys import StoreKey


@dataclass(frozen=True)
class CopyCheck:
    problems: list[str] = field(default_factory=list)
    revision: str | None = None
    chain: audit.VerifyResult | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and self.chain is not None and self.chain.ok


def check_copy(path: Path, key: StoreKey) -> CopyCheck:
    """Open the copy read-only with the key; report every problem found, change nothing."""
    if not path.is_file():
        return CopyCheck([f"{path} does not exist"])
    _quiet_sqlcipher()
    url = URL.create("sqlite+pysqlcipher", password=key.pragma_value, database=str(path))
    engine = create_engine(url, poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _ro(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA query_only = 1")
        dbapi_conn.execute("PRAGMA temp_store = MEMORY")

    try:
        with engine.connect() as conn:
            problems = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA cipher_integrity_check")]
            quick = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA quick_check")]
            if quick != ["ok"]:
                problems += quick
            rev = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        with Session(engine) as s:
            chain = audit.verify(s)
        if not chain.ok:
            problems.append(f"audit trail: {chain.problem}")
        return CopyCheck(problems, str(rev) if rev else None, chain)
    except DBAPIError as exc:
        msg = str(exc.orig)
        if "not a database" in msg:
            msg = "it does not open with this store's key (another store's copy, or damaged)"
        return CopyCheck([msg])
    finally:
        engine.dispose()
