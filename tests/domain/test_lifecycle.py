import pytest

from accessdesk_gui.domain.errors import RuleViolation
from accessdesk_gui.domain.lifecycle import (
    Action,
    Status,
    allowed_actions,
    check_transition,
    is_closed,
)


@pytest.mark.parametrize(
    ("start", "action", "end"),
    [
        (Status.RECEIVED, Action.START, Status.IN_PROGRESS),
        (Status.RECEIVED, Action.EXTEND, Status.EXTENDED),
        (Status.IN_PROGRESS, Action.EXTEND, Status.EXTENDED),
        (Status.EXTENDED, Action.FULFIL, Status.FULFILLED),
        (Status.IN_PROGRESS, Action.WITHDRAW, Status.WITHDRAWN),
        (Status.RECEIVED, Action.FULFIL, Status.FULFILLED),
        (Status.PARTIALLY_DENIED, Action.FULFIL, Status.FULFILLED),
    ],
)
def test_legal_transitions(start: Status, action: Action, end: Status) -> None:
    assert check_transition(start, action) is end


@pytest.mark.parametrize(
    ("start", "action", "why"),
    [
        (Status.EXTENDED, Action.EXTEND, "allows a single extension"),
        (Status.FULFILLED, Action.WITHDRAW, "closed"),
        (Status.WITHDRAWN, Action.FULFIL, "closed"),
        (Status.FULFILLED, Action.EXTEND, "closed"),
        (Status.IN_PROGRESS, Action.START, "already started"),
        (Status.EXTENDED, Action.START, "already started"),
    ],
)
def test_illegal_transitions_refused_with_reason(start: Status, action: Action, why: str) -> None:
    with pytest.raises(RuleViolation, match=why):
        check_transition(start, action)


def test_closed_states_offer_no_action() -> None:
    for status in (Status.FULFILLED, Status.WITHDRAWN):
        assert is_closed(status)
        assert allowed_actions(status) == []


def test_offered_actions_are_exactly_the_legal_ones() -> None:
    for status in Status:
        for action in allowed_actions(status):
            check_transition(status, action)  # never raises for an offered action
    assert allowed_actions(Status.RECEIVED) == [
        Action.START,
        Action.EXTEND,
        Action.FULFIL,
        Action.WITHDRAW,
        Action.DENY,
        Action.PARTIALLY_DENY,
    ]
    assert Action.EXTEND not in allowed_actions(Status.EXTENDED)


def test_a_partial_denial_leaves_the_rest_to_fulfil() -> None:
    # 164.524(d)(1): the request stays open after a partial denial.
    assert check_transition(Status.IN_PROGRESS, Action.PARTIALLY_DENY) is Status.PARTIALLY_DENIED
    assert not is_closed(Status.PARTIALLY_DENIED)
    assert allowed_actions(Status.PARTIALLY_DENIED) == [Action.FULFIL]


@pytest.mark.parametrize("start", [Status.DENIED, Status.PARTIALLY_DENIED, Status.FULFILLED])
def test_a_reversal_on_review_reopens_the_request(start: Status) -> None:
    # 164.524(d)(4): the practice must follow the determination and provide at once.
    reopened = check_transition(start, Action.RELEASE_ON_REVIEW)
    assert reopened is Status.REVERSED_ON_REVIEW
    assert not is_closed(reopened)
    assert Action.RELEASE_ON_REVIEW not in allowed_actions(start)  # only the review takes it
    assert check_transition(reopened, Action.FULFIL) is Status.FULFILLED


def test_an_open_request_cannot_be_reversed_on_review() -> None:
    with pytest.raises(RuleViolation):
        check_transition(Status.IN_PROGRESS, Action.RELEASE_ON_REVIEW)
