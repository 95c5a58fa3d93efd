"""Who is acting, and the staff list: what the queue needs of accounts, without the ORM.

Logging in and managing accounts live in services/auth.py (which re-exports these); this
module stays light so the queue window can be built before SQLAlchemy is imported.
"""

from __future__ import annotations

from dataclasses import dataclass

from accessdesk_gui.domain.roles import Role
from accessdesk_gui.services.errors import PermissionDenied
from accessdesk_gui.store.db import Store


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    full_name: str
    roles: frozenset[Role]
    licence_type: str = ""
    licence_number: str = ""

    def has(self, role: Role) -> bool:
        return role in self.roles

    def require_staff(self) -> None:
        """Every request service: an account left with no role may neither read nor act."""
        if not self.roles:
            raise PermissionDenied("This account has no role; ask the privacy officer.")

    def require(self, role: Role, doing: str) -> None:
        if role not in self.roles:
            raise PermissionDenied(
                f"{self.username} cannot {doing}: that needs the {role.value} role."
            )


@dataclass(frozen=True)
class UserSummary:
    id: int
    username: str
    full_name: str
    roles: frozenset[Role]


def parse_roles(text: str) -> frozenset[Role]:
    return frozenset(Role(r) for r in text.split(",") if r)


def list_users(store: Store, actor: Actor) -> list[UserSummary]:
    """Active staff by name (for assigning requests and the assignee filter)."""
    with store.raw_read() as con:
        rows = con.execute(
            "SELECT id, username, full_name, roles FROM users WHERE active = 1 ORDER BY full_name"
        ).fetchall()
    return [UserSummary(i, u, n, parse_roles(r)) for i, u, n, r in rows]
