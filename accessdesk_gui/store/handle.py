"""What the store's own helpers (audit, copies, migrations) need of an open store.

store/db.py's Store satisfies it; the helpers name this protocol instead of importing
db, which imports them: no import cycle inside store, not even for type checking.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

    from accessdesk_gui.store.keys import StoreKey


class StoreHandle(Protocol):
    path: Path

    @property
    def key(self) -> StoreKey: ...

    @property
    def engine(self) -> Engine: ...

    def write(self, *, unaudited: str = "") -> AbstractContextManager[Session]: ...

    def current_revision(self) -> str | None: ...

    def backup(self, target: Path) -> Path: ...
