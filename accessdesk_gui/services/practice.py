"""First start: the practice and its first administrator.

Reading the practice (is it set up, its name and address) is plain SQL on the store's
raw connection, as the log-in and the queue need it before the ORM is imported (see
ui/app.py); setting up imports the rest when it runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accessdesk_gui.domain.deadlines import US_STATES
from accessdesk_gui.domain.roles import Role
from accessdesk_gui.services.actor import Actor
from accessdesk_gui.services.errors import InvalidInput, SetupError
from accessdesk_gui.store.db import Store


@dataclass(frozen=True)
class PracticeInfo:
    name: str
    address: str
    phone: str
    state: str


def check_practice(info: PracticeInfo) -> PracticeInfo:
    from accessdesk_gui.domain.intake import check_text

    name = check_text("practice_name", info.name, required=True, limit=200)
    address = check_text("address", info.address, required=True, limit=500)
    phone = check_text("phone", info.phone, required=True, limit=40)
    if sum(c.isdigit() for c in phone) < 7:
        raise InvalidInput("phone", "needs at least 7 digits.")
    state = info.state.strip().upper()
    if not state:
        raise InvalidInput("state", "choose the practice's state: its deadlines may be shorter.")
    if state not in US_STATES:
        raise InvalidInput(
            "state", f"'{info.state}' is not a US state or territory code (e.g. CA)."
        )
    return PracticeInfo(name, address, phone, state)


def is_set_up(store: Store) -> bool:
    with store.raw_read() as con:
        return con.execute("SELECT 1 FROM practice LIMIT 1").fetchone() is not None


def get_practice(store: Store) -> PracticeInfo:
    with store.raw_read() as con:
        row = con.execute(
            "SELECT name, address, phone, state FROM practice ORDER BY id LIMIT 1"
        ).fetchone()
    if row is None:
        raise SetupError("This store has not been set up yet: run 'accessdesk init'.")
    return PracticeInfo(*row)


def set_up(
    store: Store,
    info: PracticeInfo,
    admin_username: str,
    admin_full_name: str,
    admin_password: str,
) -> Actor:
    """Record the practice and create its first privacy officer (who may also work the desk)."""
    from sqlalchemy import select

    from accessdesk_gui.services.auth import insert_user
    from accessdesk_gui.store import audit
    from accessdesk_gui.store.models import Practice

    info = check_practice(info)
    # One transaction: a failure leaves neither a practice nor an orphan first user.
    with store.write() as s:
        if s.scalar(select(Practice.id).limit(1)) is not None:
            raise SetupError("This store is already set up.")
        admin = insert_user(
            s,
            None,
            admin_username,
            admin_full_name,
            admin_password,
            {Role.PRIVACY_OFFICER, Role.FRONT_DESK},
        )
        p = Practice(
            name=info.name,
            address=info.address,
            phone=info.phone,
            state=info.state,
            created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        )
        s.add(p)
        s.flush()
        audit.append(s, admin.username, "practice_set_up", "practice", p.id, None, info.__dict__)
    return admin
