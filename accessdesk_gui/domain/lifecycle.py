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
    # A reviewing official reversed (part of) a denial: the reversed parts must now be
    # provided at once (164.524(d)(4); access-rules 5.3). Open until they are.
    REVERSED_ON_REVIEW = "reversed_on_review"
    FULFILLED = "fulfilled"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    START = "start"
    EXTEND = "extend"
    DENY = "deny"
    PARTIALLY_DENY = "partially_deny"
    FULFIL = "fulfil"
    WITHDRAW = "withdraw"
    # Taken only by the review service when a determination reverses denied parts.
    RELEASE_ON_REVIEW = "release_on_review"


LABELS: dict[Status, str] = {
    Status.RECEIVED: "Received",
    Status.IN_PROGRESS: "In progress",
    Status.EXTENDED: "Extended",
    Status.DENIED: "Denied",
    Status.PARTIALLY_DENIED: "Partly denied",
    Status.REVERSED_ON_REVIEW: "Reversed on review: provide",
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
    Action.RELEASE_ON_REVIEW: "Reversed on review",
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
    # The practice must follow a reversal (164.524(d)(4)): whatever the request's state
    # after the denial (denied, partly denied with the rest already provided or not),
    # the reversed parts are now to be provided, so the request is open again.
    **{
        (s, Action.RELEASE_ON_REVIEW): Status.REVERSED_ON_REVIEW
        for s in (Status.DENIED, Status.PARTIALLY_DENIED, Status.FULFILLED)
    },
    (Status.REVERSED_ON_REVIEW, Action.FULFIL): Status.FULFILLED,
    (Status.REVERSED_ON_REVIEW, Action.WITHDRAW): Status.WITHDRAWN,
}

# Actions offered to users. DENY and PARTIALLY_DENY run through the denial composer
# (services/denials.py), which decides which of the two the denied parts amount to;
# RELEASE_ON_REVIEW is never offered: only a review determination takes it.
AVAILABLE_ACTIONS: tuple[Action, ...] = (
    Action.START,
    Action.EXTEND,
    Action.FULFIL,
    Action.WITHDRAW,
    Action.DENY,
    Action.PARTIALLY_DENY,
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
