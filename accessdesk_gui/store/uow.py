"""The unit of work's guarantee: a write transaction that changed rows has an audit entry.

Store.write() marks its session; these session events then watch it. At the start of each
transaction the connection's ``total_changes()`` is noted (SQLite counts every row an
INSERT, UPDATE or DELETE touched on that connection, ORM flush or Core statement or raw
SQL alike). Before the commit the session is flushed and the count compared: rows changed
with no AuditEntry flushed in the same transaction is a programming error, and the commit
is refused (the caller's ``write()`` rolls everything back).

Imported only when the first session is made (SQLAlchemy is imported by then anyway).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from accessdesk_gui.store.models import AuditEntry

_GUARDED = "accessdesk.guarded"  # session.info: this session is a Store.write()
_EXEMPT = "accessdesk.unaudited"  # session.info: why this write needs no audit entry
_BASELINE = "accessdesk.changes_at_begin"
_AUDITED = "accessdesk.audited"


class UnauditedChange(Exception):
    """A write transaction changed rows but added no audit entry; nothing was saved.

    Every change is audited in its own transaction (``audit.append``), or the write says
    why it needs none: ``store.write(unaudited="...")``.
    """


def guard(session: Session, unaudited: str = "") -> None:
    """Watch this session: its commits need an audit entry unless ``unaudited`` says why."""
    session.info[_GUARDED] = True
    session.info[_EXEMPT] = unaudited


def _total_changes(connection: Any) -> int:
    return int(connection.exec_driver_sql("SELECT total_changes()").scalar_one())


def _after_begin(session: Session, _transaction: Any, connection: Any) -> None:
    if session.info.get(_GUARDED):
        session.info[_BASELINE] = _total_changes(connection)
        session.info[_AUDITED] = False


def _after_flush(session: Session, _context: Any) -> None:
    if session.info.get(_GUARDED) and not session.info.get(_AUDITED):
        session.info[_AUDITED] = any(isinstance(o, AuditEntry) for o in session.new)


def _before_commit(session: Session) -> None:
    info = session.info
    if not info.get(_GUARDED) or info.get(_EXEMPT) or _BASELINE not in info:
        return
    session.flush()  # what commit would flush next, so its rows are counted too
    changed = _total_changes(session.connection()) - info[_BASELINE]
    if changed and not info.get(_AUDITED):
        raise UnauditedChange(
            f"A write transaction changed {changed} row(s) but added no audit entry; it was "
            "refused and rolled back. Add audit.append(...) in the same transaction, or pass "
            "store.write(unaudited='why') for a write that needs none."
        )


def _after_end(session: Session, *_args: Any) -> None:
    session.info.pop(_BASELINE, None)
    session.info.pop(_AUDITED, None)


def install(factory: sessionmaker[Session]) -> None:
    """Listen on every session the store's factory makes (read sessions are not guarded)."""
    event.listen(factory, "after_begin", _after_begin)
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_commit", _after_end)
    event.listen(factory, "after_rollback", _after_end)
