"""Checking the audit trail."""

from __future__ import annotations

from accessdesk_gui.services.auth import Actor
from accessdesk_gui.store import audit
from accessdesk_gui.store.audit import VerifyResult
from accessdesk_gui.store.db import Store


def verify(store: Store, actor: Actor) -> VerifyResult:
    """Any logged-in user may check the chain; the check itself is recorded too."""
    with store.read() as s:
        result = audit.verify(s)
    with store.write() as s:
        audit.append(
            s,
            actor.username,
            "audit_verified",
            "audit",
            "chain",
            None,
            {"ok": result.ok, "entries": result.entries, "first_bad": result.first_bad_seq},
        )
    return result
