"""Who is acting. Every service call takes an Actor obtained by logging in."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from accessdesk_gui.domain.intake import check_name
from accessdesk_gui.domain.roles import Role
from accessdesk_gui.services import accounts
from accessdesk_gui.services.actor import (  # re-exported
    Actor as Actor,
)
from accessdesk_gui.services.actor import (
    UserSummary as UserSummary,
)
from accessdesk_gui.services.actor import (
    list_users as list_users,
)
from accessdesk_gui.services.actor import (
    parse_roles as parse_roles,
)
from accessdesk_gui.services.errors import AuthenticationFailed, InvalidInput, PermissionDenied
from accessdesk_gui.services.passwords import (  # re-exported
    check_password_rules as check_password_rules,
)
from accessdesk_gui.services.passwords import (
    hash_password as hash_password,
)
from accessdesk_gui.services.passwords import (
    needs_rehash,
)
from accessdesk_gui.services.passwords import (
    password_matches as password_matches,
)
from accessdesk_gui.store import audit
from accessdesk_gui.store.db import Store
from accessdesk_gui.store.models import User


def actor_of(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        full_name=user.full_name,
        roles=parse_roles(user.roles),
        licence_type=user.licence_type,
        licence_number=user.licence_number,
    )


def login(store: Store, username: str, password: str, now: dt.datetime | None = None) -> Actor:
    """Check the password; failures say the same thing whether the user exists or not.

    After LOCKOUT_AFTER failures in a row the account waits, longer after each further
    failure (see accounts.lockout_delay); the privacy officer can unlock it.
    """
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with store.write() as s:
        user = s.scalar(select(User).where(User.username == username.strip()))
        if user is not None:
            accounts.refuse_if_waiting(s, user, now)
        ok = user is not None and user.active and password_matches(user.password_hash, password)
        if not ok:
            audit.append(s, username.strip()[:64] or "?", "login_failed", "user", username[:40])
            if user is not None:
                accounts.count_failure(s, user, now)
            # The failed attempt is recorded even though we refuse.
            s.commit()
            raise AuthenticationFailed("Wrong user name or password.")
        assert user is not None
        accounts.clear_failures(s, user)
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        audit.append(s, user.username, "login", "user", user.id)
        return actor_of(user)


def add_user(
    store: Store,
    actor: Actor | None,
    username: str,
    full_name: str,
    password: str,
    roles: set[Role],
    licence_type: str = "",
    licence_number: str = "",
) -> Actor:
    """Create a user. Only a privacy officer may, except for the very first user at set-up."""
    with store.write() as s:
        return insert_user(
            s, actor, username, full_name, password, roles, licence_type, licence_number
        )


def insert_user(
    s: Session,
    actor: Actor | None,
    username: str,
    full_name: str,
    password: str,
    roles: set[Role],
    licence_type: str = "",
    licence_number: str = "",
) -> Actor:
    """add_user inside the caller's write transaction (set-up creates the practice and its
    first user together).
    """
    uname = username.strip()
    if not uname or len(uname) > 64 or any(c.isspace() for c in uname):
        raise InvalidInput("username", "is required, without spaces, at most 64 characters.")
    name = check_name("full_name", full_name)
    check_password_rules(password)
    if not roles:
        raise InvalidInput("roles", "choose at least one role.")
    if Role.LICENSED_PROFESSIONAL in roles and not (
        licence_type.strip() and licence_number.strip()
    ):
        raise InvalidInput(
            "licence", "a licensed professional needs a licence type and number (e.g. MD 12345)."
        )
    if actor is None:
        if s.scalar(select(User.id).limit(1)) is not None:
            raise PermissionDenied("Log in as a privacy officer to add users.")
    else:
        actor.require(Role.PRIVACY_OFFICER, "add users")
    if s.scalar(select(User.id).where(User.username == uname)) is not None:
        raise InvalidInput("username", f"'{uname}' is already taken.")
    user = User(
        username=uname,
        full_name=name,
        password_hash=hash_password(password),
        roles=",".join(sorted(r.value for r in roles)),
        licence_type=licence_type.strip(),
        licence_number=licence_number.strip(),
        active=True,
        created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
    )
    s.add(user)
    s.flush()
    audit.append(
        s,
        actor.username if actor else uname,
        "user_added",
        "user",
        user.id,
        None,
        {
            "username": uname,
            "full_name": name,
            "roles": user.roles,
            "licence_type": user.licence_type,
            "licence_number": user.licence_number,
        },
    )
    return actor_of(user)
