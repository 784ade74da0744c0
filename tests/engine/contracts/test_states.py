"""The contract state machine: every allowed transition, and every other one refused."""

from __future__ import annotations

import itertools

import pytest

from patchdesk.engine.contracts import (
    OPEN_STATES,
    TRANSITIONS,
    ContractAction,
    ContractState,
    TransitionNotAllowed,
    next_state,
)

S, A = ContractState, ContractAction

ALLOWED = [
    (S.APPLIED, A.ACCEPT, S.ACCEPTED),
    (S.APPLIED, A.REJECT, S.REJECTED),
    (S.ACCEPTED, A.ACTIVATE, S.ACTIVE),
    (S.ACCEPTED, A.END, S.ENDED),
    (S.ACTIVE, A.REQUEST_CANCELLATION, S.CANCELLATION_REQUESTED),
    (S.ACTIVE, A.END, S.ENDED),
    (S.CANCELLATION_REQUESTED, A.WITHDRAW_CANCELLATION, S.ACTIVE),
    (S.CANCELLATION_REQUESTED, A.END, S.ENDED),
]


@pytest.mark.parametrize(("state", "action", "after"), ALLOWED)
def test_allowed_transitions(state: S, action: A, after: S) -> None:
    assert next_state(state, action) is after


def test_the_table_is_exactly_the_allowed_list() -> None:
    assert dict(TRANSITIONS) == {(s, a): t for s, a, t in ALLOWED}


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (s, a)
        for s, a in itertools.product(ContractState, ContractAction)
        if (s, a) not in {(x, y) for x, y, _ in ALLOWED}
    ],
)
def test_every_other_transition_is_refused(state: S, action: A) -> None:
    with pytest.raises(TransitionNotAllowed) as caught:
        next_state(state, action)
    assert caught.value.params == {"state": state.value, "action": action.value}


def test_ended_and_rejected_are_final_and_not_open() -> None:
    for final in (S.ENDED, S.REJECTED):
        assert final not in OPEN_STATES
        assert not any(state is final for state, _ in TRANSITIONS)
