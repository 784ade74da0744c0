"""Plan changes (R2, R11): Standard ⇄ Security Update Service on a running contract.

A plan change is an application for a new contract that replaces the running one:

* it can be asked for an **active** contract only (not before the service started, not once a
  cancellation is pending, not twice), for the other plan;
* once accepted, the new contract starts on the **business day after the day of acceptance**,
  the same lead time as a new application (:func:`start_date_for`), and the old contract's
  last day is the day before: the service continues without a gap or an overlap, so neither
  the month-end rule nor the minimum term applies to the old contract's end;
* only vulnerabilities confirmed on or after the new contract's start are covered at the new
  level (R11).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from patchdesk.engine.calendar import BusinessCalendar
from patchdesk.engine.contracts.errors import (
    PlanChangeAfterCancellation,
    PlanChangeNotActive,
    PlanUnchanged,
)
from patchdesk.engine.contracts.plans import Plan
from patchdesk.engine.contracts.rules import ContractFacts, start_date_for
from patchdesk.engine.contracts.states import ContractState

__all__ = ["check_plan_change", "last_day_before_change", "plan_change_effective_on"]


def check_plan_change(facts: ContractFacts, *, to_plan: Plan) -> None:
    """Refuse a change of ``facts``'s contract to ``to_plan`` that the rules do not allow."""
    if facts.state is ContractState.CANCELLATION_REQUESTED:
        assert facts.cancel_on is not None
        raise PlanChangeAfterCancellation(cancel_on=facts.cancel_on)
    if facts.state is not ContractState.ACTIVE:
        raise PlanChangeNotActive(state=facts.state.value)
    if facts.replaced_after is not None:
        raise PlanChangeNotActive(state=facts.state.value)
    if to_plan is facts.plan:
        raise PlanUnchanged(plan=to_plan.value)


def plan_change_effective_on(calendar: BusinessCalendar, accepted_at: datetime) -> date:
    """The new plan's first day: the business day after the day of acceptance (R11)."""
    return start_date_for(calendar, accepted_at)


def last_day_before_change(effective_on: date) -> date:
    """The old contract's last day of service: the day before the new plan takes effect."""
    return effective_on - timedelta(days=1)
