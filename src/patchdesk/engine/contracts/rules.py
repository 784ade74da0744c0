"""The contract rules of the service specification (R10-R13), as pure functions.

Decisions where the specification is silent are explained in docs/contracts.md:

* Start (R11): the first business day strictly after the provider-local calendar day on which
  the application was accepted, whatever the hour or kind of that day.
* Cancellation date (R12): the last day of service, always the last day of a month. The request
  must arrive (provider-local calendar day) by the last day of the month before it.
* Minimum term (R13): the cancellation date is on or after the start date plus one calendar
  month (clamped to the month's end), so a contract started 2027-01-12 ends 2027-02-12 at the
  earliest, and with month-end cancellation dates on 2027-02-28 at the earliest.
* End of support (R13): the service ends with the platform's end of support; the minimum term
  does not apply to that end. No contract may start after it.
* Plan change: a new contract for the other plan starts on the business day after the change
  was accepted (the R11 lead time); the old contract's last day is the day before. Neither the
  month-end rule nor the minimum term applies to that end: the service continues
  (``plan_changes``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from patchdesk.engine.calendar import BusinessCalendar
from patchdesk.engine.contracts.dates import add_months, is_month_end, month_end
from patchdesk.engine.contracts.errors import (
    CancellationAfterServiceEnd,
    CancellationDateInPast,
    CancellationDateNotMonthEnd,
    CancellationTooLate,
    MinimumTermNotReached,
    PlatformNotOffered,
    PlatformPastEndOfSupport,
    PlatformUnknown,
    StartAfterEndOfSupport,
)
from patchdesk.engine.contracts.plans import Plan
from patchdesk.engine.contracts.states import ContractAction, ContractState

__all__ = [
    "MINIMUM_TERM_MONTHS",
    "ContractFacts",
    "EndReason",
    "cancellation_deadline",
    "check_cancellation",
    "check_platform_open",
    "check_start",
    "due_action",
    "earliest_cancellation_date",
    "end_of_support_warning_due",
    "end_reason",
    "is_covered",
    "minimum_end_date",
    "start_date_for",
]

MINIMUM_TERM_MONTHS = 1


class EndReason(enum.StrEnum):
    CANCELLED = "cancelled"
    END_OF_SUPPORT = "end_of_support"
    PLAN_CHANGED = "plan_changed"  # a new contract for the other plan took over the next day


@dataclass(frozen=True, slots=True, kw_only=True)
class ContractFacts:
    """What the rules need to know about one contract."""

    state: ContractState
    plan: Plan
    start_date: date | None = None
    cancel_on: date | None = None  # the requested cancellation date (last day of service)
    support_ends_on: date | None = None  # the platform's end of support (last day covered)
    replaced_after: date | None = None  # an accepted plan change: the last day before the new one

    @property
    def ends_on(self) -> date | None:
        """The last day of service as known today: cancellation, end of support or the day
        before an accepted plan change, the earliest."""
        dates = [
            d for d in (self.cancel_on, self.support_ends_on, self.replaced_after) if d is not None
        ]
        return min(dates) if dates else None


# --- start ---------------------------------------------------------------------------------


def start_date_for(calendar: BusinessCalendar, accepted_at: datetime) -> date:
    """R11: the service starts on the business day after the day of acceptance."""
    return calendar.next_business_day(calendar.local_date(accepted_at))


def check_platform_open(
    calendar: BusinessCalendar,
    *,
    platform: str | None,
    is_offered: bool,
    support_ends_on: date | None,
    on: date,
) -> None:
    """Refuse an application when the platform cannot be contracted on day ``on``.

    The platform must be known and offered, and its end of support must not come before the
    earliest possible start (the business day after ``on``).
    """
    if platform is None:
        raise PlatformUnknown
    if not is_offered:
        raise PlatformNotOffered(platform=platform)
    if support_ends_on is not None and support_ends_on < calendar.next_business_day(on):
        raise PlatformPastEndOfSupport(platform=platform, ends_on=support_ends_on)


def check_start(*, start_date: date, support_ends_on: date | None) -> None:
    """Refuse an acceptance whose start date would fall after the platform's end of support."""
    if support_ends_on is not None and start_date > support_ends_on:
        raise StartAfterEndOfSupport(start_date=start_date, ends_on=support_ends_on)


# --- minimum term and cancellation ---------------------------------------------------------


def minimum_end_date(start_date: date) -> date:
    """R13: the earliest last day of service: one calendar month after the start."""
    return add_months(start_date, MINIMUM_TERM_MONTHS)


def cancellation_deadline(cancel_on: date) -> date:
    """R12: the last day a request for ``cancel_on`` may arrive (end of the month before)."""
    return cancel_on.replace(day=1) - timedelta(days=1)


def earliest_cancellation_date(*, start_date: date, requested_on: date) -> date:
    """The first month end that meets the notice rule (R12) and the minimum term (R13)."""
    by_notice = month_end(add_months(requested_on.replace(day=1), 1))
    by_term = month_end(minimum_end_date(start_date))
    return max(by_notice, by_term)


def check_cancellation(
    *, start_date: date, requested_on: date, cancel_on: date, support_ends_on: date | None
) -> date:
    """Return ``cancel_on`` if a request made on ``requested_on`` may end the contract then.

    Raises the first rule it breaks, each carrying the earliest acceptable date.
    """
    earliest = earliest_cancellation_date(start_date=start_date, requested_on=requested_on)
    if cancel_on <= requested_on:
        raise CancellationDateInPast(cancel_on=cancel_on, earliest=earliest)
    if not is_month_end(cancel_on):
        raise CancellationDateNotMonthEnd(
            cancel_on=cancel_on, month_end=month_end(cancel_on), earliest=earliest
        )
    deadline = cancellation_deadline(cancel_on)
    if requested_on > deadline:
        raise CancellationTooLate(cancel_on=cancel_on, deadline=deadline, earliest=earliest)
    minimum_end = minimum_end_date(start_date)
    if cancel_on < minimum_end:
        raise MinimumTermNotReached(cancel_on=cancel_on, minimum_end=minimum_end, earliest=earliest)
    if support_ends_on is not None and cancel_on >= support_ends_on:
        raise CancellationAfterServiceEnd(cancel_on=cancel_on, ends_on=support_ends_on)
    return cancel_on


# --- the running contract --------------------------------------------------------------------


def due_action(facts: ContractFacts, *, today: date) -> ContractAction | None:
    """What must happen to the contract today: end it, activate it, or nothing."""
    if facts.state in (
        ContractState.ACCEPTED,
        ContractState.ACTIVE,
        ContractState.CANCELLATION_REQUESTED,
    ):
        ends_on = facts.ends_on
        if ends_on is not None and ends_on < today:
            return ContractAction.END
    if facts.state is ContractState.ACCEPTED and facts.start_date and facts.start_date <= today:
        return ContractAction.ACTIVATE
    return None


def end_reason(facts: ContractFacts) -> EndReason:
    """Why the contract ends on ``facts.ends_on``; the vendor's end of support wins a tie."""
    ends_on = facts.ends_on
    if facts.support_ends_on is not None and facts.support_ends_on == ends_on:
        return EndReason.END_OF_SUPPORT
    if facts.replaced_after is not None and facts.replaced_after == ends_on:
        return EndReason.PLAN_CHANGED
    if facts.cancel_on is not None:
        return EndReason.CANCELLED
    return EndReason.END_OF_SUPPORT


def is_covered(*, start_date: date | None, ends_on: date | None, confirmed_on: date) -> bool:
    """R11: a vulnerability is covered when it was confirmed during the service period."""
    if start_date is None or confirmed_on < start_date:
        return False
    return ends_on is None or confirmed_on <= ends_on


def end_of_support_warning_due(
    *, support_ends_on: date | None, today: date, warning_days: int
) -> bool:
    """True from ``warning_days`` before the end of support until that day."""
    if support_ends_on is None:
        return False
    return support_ends_on - timedelta(days=warning_days) <= today <= support_ends_on
