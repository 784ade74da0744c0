"""Plan changes (R2, R11): who may change, when the new plan takes effect, how the old
contract ends and what each contract then covers."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from patchdesk.engine.calendar import BusinessCalendar
from patchdesk.engine.contracts import (
    ContractAction,
    ContractFacts,
    ContractRuleError,
    ContractState,
    EndReason,
    Plan,
    PlanChangeAfterCancellation,
    PlanChangeNotActive,
    PlanUnchanged,
    check_plan_change,
    due_action,
    end_reason,
    is_covered,
    last_day_before_change,
    plan_change_effective_on,
)

TOKYO = ZoneInfo("Asia/Tokyo")
CALENDAR = BusinessCalendar()


def active(plan: Plan = Plan.STANDARD, **overrides: object) -> ContractFacts:
    values: dict[str, object] = {
        "state": ContractState.ACTIVE,
        "plan": plan,
        "start_date": date(2027, 1, 12),
        "support_ends_on": date(2028, 6, 30),
    }
    values.update(overrides)
    return ContractFacts(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("facts", "to_plan"),
    [
        (active(Plan.STANDARD), Plan.SECURITY_UPDATE),  # the upgrade
        (active(Plan.SECURITY_UPDATE), Plan.STANDARD),  # the downgrade, by the same rule
    ],
)
def test_an_active_contract_changes_to_the_other_plan(facts: ContractFacts, to_plan: Plan) -> None:
    check_plan_change(facts, to_plan=to_plan)


@pytest.mark.parametrize(
    ("facts", "error", "params"),
    [
        (active(state=ContractState.APPLIED, start_date=None), PlanChangeNotActive, {}),
        (active(state=ContractState.ACCEPTED), PlanChangeNotActive, {}),
        (active(state=ContractState.ENDED), PlanChangeNotActive, {}),
        # A change already accepted fixed the contract's last day.
        (active(replaced_after=date(2027, 3, 14)), PlanChangeNotActive, {"state": "active"}),
        (
            active(state=ContractState.CANCELLATION_REQUESTED, cancel_on=date(2027, 3, 31)),
            PlanChangeAfterCancellation,
            {"cancel_on": date(2027, 3, 31)},
        ),
        (active(Plan.SECURITY_UPDATE), PlanUnchanged, {"plan": "security_update"}),
    ],
)
def test_refusals_carry_their_reason(
    facts: ContractFacts, error: type[ContractRuleError], params: dict[str, object]
) -> None:
    with pytest.raises(error) as caught:
        check_plan_change(facts, to_plan=Plan.SECURITY_UPDATE)
    assert params.items() <= caught.value.params.items()


@pytest.mark.parametrize(
    ("accepted_at", "effective_on", "last_day"),
    [
        # Accepted on Friday 2027-03-12: the upgrade takes effect on Monday the 15th.
        (datetime(2027, 3, 12, 15, 0, tzinfo=TOKYO), date(2027, 3, 15), date(2027, 3, 14)),
        # Accepted on Friday 2027-01-08, Monday the 11th a holiday: Tuesday the 12th.
        (datetime(2027, 1, 8, 15, 0, tzinfo=TOKYO), date(2027, 1, 12), date(2027, 1, 11)),
        # Over the year end (closed 29 Dec - 3 Jan): Monday 2027-01-04.
        (datetime(2026, 12, 28, 17, 0, tzinfo=TOKYO), date(2027, 1, 4), date(2027, 1, 3)),
        # Accepted on a month's last day: the old plan ends that day, the new one starts on the
        # 1st when that is a business day (2027-04-01 is a Thursday).
        (datetime(2027, 3, 31, 12, 0, tzinfo=TOKYO), date(2027, 4, 1), date(2027, 3, 31)),
    ],
)
def test_the_new_plan_takes_effect_on_the_next_business_day(
    accepted_at: datetime, effective_on: date, last_day: date
) -> None:
    assert plan_change_effective_on(CALENDAR, accepted_at) == effective_on
    assert last_day_before_change(effective_on) == last_day


def test_the_old_contract_ends_the_day_before_without_the_cancellation_rules() -> None:
    # Not a month end, one week after the start: no month-end rule, no minimum term.
    old = active(start_date=date(2027, 3, 8), replaced_after=date(2027, 3, 14))
    assert old.ends_on == date(2027, 3, 14)
    assert due_action(old, today=date(2027, 3, 14)) is None
    assert due_action(old, today=date(2027, 3, 15)) is ContractAction.END
    assert end_reason(old) is EndReason.PLAN_CHANGED
    new = ContractFacts(
        state=ContractState.ACCEPTED,
        plan=Plan.SECURITY_UPDATE,
        start_date=date(2027, 3, 15),
        support_ends_on=date(2028, 6, 30),
    )
    assert due_action(new, today=date(2027, 3, 15)) is ContractAction.ACTIVATE


def test_the_vendor_end_of_support_still_wins_when_it_comes_first() -> None:
    old = active(replaced_after=date(2027, 3, 14), support_ends_on=date(2027, 3, 10))
    assert old.ends_on == date(2027, 3, 10)
    assert end_reason(old) is EndReason.END_OF_SUPPORT
    tie = active(replaced_after=date(2027, 3, 14), support_ends_on=date(2027, 3, 14))
    assert end_reason(tie) is EndReason.END_OF_SUPPORT


def test_only_what_is_confirmed_from_the_effective_day_is_covered_at_the_new_level() -> None:
    # R11: the Security Update Service contract covers from its own start only.
    sus_start = date(2027, 3, 15)
    assert not is_covered(start_date=sus_start, ends_on=None, confirmed_on=date(2027, 3, 12))
    assert is_covered(start_date=sus_start, ends_on=None, confirmed_on=date(2027, 3, 15))
