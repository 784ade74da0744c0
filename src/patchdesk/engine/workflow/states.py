"""The life of one server's countermeasure in a case (Table 2), as a transition table."""

from __future__ import annotations

import enum

__all__ = ["CLOSED_STATES", "ItemEvent", "ItemState", "TransitionRefused", "transition"]


class ItemState(enum.StrEnum):
    AWAITING_REQUEST = "awaiting_request"  # announced; the customer has not answered yet
    QUOTE_PENDING = "quote_pending"  # off-hours requested: the quote must be accepted first
    REQUESTED = "requested"  # in business hours, waiting for a window
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    FAILED = "failed"  # the work stopped; to be scheduled again
    DONE = "done"  # updated; waiting for the customer's verification (R13)
    PROBLEM_REPORTED = "problem_reported"  # the customer's check found a problem
    VERIFIED = "verified"  # closed: confirmed by the customer (or after the time allowed)
    DECLINED = "declined"  # closed: the customer does not want the work
    NOT_REQUESTED = "not_requested"  # closed: no answer in time; nothing is done (R7)
    NOT_APPLICABLE = "not_applicable"  # closed: not affected, or not covered by the plan


CLOSED_STATES = frozenset(
    {ItemState.VERIFIED, ItemState.DECLINED, ItemState.NOT_REQUESTED, ItemState.NOT_APPLICABLE}
)


class ItemEvent(enum.StrEnum):
    REQUEST = "request"  # in business hours
    REQUEST_OFF_HOURS = "request_off_hours"
    DECLINE = "decline"
    EXPIRE = "expire"  # the time to answer has passed
    QUOTE_ACCEPTED = "quote_accepted"
    QUOTE_DECLINED = "quote_declined"
    SCHEDULE = "schedule"
    UNSCHEDULE = "unschedule"  # the window was cancelled
    START = "start"
    FINISH = "finish"
    FAIL = "fail"
    CONFIRM = "confirm"  # by the customer
    AUTO_CLOSE = "auto_close"  # no problem reported in the time allowed
    REPORT_PROBLEM = "report_problem"
    RESOLVE = "resolve"  # an operator closes a reported problem
    BECAME_AFFECTED = "became_affected"  # a later scan found the package: it can be requested


_S, _E = ItemState, ItemEvent
_TABLE: dict[tuple[ItemState, ItemEvent], ItemState] = {
    (_S.AWAITING_REQUEST, _E.REQUEST): _S.REQUESTED,
    (_S.AWAITING_REQUEST, _E.REQUEST_OFF_HOURS): _S.QUOTE_PENDING,
    (_S.AWAITING_REQUEST, _E.DECLINE): _S.DECLINED,
    (_S.AWAITING_REQUEST, _E.EXPIRE): _S.NOT_REQUESTED,
    (_S.DECLINED, _E.REQUEST): _S.REQUESTED,  # a change of mind before the deadline
    (_S.DECLINED, _E.REQUEST_OFF_HOURS): _S.QUOTE_PENDING,
    (_S.QUOTE_PENDING, _E.QUOTE_ACCEPTED): _S.SCHEDULED,  # the quote names the window
    (_S.QUOTE_PENDING, _E.QUOTE_DECLINED): _S.AWAITING_REQUEST,
    (_S.QUOTE_PENDING, _E.REQUEST): _S.REQUESTED,  # business hours after all
    (_S.QUOTE_PENDING, _E.DECLINE): _S.DECLINED,
    (_S.REQUESTED, _E.SCHEDULE): _S.SCHEDULED,
    (_S.REQUESTED, _E.DECLINE): _S.DECLINED,
    (_S.SCHEDULED, _E.UNSCHEDULE): _S.REQUESTED,
    (_S.SCHEDULED, _E.START): _S.IN_PROGRESS,
    (_S.SCHEDULED, _E.DECLINE): _S.DECLINED,
    (_S.IN_PROGRESS, _E.FINISH): _S.DONE,
    (_S.IN_PROGRESS, _E.FAIL): _S.FAILED,
    (_S.FAILED, _E.SCHEDULE): _S.SCHEDULED,
    (_S.FAILED, _E.DECLINE): _S.DECLINED,
    (_S.DONE, _E.CONFIRM): _S.VERIFIED,
    (_S.DONE, _E.AUTO_CLOSE): _S.VERIFIED,
    (_S.DONE, _E.REPORT_PROBLEM): _S.PROBLEM_REPORTED,
    (_S.PROBLEM_REPORTED, _E.SCHEDULE): _S.SCHEDULED,
    (_S.PROBLEM_REPORTED, _E.RESOLVE): _S.VERIFIED,
    (_S.NOT_APPLICABLE, _E.BECAME_AFFECTED): _S.AWAITING_REQUEST,
}


class TransitionRefused(ValueError):
    def __init__(self, state: ItemState, event: ItemEvent) -> None:
        super().__init__(f"{event} is not possible in state {state}")
        self.state = state
        self.event = event


def transition(state: ItemState, event: ItemEvent) -> ItemState:
    """The state after ``event``; :class:`TransitionRefused` when the table has no entry."""
    try:
        return _TABLE[(state, event)]
    except KeyError:
        raise TransitionRefused(state, event) from None
