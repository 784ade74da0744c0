"""Requests that are refused with their reason; windows, reminders and deadlines on the real
2027 calendar (S1: Monday 2027-01-11 is Coming of Age Day)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from patchdesk.engine.calendar import BusinessCalendar
from patchdesk.engine.contracts.plans import Plan
from patchdesk.engine.workflow.requests import RequestRefusalCode, check_request
from patchdesk.engine.workflow.states import ItemState
from patchdesk.engine.workflow.timing import (
    offer_windows,
    reminder_at,
    request_deadline,
    verification_deadline,
)

JST = ZoneInfo("Asia/Tokyo")
CALENDAR = BusinessCalendar()
FRIDAY = datetime(2027, 1, 8, 15, 0, tzinfo=JST)
DEADLINE = datetime(2027, 1, 22, 18, 0, tzinfo=JST)


@pytest.mark.parametrize(
    ("state", "level", "plan", "affected", "now", "paused", "code"),
    [
        (ItemState.AWAITING_REQUEST, "high", Plan.STANDARD, True, FRIDAY, False, None),
        (ItemState.AWAITING_REQUEST, "medium", Plan.SECURITY_UPDATE, True, FRIDAY, False, None),
        (ItemState.AWAITING_REQUEST, "medium", Plan.STANDARD, True, FRIDAY, False,
         RequestRefusalCode.NOT_COVERED),
        (ItemState.AWAITING_REQUEST, "medium", None, True, FRIDAY, False,
         RequestRefusalCode.NOT_COVERED),
        (ItemState.AWAITING_REQUEST, "high", Plan.STANDARD, False, FRIDAY, False,
         RequestRefusalCode.NOT_AFFECTED),
        (ItemState.REQUESTED, "high", Plan.STANDARD, True, FRIDAY, False,
         RequestRefusalCode.ALREADY_REQUESTED),
        (ItemState.AWAITING_REQUEST, "high", Plan.STANDARD, True, DEADLINE + timedelta(minutes=1),
         False, RequestRefusalCode.TOO_LATE),
        (ItemState.NOT_REQUESTED, "high", Plan.STANDARD, True, FRIDAY, False,
         RequestRefusalCode.TOO_LATE),
        (ItemState.VERIFIED, "high", Plan.STANDARD, True, FRIDAY, False, RequestRefusalCode.CLOSED),
        (ItemState.AWAITING_REQUEST, "high", Plan.STANDARD, True, FRIDAY, True,
         RequestRefusalCode.SERVICE_PAUSED),
        (ItemState.DECLINED, "high", Plan.STANDARD, True, FRIDAY, False, None),
    ],
)  # fmt: skip
def test_check_request(
    state: ItemState, level: str, plan: Plan | None, affected: bool, now: datetime,
    paused: bool, code: RequestRefusalCode | None,
) -> None:  # fmt: skip
    refusal = check_request(
        state, level=level, plan=plan, is_affected=affected, deadline_at=DEADLINE, now=now,
        is_paused=paused,
    )  # fmt: skip
    assert (refusal.code if refusal else None) == code


def test_the_earliest_windows_are_the_next_business_days() -> None:
    windows = offer_windows(
        CALENDAR, now=FRIDAY, duration=timedelta(hours=2), count=8, capacity=1,
        booked={datetime(2027, 1, 12, 11, 0, tzinfo=JST): 1},
    )  # fmt: skip
    starts = [w.starts_at.astimezone(JST).strftime("%m-%d %H:%M") for w in windows]
    assert starts == [
        "01-12 10:00", "01-12 12:00", "01-12 13:00", "01-12 14:00", "01-12 15:00", "01-12 16:00",
        "01-13 10:00", "01-13 11:00",
    ]  # fmt: skip
    assert all(not w.is_off_hours for w in windows)
    assert all(w.ends_at.astimezone(JST).hour <= 18 for w in windows)


def test_reminder_is_the_business_day_before() -> None:
    tuesday = datetime(2027, 1, 12, 13, 0, tzinfo=JST)
    assert reminder_at(CALENDAR, tuesday) == datetime(2027, 1, 8, 10, 0, tzinfo=JST)


def test_deadlines_count_business_days() -> None:
    assert request_deadline(CALENDAR, FRIDAY, business_days=5) == datetime(
        2027, 1, 18, 18, 0, tzinfo=JST
    )
    december = datetime(2026, 12, 28, 12, 0, tzinfo=JST)
    assert verification_deadline(CALENDAR, december, business_days=1) == datetime(
        2027, 1, 4, 18, 0, tzinfo=JST
    )
