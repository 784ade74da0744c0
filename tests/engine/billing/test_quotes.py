"""Off-hours quotes: amounts per kind of time and basis, tax, and the quote's states (R4, R8)."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from patchdesk.engine.billing import (
    QUOTE_TRANSITIONS,
    MonthlyFee,
    NoOffHoursRate,
    OffHoursRate,
    PriceTable,
    QuoteAction,
    QuoteNotNeeded,
    QuoteState,
    QuoteTransitionNotAllowed,
    QuoteWindowStarted,
    RateBasis,
    check_quote_acceptance,
    estimate_off_hours_work,
    next_quote_state,
    quote_expiry_due,
)
from patchdesk.engine.calendar import BusinessCalendar, TimeKind
from patchdesk.engine.contracts import Plan

TOKYO = ZoneInfo("Asia/Tokyo")
CALENDAR = BusinessCalendar()


def jst(*args: int) -> datetime:
    return datetime(*args, tzinfo=TOKYO)  # type: ignore[misc]


def table(night: RateBasis, holiday: RateBasis) -> PriceTable:
    return PriceTable(
        version="2027",
        valid_from=date(2027, 1, 1),
        monthly_fees=(MonthlyFee(plan=Plan.STANDARD, amount=Decimal(3000)),),
        off_hours_rates=(
            OffHoursRate(kind=TimeKind.WEEKDAY_NIGHT, basis=night, amount=Decimal(12000)),
            OffHoursRate(kind=TimeKind.HOLIDAY, basis=holiday, amount=Decimal(15000)),
        ),
    )


HOURLY = table(RateBasis.HOURLY, RateBasis.HOURLY)
FIXED = table(RateBasis.FIXED, RateBasis.FIXED)


def test_saturday_work_is_holiday_hours_rounded_up() -> None:
    # S3: Saturday 2027-01-16, 13:00-15:30 → 3 started hours at the holiday rate.
    estimate = estimate_off_hours_work(
        CALENDAR, HOURLY, starts_at=jst(2027, 1, 16, 13), ends_at=jst(2027, 1, 16, 15, 30)
    )
    assert [(line.kind, line.quantity, line.amount) for line in estimate.lines] == [
        (TimeKind.HOLIDAY, Decimal(3), Decimal(45000))
    ]
    assert (estimate.subtotal, estimate.tax, estimate.total) == (
        Decimal(45000),
        Decimal(4500),
        Decimal(49500),
    )
    assert estimate.price_version == "2027"


def test_a_window_spanning_business_hours_night_and_holiday() -> None:
    # Friday 2027-01-08 17:00 to Saturday 02:00: 1 h business (free), 6 h night, 2 h holiday.
    estimate = estimate_off_hours_work(
        CALENDAR, HOURLY, starts_at=jst(2027, 1, 8, 17), ends_at=jst(2027, 1, 9, 2)
    )
    assert [(line.kind, line.quantity, line.amount) for line in estimate.lines] == [
        (TimeKind.WEEKDAY_NIGHT, Decimal(6), Decimal(72000)),
        (TimeKind.HOLIDAY, Decimal(2), Decimal(30000)),
    ]
    assert estimate.total == Decimal(112200)


def test_fixed_rates_count_windows_not_hours() -> None:
    # Two weekday nights (Tue and Wed evenings) and no holiday.
    estimate = estimate_off_hours_work(
        CALENDAR, FIXED, starts_at=jst(2027, 1, 12, 17), ends_at=jst(2027, 1, 14, 9)
    )
    assert [(line.kind, line.quantity, line.amount) for line in estimate.lines] == [
        (TimeKind.WEEKDAY_NIGHT, Decimal(2), Decimal(24000))
    ]


def test_work_in_business_hours_needs_no_quote() -> None:
    with pytest.raises(QuoteNotNeeded):
        estimate_off_hours_work(
            CALENDAR, HOURLY, starts_at=jst(2027, 1, 12, 10), ends_at=jst(2027, 1, 12, 18)
        )


def test_a_missing_rate_is_named() -> None:
    partial = PriceTable(version="p", valid_from=date(2027, 1, 1))
    with pytest.raises(NoOffHoursRate) as caught:
        estimate_off_hours_work(
            CALENDAR, partial, starts_at=jst(2027, 1, 16, 13), ends_at=jst(2027, 1, 16, 14)
        )
    assert caught.value.params == {"version": "p", "kind": "holiday"}


ALLOWED = {
    (QuoteState.DRAFT, QuoteAction.SEND): QuoteState.SENT,
    (QuoteState.SENT, QuoteAction.ACCEPT): QuoteState.ACCEPTED,
    (QuoteState.SENT, QuoteAction.DECLINE): QuoteState.DECLINED,
    (QuoteState.SENT, QuoteAction.EXPIRE): QuoteState.EXPIRED,
}


@pytest.mark.parametrize(("state", "action"), list(itertools.product(QuoteState, QuoteAction)))
def test_quote_transitions(state: QuoteState, action: QuoteAction) -> None:
    if (state, action) in ALLOWED:
        assert next_quote_state(state, action) is ALLOWED[(state, action)]
    else:
        with pytest.raises(QuoteTransitionNotAllowed):
            next_quote_state(state, action)
    assert dict(QUOTE_TRANSITIONS) == ALLOWED


def test_acceptance_only_before_the_work_starts() -> None:
    starts = jst(2027, 1, 16, 13)
    check_quote_acceptance(state=QuoteState.SENT, now=jst(2027, 1, 15, 12), work_starts_at=starts)
    with pytest.raises(QuoteWindowStarted):
        check_quote_acceptance(state=QuoteState.SENT, now=starts, work_starts_at=starts)
    with pytest.raises(QuoteTransitionNotAllowed):
        check_quote_acceptance(
            state=QuoteState.DRAFT, now=jst(2027, 1, 15, 12), work_starts_at=starts
        )


@pytest.mark.parametrize(
    ("state", "today", "now", "due"),
    [
        (QuoteState.SENT, date(2027, 1, 14), jst(2027, 1, 14, 12), False),
        (QuoteState.SENT, date(2027, 1, 15), jst(2027, 1, 15, 0, 1), True),  # after valid_until
        (QuoteState.SENT, date(2027, 1, 14), jst(2027, 1, 16, 13), True),  # the work started
        (QuoteState.DRAFT, date(2027, 2, 1), jst(2027, 2, 1, 12), False),
        (QuoteState.ACCEPTED, date(2027, 2, 1), jst(2027, 2, 1, 12), False),
    ],
)
def test_expiry(state: QuoteState, today: date, now: datetime, due: bool) -> None:
    assert (
        quote_expiry_due(
            state=state,
            valid_until=date(2027, 1, 14),
            today=today,
            now=now,
            work_starts_at=jst(2027, 1, 16, 13),
        )
        is due
    )
