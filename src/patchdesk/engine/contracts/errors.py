"""Contract rule violations: a stable code and the parameters a person needs to act on it.

The desk turns each into a sentence in the user's language; the engine never words them.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

__all__ = [
    "CancellationAfterServiceEnd",
    "CancellationDateInPast",
    "CancellationDateNotMonthEnd",
    "CancellationTooLate",
    "ContractRuleError",
    "MinimumTermNotReached",
    "PlanChangeAfterCancellation",
    "PlanChangeNotActive",
    "PlanUnchanged",
    "PlatformNotOffered",
    "PlatformPastEndOfSupport",
    "PlatformUnknown",
    "StartAfterEndOfSupport",
    "TransitionNotAllowed",
]


class ContractRuleError(Exception):
    """Base of every contract rule violation. ``params`` holds what the message needs."""

    code: ClassVar[str] = "contract_rule"

    def __init__(self, **params: object) -> None:
        super().__init__(self.code, params)
        self.params: dict[str, object] = dict(params)


class TransitionNotAllowed(ContractRuleError):
    code = "transition_not_allowed"

    def __init__(self, *, state: str, action: str) -> None:
        super().__init__(state=state, action=action)
        self.state = state
        self.action = action


class PlatformUnknown(ContractRuleError):
    """The server's OS is not known yet (no successful scan, no operator entry)."""

    code = "platform_unknown"

    def __init__(self) -> None:
        super().__init__()


class PlatformNotOffered(ContractRuleError):
    code = "platform_not_offered"

    def __init__(self, *, platform: str) -> None:
        super().__init__(platform=platform)


class PlatformPastEndOfSupport(ContractRuleError):
    """The vendor's support ends before the service could start (R13)."""

    code = "platform_past_end_of_support"

    def __init__(self, *, platform: str, ends_on: date) -> None:
        super().__init__(platform=platform, ends_on=ends_on)
        self.ends_on = ends_on


class StartAfterEndOfSupport(ContractRuleError):
    code = "start_after_end_of_support"

    def __init__(self, *, start_date: date, ends_on: date) -> None:
        super().__init__(start_date=start_date, ends_on=ends_on)


class _CancellationError(ContractRuleError):
    """A refused cancellation date; every one says the earliest date that would be accepted."""

    earliest: date

    def __init__(self, *, earliest: date, **params: object) -> None:
        super().__init__(earliest=earliest, **params)
        self.earliest = earliest


class CancellationDateInPast(_CancellationError):
    code = "cancellation_date_in_past"

    def __init__(self, *, cancel_on: date, earliest: date) -> None:
        super().__init__(cancel_on=cancel_on, earliest=earliest)


class CancellationDateNotMonthEnd(_CancellationError):
    code = "cancellation_date_not_month_end"

    def __init__(self, *, cancel_on: date, month_end: date, earliest: date) -> None:
        super().__init__(cancel_on=cancel_on, month_end=month_end, earliest=earliest)


class CancellationTooLate(_CancellationError):
    """R12: the request must arrive by the last day of the month before the cancellation date."""

    code = "cancellation_too_late"

    def __init__(self, *, cancel_on: date, deadline: date, earliest: date) -> None:
        super().__init__(cancel_on=cancel_on, deadline=deadline, earliest=earliest)
        self.deadline = deadline


class MinimumTermNotReached(_CancellationError):
    """R13: the contract runs at least one month."""

    code = "minimum_term_not_reached"

    def __init__(self, *, cancel_on: date, minimum_end: date, earliest: date) -> None:
        super().__init__(cancel_on=cancel_on, minimum_end=minimum_end, earliest=earliest)
        self.minimum_end = minimum_end


class CancellationAfterServiceEnd(ContractRuleError):
    """The contract ends earlier anyway, at its platform's end of support (R13)."""

    code = "cancellation_after_service_end"

    def __init__(self, *, cancel_on: date, ends_on: date) -> None:
        super().__init__(cancel_on=cancel_on, ends_on=ends_on)
        self.ends_on = ends_on


class PlanChangeNotActive(ContractRuleError):
    """Only a contract in service (active, without a change already decided) changes plan."""

    code = "plan_change_not_active"

    def __init__(self, *, state: str) -> None:
        super().__init__(state=state)


class PlanChangeAfterCancellation(ContractRuleError):
    """A cancellation is pending: the service ends, there is no plan to change."""

    code = "plan_change_after_cancellation"

    def __init__(self, *, cancel_on: date) -> None:
        super().__init__(cancel_on=cancel_on)
        self.cancel_on = cancel_on


class PlanUnchanged(ContractRuleError):
    code = "plan_unchanged"

    def __init__(self, *, plan: str) -> None:
        super().__init__(plan=plan)
