"""Contract rules as tables: start (R11), cancellation (R12), minimum term, end of support."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from patchdesk.engine.calendar import BusinessCalendar
from patchdesk.engine.contracts import (
    CancellationAfterServiceEnd,
    CancellationDateInPast,
    CancellationDateNotMonthEnd,
    CancellationTooLate,
    ContractAction,
    ContractFacts,
    ContractRuleError,
    ContractState,
    EndReason,
    MinimumTermNotReached,
    Plan,
    PlatformNotOffered,
    PlatformPastEndOfSupport,
    PlatformUnknown,
    StartAfterEndOfSupport,
    add_months,
    cancellation_deadline,
    check_cancellation,
    check_platform_open,
    check_start,
    due_action,
    earliest_cancellation_date,
    end_of_support_warning_due,
    end_reason,
    is_covered,
    minimum_end_date,
    plan_covers,
    start_date_for,
)

TOKYO = ZoneInfo("Asia/Tokyo")
CALENDAR = BusinessCalendar()


@pytest.mark.parametrize(
    ("accepted_at", "start"),
    [
        # S1: Friday 2027-01-08 15:00, Monday the 11th is Coming of Age Day.
        (datetime(2027, 1, 8, 15, 0, tzinfo=TOKYO), date(2027, 1, 12)),
        # Accepted on 28 December 2026: closed 29 Dec - 3 Jan, so Monday 4 January 2027.
        (datetime(2026, 12, 28, 11, 0, tzinfo=TOKYO), date(2027, 1, 4)),
        (datetime(2026, 12, 28, 20, 0, tzinfo=TOKYO), date(2027, 1, 4)),
        # The hour does not matter: a late or early acceptance counts for its calendar day.
        (datetime(2027, 1, 12, 23, 59, tzinfo=TOKYO), date(2027, 1, 13)),
        (datetime(2027, 1, 13, 0, 5, tzinfo=TOKYO), date(2027, 1, 14)),
        # Accepted on a Saturday or a holiday: the next business day.
        (datetime(2027, 1, 9, 12, 0, tzinfo=TOKYO), date(2027, 1, 12)),
        (datetime(2027, 1, 11, 12, 0, tzinfo=TOKYO), date(2027, 1, 12)),
        # The provider's day counts, not UTC's: 2027-01-08 16:00 UTC is Saturday 01:00 in Tokyo.
        (datetime(2027, 1, 8, 16, 0, tzinfo=ZoneInfo("UTC")), date(2027, 1, 12)),
        (datetime(2027, 1, 8, 14, 0, tzinfo=ZoneInfo("UTC")), date(2027, 1, 12)),
    ],
)
def test_start_date_is_the_next_business_day_after_acceptance(
    accepted_at: datetime, start: date
) -> None:
    assert start_date_for(CALENDAR, accepted_at) == start


@pytest.mark.parametrize(
    ("start", "minimum_end"),
    [
        (date(2027, 1, 12), date(2027, 2, 12)),  # S6
        (date(2027, 1, 31), date(2027, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),
        (date(2027, 12, 15), date(2028, 1, 15)),
    ],
)
def test_minimum_term_is_one_calendar_month(start: date, minimum_end: date) -> None:
    assert minimum_end_date(start) == minimum_end


@pytest.mark.parametrize(
    ("cancel_on", "deadline"),
    [
        (date(2027, 3, 31), date(2027, 2, 28)),
        (date(2027, 4, 30), date(2027, 3, 31)),
        (date(2028, 1, 31), date(2027, 12, 31)),
        (date(2028, 3, 31), date(2028, 2, 29)),
    ],
)
def test_cancellation_deadline_is_the_end_of_the_month_before(
    cancel_on: date, deadline: date
) -> None:
    assert cancellation_deadline(cancel_on) == deadline


# start, requested on, cancel on, support ends on → accepted date or (error, earliest)
CANCELLATIONS = [
    # S6: on 2027-02-15 db1 asks for 2027-03-31: allowed.
    (date(2027, 1, 12), date(2027, 2, 15), date(2027, 3, 31), None, date(2027, 3, 31)),
    # The last day of the month before is still in time.
    (date(2027, 1, 12), date(2027, 2, 28), date(2027, 3, 31), None, date(2027, 3, 31)),
    # S6: on 2027-03-05 web1 asks for 2027-03-31: too late, the earliest is 2027-04-30.
    (
        date(2027, 1, 12),
        date(2027, 3, 5),
        date(2027, 3, 31),
        None,
        (CancellationTooLate, date(2027, 4, 30)),
    ),
    # Minimum term: started 2027-01-12, a request on 01-20 for 01-31 is too late anyway, and
    # one for 02-28 is the earliest (02-12 is the minimum end, cancellations are month ends).
    (
        date(2027, 1, 12),
        date(2027, 1, 20),
        date(2027, 1, 31),
        None,
        (CancellationTooLate, date(2027, 2, 28)),
    ),
    (date(2027, 1, 12), date(2027, 1, 20), date(2027, 2, 28), None, date(2027, 2, 28)),
    # Started 2027-01-04 (accepted 28 Dec), asked on 2026-12-28 for 2027-01-31: notice is met
    # (by 12-31) but not the minimum term (02-04).
    (
        date(2027, 1, 4),
        date(2026, 12, 28),
        date(2027, 1, 31),
        None,
        (MinimumTermNotReached, date(2027, 2, 28)),
    ),
    # A day that is not a month end.
    (
        date(2027, 1, 12),
        date(2027, 2, 15),
        date(2027, 3, 15),
        None,
        (CancellationDateNotMonthEnd, date(2027, 3, 31)),
    ),
    # A date in the past or today.
    (
        date(2027, 1, 12),
        date(2027, 2, 28),
        date(2027, 2, 28),
        None,
        (CancellationDateInPast, date(2027, 3, 31)),
    ),
    (
        date(2026, 1, 12),
        date(2027, 2, 15),
        date(2026, 12, 31),
        None,
        (CancellationDateInPast, date(2027, 3, 31)),
    ),
    # The platform's support ends before: the contract ends then anyway.
    (
        date(2027, 1, 12),
        date(2027, 2, 15),
        date(2027, 6, 30),
        date(2027, 6, 30),
        (CancellationAfterServiceEnd, None),
    ),
    (date(2027, 1, 12), date(2027, 2, 15), date(2027, 5, 31), date(2027, 6, 30), date(2027, 5, 31)),
]


@pytest.mark.parametrize(("start", "requested_on", "cancel_on", "eos", "expected"), CANCELLATIONS)
def test_cancellation_rules(
    start: date, requested_on: date, cancel_on: date, eos: date | None, expected: object
) -> None:
    if isinstance(expected, date):
        assert (
            check_cancellation(
                start_date=start,
                requested_on=requested_on,
                cancel_on=cancel_on,
                support_ends_on=eos,
            )
            == expected
        )
        return
    assert isinstance(expected, tuple)
    error_type, earliest = expected
    with pytest.raises(error_type) as caught:
        check_cancellation(
            start_date=start, requested_on=requested_on, cancel_on=cancel_on, support_ends_on=eos
        )
    if earliest is not None:
        assert caught.value.earliest == earliest
        assert caught.value.params["earliest"] == earliest
    assert isinstance(caught.value, ContractRuleError)


@pytest.mark.parametrize(
    ("start", "requested_on", "earliest"),
    [
        (date(2027, 1, 12), date(2027, 2, 15), date(2027, 3, 31)),
        (date(2027, 1, 12), date(2027, 3, 5), date(2027, 4, 30)),
        (date(2027, 1, 12), date(2027, 1, 12), date(2027, 2, 28)),
        (date(2027, 1, 31), date(2027, 1, 31), date(2027, 2, 28)),
        (date(2027, 2, 1), date(2027, 2, 1), date(2027, 3, 31)),
        (date(2027, 11, 15), date(2027, 12, 31), date(2028, 1, 31)),
    ],
)
def test_earliest_cancellation_date(start: date, requested_on: date, earliest: date) -> None:
    assert earliest_cancellation_date(start_date=start, requested_on=requested_on) == earliest
    # and it is itself accepted
    assert (
        check_cancellation(
            start_date=start, requested_on=requested_on, cancel_on=earliest, support_ends_on=None
        )
        == earliest
    )


@pytest.mark.parametrize(
    ("platform", "offered", "eos", "on", "error"),
    [
        ("debian:12", True, date(2028, 6, 30), date(2027, 1, 8), None),
        ("debian:12", True, None, date(2027, 1, 8), None),
        # S1: CentOS 7, support ended 2024-06-30.
        ("centos:7", True, date(2024, 6, 30), date(2027, 1, 8), PlatformPastEndOfSupport),
        # Ends on the Monday holiday: the service could only start on Tuesday.
        ("x:1", True, date(2027, 1, 11), date(2027, 1, 8), PlatformPastEndOfSupport),
        ("x:1", True, date(2027, 1, 12), date(2027, 1, 8), None),
        ("x:1", False, None, date(2027, 1, 8), PlatformNotOffered),
        (None, True, None, date(2027, 1, 8), PlatformUnknown),
    ],
)
def test_platforms_open_to_applications(
    platform: str | None, offered: bool, eos: date | None, on: date, error: type[Exception] | None
) -> None:
    if error is None:
        check_platform_open(
            CALENDAR, platform=platform, is_offered=offered, support_ends_on=eos, on=on
        )
    else:
        with pytest.raises(error):
            check_platform_open(
                CALENDAR, platform=platform, is_offered=offered, support_ends_on=eos, on=on
            )


def test_a_contract_cannot_start_after_end_of_support() -> None:
    check_start(start_date=date(2027, 1, 12), support_ends_on=date(2027, 1, 12))
    with pytest.raises(StartAfterEndOfSupport):
        check_start(start_date=date(2027, 1, 13), support_ends_on=date(2027, 1, 12))


def facts(state: ContractState, **kwargs: object) -> ContractFacts:
    return ContractFacts(state=state, plan=Plan.STANDARD, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("contract", "today", "action"),
    [
        (facts(ContractState.ACCEPTED, start_date=date(2027, 1, 12)), date(2027, 1, 11), None),
        (
            facts(ContractState.ACCEPTED, start_date=date(2027, 1, 12)),
            date(2027, 1, 12),
            ContractAction.ACTIVATE,
        ),
        (facts(ContractState.ACTIVE, start_date=date(2027, 1, 12)), date(2030, 1, 1), None),
        (
            facts(ContractState.CANCELLATION_REQUESTED, cancel_on=date(2027, 3, 31)),
            date(2027, 3, 31),
            None,
        ),
        (
            facts(ContractState.CANCELLATION_REQUESTED, cancel_on=date(2027, 3, 31)),
            date(2027, 4, 1),
            ContractAction.END,
        ),
        (
            facts(ContractState.ACTIVE, support_ends_on=date(2028, 6, 30)),
            date(2028, 7, 1),
            ContractAction.END,
        ),
        (
            facts(
                ContractState.ACCEPTED,
                start_date=date(2027, 1, 12),
                support_ends_on=date(2027, 1, 10),
            ),
            date(2027, 1, 12),
            ContractAction.END,
        ),
        (facts(ContractState.APPLIED), date(2030, 1, 1), None),
        (facts(ContractState.ENDED, support_ends_on=date(2020, 1, 1)), date(2030, 1, 1), None),
    ],
)
def test_due_action(contract: ContractFacts, today: date, action: ContractAction | None) -> None:
    assert due_action(contract, today=today) is action


def test_end_reason_and_last_day() -> None:
    cancelled = facts(
        ContractState.CANCELLATION_REQUESTED,
        cancel_on=date(2027, 3, 31),
        support_ends_on=date(2028, 6, 30),
    )
    assert cancelled.ends_on == date(2027, 3, 31)
    assert end_reason(cancelled) is EndReason.CANCELLED
    by_vendor = facts(ContractState.ACTIVE, support_ends_on=date(2028, 6, 30))
    assert by_vendor.ends_on == date(2028, 6, 30)
    assert end_reason(by_vendor) is EndReason.END_OF_SUPPORT
    assert facts(ContractState.ACTIVE).ends_on is None


@pytest.mark.parametrize(
    ("confirmed_on", "covered"),
    [
        (date(2027, 1, 11), False),  # before the start: not covered (R11)
        (date(2027, 1, 12), True),
        (date(2027, 3, 31), True),
        (date(2027, 4, 1), False),
    ],
)
def test_coverage_follows_the_service_period(confirmed_on: date, covered: bool) -> None:
    assert (
        is_covered(
            start_date=date(2027, 1, 12), ends_on=date(2027, 3, 31), confirmed_on=confirmed_on
        )
        is covered
    )
    assert not is_covered(start_date=None, ends_on=None, confirmed_on=confirmed_on)


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (date(2028, 3, 31), False),
        (date(2028, 4, 1), True),  # 90 days before 2028-06-30
        (date(2028, 6, 30), True),
        (date(2028, 7, 1), False),
    ],
)
def test_end_of_support_warning_window(today: date, due: bool) -> None:
    assert (
        end_of_support_warning_due(support_ends_on=date(2028, 6, 30), today=today, warning_days=90)
        is due
    )
    assert not end_of_support_warning_due(support_ends_on=None, today=today, warning_days=90)


def test_plans_cover_levels() -> None:
    assert plan_covers(Plan.STANDARD, "high")
    assert not plan_covers(Plan.STANDARD, "medium")
    assert plan_covers(Plan.SECURITY_UPDATE, "medium")
    assert not plan_covers(Plan.SECURITY_UPDATE, "out_of_scope")


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2027, 12, 31), 2, date(2028, 2, 29)),
        (date(2027, 3, 31), -1, date(2027, 2, 28)),
        (date(2027, 1, 15), 12, date(2028, 1, 15)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected
