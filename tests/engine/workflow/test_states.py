"""The countermeasure's life per server (Table 2): allowed and refused transitions."""

from __future__ import annotations

import pytest

from patchdesk.engine.workflow.states import (
    CLOSED_STATES,
    ItemEvent,
    ItemState,
    TransitionRefused,
    transition,
)

S, E = ItemState, ItemEvent


@pytest.mark.parametrize(
    ("events", "end"),
    [
        ([E.REQUEST, E.SCHEDULE, E.START, E.FINISH, E.CONFIRM], S.VERIFIED),
        ([E.REQUEST_OFF_HOURS, E.QUOTE_ACCEPTED, E.START, E.FINISH, E.AUTO_CLOSE], S.VERIFIED),
        ([E.EXPIRE], S.NOT_REQUESTED),
        ([E.DECLINE, E.REQUEST, E.SCHEDULE], S.SCHEDULED),
        ([E.REQUEST, E.SCHEDULE, E.START, E.FAIL, E.SCHEDULE, E.START, E.FINISH], S.DONE),
        ([E.REQUEST, E.SCHEDULE, E.START, E.FINISH, E.REPORT_PROBLEM, E.RESOLVE], S.VERIFIED),
        ([E.REQUEST_OFF_HOURS, E.QUOTE_DECLINED, E.REQUEST], S.REQUESTED),
        ([E.REQUEST, E.SCHEDULE, E.UNSCHEDULE], S.REQUESTED),
    ],
)
def test_paths_through_the_flow(events: list[ItemEvent], end: ItemState) -> None:
    state = S.AWAITING_REQUEST
    for event in events:
        state = transition(state, event)
    assert state == end


@pytest.mark.parametrize(
    ("state", "event"),
    [
        (S.AWAITING_REQUEST, E.START),  # no work without a request (R7)
        (S.AWAITING_REQUEST, E.SCHEDULE),
        (S.QUOTE_PENDING, E.SCHEDULE),  # off-hours only after the quote is accepted (R4)
        (S.NOT_REQUESTED, E.REQUEST),
        (S.VERIFIED, E.REPORT_PROBLEM),
        (S.IN_PROGRESS, E.DECLINE),
        (S.DONE, E.START),
    ],
)
def test_refused_transitions(state: ItemState, event: ItemEvent) -> None:
    with pytest.raises(TransitionRefused):
        transition(state, event)


def test_closed_states_have_no_way_out_but_a_change_of_mind_or_a_late_finding() -> None:
    for state in CLOSED_STATES:
        for event in ItemEvent:
            try:
                after = transition(state, event)
            except TransitionRefused:
                continue
            if state == S.NOT_APPLICABLE:  # a later scan found the affected package
                assert (event, after) == (E.BECAME_AFFECTED, S.AWAITING_REQUEST)
                continue
            assert state == S.DECLINED
            assert after in {S.REQUESTED, S.QUOTE_PENDING}


def test_only_a_not_applicable_countermeasure_can_become_affected() -> None:
    assert transition(S.NOT_APPLICABLE, E.BECAME_AFFECTED) == S.AWAITING_REQUEST
    for state in set(S) - {S.NOT_APPLICABLE}:
        with pytest.raises(TransitionRefused):
            transition(state, E.BECAME_AFFECTED)
