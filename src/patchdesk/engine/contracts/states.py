"""The life of a contract: applied → accepted → active → cancellation requested → ended.

An application may also be rejected. A cancellation can be requested once the service has
started (the state is active). Every transition is one :class:`ContractAction`; the desk records
each one in the audit log.
"""

from __future__ import annotations

import enum
from types import MappingProxyType

from patchdesk.engine.contracts.errors import TransitionNotAllowed

__all__ = ["OPEN_STATES", "TRANSITIONS", "ContractAction", "ContractState", "next_state"]


class ContractState(enum.StrEnum):
    APPLIED = "applied"
    ACCEPTED = "accepted"  # accepted by an operator; the service starts on the start date
    ACTIVE = "active"
    CANCELLATION_REQUESTED = "cancellation_requested"
    ENDED = "ended"
    REJECTED = "rejected"


class ContractAction(enum.StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    ACTIVATE = "activate"  # the start date has come
    REQUEST_CANCELLATION = "request_cancellation"
    WITHDRAW_CANCELLATION = "withdraw_cancellation"
    END = "end"  # the cancellation date or the platform's end of support has passed


S, A = ContractState, ContractAction
TRANSITIONS = MappingProxyType(
    {
        (S.APPLIED, A.ACCEPT): S.ACCEPTED,
        (S.APPLIED, A.REJECT): S.REJECTED,
        (S.ACCEPTED, A.ACTIVATE): S.ACTIVE,
        (S.ACCEPTED, A.END): S.ENDED,  # end of support before the start date
        (S.ACTIVE, A.REQUEST_CANCELLATION): S.CANCELLATION_REQUESTED,
        (S.ACTIVE, A.END): S.ENDED,
        (S.CANCELLATION_REQUESTED, A.WITHDRAW_CANCELLATION): S.ACTIVE,
        (S.CANCELLATION_REQUESTED, A.END): S.ENDED,
    }
)
del S, A

# A server has at most one contract in one of these states (one contract per OS instance, R10).
OPEN_STATES = frozenset(
    {
        ContractState.APPLIED,
        ContractState.ACCEPTED,
        ContractState.ACTIVE,
        ContractState.CANCELLATION_REQUESTED,
    }
)


def next_state(state: ContractState, action: ContractAction) -> ContractState:
    """The state after ``action``, or :class:`TransitionNotAllowed`."""
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise TransitionNotAllowed(state=state.value, action=action.value) from None
