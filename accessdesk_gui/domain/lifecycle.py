"""The request lifecycle as an explicit state machine.

Every change of status goes through :func:`check_transition`, whatever calls it
(GUI, command line, import), so an illegal step is refused here with a reason.
"""

from __future__ import annotations

from enum import StrEnum

from accessdesk_gui.domain.errors import RuleViolation


class Status(StrEnum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    EXTENDED = "extended"
    # Denials (full or partial) arrive with the denial composer; their place in the
    # machine is reserved here so that every other rule already accounts for them.
    DENIED = "denied"
    PARTIALLY_DENIED = "partially_denied"
    FULFILLED = "fulfilled"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    START = "start"
    EXTEND = "extend"
    DENY = "deny"
    PARTIALLY_DENY = "partially_deny"
    FULFIL = "fulfil"
    WITHDRAW = "withdraw"


LABELS: dict[Status, str] = {
    Status.RECEIVED: "Received",
    Status.IN_PROGRESS: "In progress",
    Status.EXTENDED: "Extended",
    Status.DENIED: "Denied",
    Status.PARTIALLY_DENIED: "Partly denied",
    Status.FULFILLED: "Fulfilled",
    Status.WITHDRAWN: "Withdrawn",
}

ACTION_LABELS: dict[Action, str] = {
    Action.START: "Start work",
    Action.EXTEND: "Extend once…",
    Action.DENY: "Deny…",
    Action.PARTIALLY_DENY: "Deny in part…",
    Action.FULFIL: "Mark fulfilled…",
    Action.WITHDRAW: "Withdraw…",
}

_OPEN = (Status.RECEIVED, Status.IN_PROGRESS, Status.EXTENDED)

# (from, action) -> to
TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.RECEIVED, Action.START): Status.IN_PROGRESS,
    **{(s, Action.EXTEND): Status.EXTENDED for s in (Status.RECEIVED, Status.IN_PROGRESS)},
    **{(s, Action.FULFIL): Status.FULFILLED for s in _OPEN},
    **{(s, Action.WITHDRAW): Status.WITHDRAWN for s in _OPEN},
    **{(s, Action.DENY): Status.DENIED for s in _OPEN},
    # A partial denial leaves the rest of the request to be fulfilled (524(d)(1)).
    **{(s, Action.PARTIALLY_DENY): Status.PARTIALLY_DENIED for s in _OPEN},
    (Status.PARTIALLY_DENIED, Action.FULFIL): Status.FULFILLED,
}

# Actions whose service is not built yet are not offered to users.
AVAILABLE_ACTIONS: tuple[Action, ...] = (
    Action.START,
    Action.EXTEND,
    Action.FULFIL,
    Action.WITHDRAW,
)

CLOSED: frozenset[Status] = frozenset({Status.FULFILLED, Status.WITHDRAWN, Status.DENIED})


def is_closed(status: Status) -> bool:
    return status in CLOSED


def allowed_actions(status: Status) -> list[Action]:
    """What a user may do next, in a stable order for menus and buttons."""
    return [a for a in AVAILABLE_ACTIONS if (status, a) in TRANSITIONS]


def check_transition(status: Status, action: Action) -> Status:
    """Return the new status or refuse with a reason a user can read."""
    target = TRANSITIONS.get((status, action))
    if target is not None:
        return target
    label = LABELS[status].lower()
    if action is Action.EXTEND and status is Status.EXTENDED:
        reason = "it was already extended once; 45 CFR 164.524(b)(2)(ii) allows a single extension"
    elif is_closed(status):
        reason = f"it is already {label} and closed"
    elif action is Action.START:
        reason = f"work has already started (it is {label})"
    else:
        reason = f"that is not possible while it is {label}"
    raise RuleViolation(f"Cannot {action.value} this request: {reason}.")
