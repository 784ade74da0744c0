"""May this customer request (or decline) the countermeasure for this server now? (R7, R2)"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from patchdesk.engine.contracts.plans import Plan, plan_covers
from patchdesk.engine.workflow.states import CLOSED_STATES, ItemState

__all__ = ["RequestRefusal", "RequestRefusalCode", "check_request"]


class RequestRefusalCode(enum.StrEnum):
    NOT_COVERED = "not_covered"  # Medium without the Security Update Service (R2)
    NOT_AFFECTED = "not_affected"
    TOO_LATE = "too_late"  # the time to answer has passed: the case closed as not requested
    ALREADY_REQUESTED = "already_requested"
    CLOSED = "closed"
    SERVICE_PAUSED = "service_paused"  # the provider cannot log in (R14)


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestRefusal:
    code: RequestRefusalCode
    params: dict[str, str]


_ACTIVE = frozenset(
    {
        ItemState.QUOTE_PENDING,
        ItemState.REQUESTED,
        ItemState.SCHEDULED,
        ItemState.IN_PROGRESS,
        ItemState.DONE,
    }
)


def check_request(  # noqa: PLR0911 - one return per refusal reason
    state: ItemState,
    *,
    level: str,
    plan: Plan | None,
    is_affected: bool,
    deadline_at: datetime,
    now: datetime,
    is_paused: bool = False,
) -> RequestRefusal | None:
    """None when a request is allowed, else why not (with parameters for the message)."""
    effective = plan or Plan.STANDARD
    if not is_affected:
        return RequestRefusal(code=RequestRefusalCode.NOT_AFFECTED, params={})
    if not plan_covers(effective, level):
        return RequestRefusal(
            code=RequestRefusalCode.NOT_COVERED, params={"level": level, "plan": effective.value}
        )
    if is_paused:
        return RequestRefusal(code=RequestRefusalCode.SERVICE_PAUSED, params={})
    if state in _ACTIVE:
        return RequestRefusal(code=RequestRefusalCode.ALREADY_REQUESTED, params={"state": state})
    if state == ItemState.NOT_REQUESTED or (
        state in {ItemState.AWAITING_REQUEST, ItemState.DECLINED} and now > deadline_at
    ):
        return RequestRefusal(
            code=RequestRefusalCode.TOO_LATE, params={"deadline": deadline_at.isoformat()}
        )
    if state in CLOSED_STATES - {ItemState.DECLINED}:
        return RequestRefusal(code=RequestRefusalCode.CLOSED, params={"state": state})
    return None
