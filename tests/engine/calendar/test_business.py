"""The business calendar on the real Japanese holidays of 2026 and 2027 (R4, R11)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from patchdesk.engine.calendar import (
    AnnualClosure,
    BusinessCalendar,
    BusinessHours,
    DateClosure,
    DayKind,
    NaiveDatetimeError,
    NoBusinessDayError,
    national_holidays,
)

TOKYO = ZoneInfo("Asia/Tokyo")
CALENDAR = BusinessCalendar()


def jst(*args: int) -> datetime:
    return datetime(*args, tzinfo=TOKYO)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("day", "kind", "name"),
    [
        (date(2027, 1, 8), DayKind.BUSINESS, ""),  # Friday
        (date(2027, 1, 9), DayKind.WEEKEND, ""),
        (date(2027, 1, 11), DayKind.PUBLIC_HOLIDAY, "Coming of Age Day"),
        (date(2026, 12, 28), DayKind.BUSINESS, ""),
        (date(2026, 12, 29), DayKind.CLOSURE, "Year-end and New Year holidays"),
        (date(2027, 1, 1), DayKind.PUBLIC_HOLIDAY, "New Year's Day"),
        (date(2027, 1, 4), DayKind.BUSINESS, ""),
        (date(2026, 9, 22), DayKind.PUBLIC_HOLIDAY, "National Holiday"),  # 国民の休日
        (date(2027, 3, 22), DayKind.PUBLIC_HOLIDAY, "Substitute Holiday"),  # 振替休日
        (date(2026, 5, 6), DayKind.PUBLIC_HOLIDAY, "Substitute Holiday"),
    ],
)
def test_days_of_2026_and_2027(day: date, kind: DayKind, name: str) -> None:
    info = CALENDAR.describe_day(day)
    assert info.kind is kind
    assert info.name == name


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # Friday before the Coming of Age Day (Monday 2027-01-11): Tuesday.
        (date(2027, 1, 8), date(2027, 1, 12)),
        # 28 December 2026, default closures 29 Dec - 3 Jan: Monday 4 January 2027.
        (date(2026, 12, 28), date(2027, 1, 4)),
        # Golden Week 2026: Thursday 30 April → Friday 1 May; Friday 1 May → Thursday 7 May.
        (date(2026, 4, 30), date(2026, 5, 1)),
        (date(2026, 5, 1), date(2026, 5, 7)),
        # Silver Week 2026: Friday 18 September → Thursday 24 September.
        (date(2026, 9, 18), date(2026, 9, 24)),
        # A Saturday → Monday; the day itself never counts.
        (date(2027, 2, 6), date(2027, 2, 8)),
        (date(2027, 2, 8), date(2027, 2, 9)),
    ],
)
def test_next_business_day(day: date, expected: date) -> None:
    assert CALENDAR.next_business_day(day) == expected


def test_add_business_days_crosses_holidays_and_closures() -> None:
    assert CALENDAR.add_business_days(date(2026, 12, 25), 1) == date(2026, 12, 28)
    assert CALENDAR.add_business_days(date(2026, 12, 25), 2) == date(2027, 1, 4)
    assert CALENDAR.add_business_days(date(2027, 1, 4), -2) == date(2026, 12, 25)
    assert CALENDAR.add_business_days(date(2027, 1, 9), 0) == date(2027, 1, 9)
    assert CALENDAR.count_business_days(date(2026, 12, 25), date(2027, 1, 4)) == 2


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (jst(2027, 1, 8, 10, 0), True),
        (jst(2027, 1, 8, 9, 59, 59), False),
        (jst(2027, 1, 8, 17, 59, 59), True),
        (jst(2027, 1, 8, 18, 0), False),
        (jst(2027, 1, 11, 12, 0), False),  # Coming of Age Day
        (jst(2026, 12, 30, 12, 0), False),  # closure
        # 02:00 UTC is 11:00 in Tokyo: business time, whatever the zone of the argument.
        (datetime(2027, 1, 12, 2, 0, tzinfo=ZoneInfo("UTC")), True),
        (datetime(2027, 1, 12, 9, 30, tzinfo=ZoneInfo("UTC")), False),  # 18:30 JST
    ],
)
def test_is_business_time(moment: datetime, expected: bool) -> None:
    assert CALENDAR.is_business_time(moment) is expected


def test_next_business_opening() -> None:
    assert CALENDAR.next_business_opening(jst(2027, 1, 8, 18, 0)) == jst(2027, 1, 12, 10, 0)
    assert CALENDAR.next_business_opening(jst(2027, 1, 12, 7, 0)) == jst(2027, 1, 12, 10, 0)
    assert CALENDAR.next_business_opening(jst(2027, 1, 12, 11, 0)) == jst(2027, 1, 12, 11, 0)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(NaiveDatetimeError):
        CALENDAR.is_business_time(datetime(2027, 1, 8, 12, 0))  # noqa: DTZ001


def test_closures_hours_and_weekdays_are_configurable() -> None:
    calendar = BusinessCalendar(
        time_zone="Europe/Berlin",
        hours=BusinessHours(opens_at=time(9), closes_at=time(17)),
        working_weekdays=frozenset({0, 1, 2, 3, 4, 5}),
        holiday_country=None,
        closures=(
            DateClosure(label="Move", starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 2)),
            AnnualClosure(label="Summer", start_month=8, start_day=13, end_month=8, end_day=16),
        ),
    )
    assert calendar.is_business_day(date(2027, 1, 9))  # a Saturday is a working day here
    assert calendar.is_business_day(date(2027, 1, 11))  # no Japanese holidays
    assert calendar.next_business_day(date(2027, 2, 27)) == date(2027, 3, 3)
    assert calendar.describe_day(date(2026, 8, 14)).name == "Summer"
    berlin = ZoneInfo("Europe/Berlin")
    assert calendar.is_business_time(datetime(2027, 1, 11, 9, 0, tzinfo=berlin))
    assert not calendar.is_business_time(datetime(2027, 1, 11, 17, 0, tzinfo=berlin))


def test_an_annual_closure_may_wrap_the_year_and_include_29_february() -> None:
    closure = AnnualClosure(label="x", start_month=12, start_day=29, end_month=1, end_day=3)
    assert [closure.covers(date(2027, 12, d)) for d in (28, 29, 31)] == [False, True, True]
    assert [closure.covers(date(2028, 1, d)) for d in (1, 3, 4)] == [True, True, False]
    assert AnnualClosure(label="leap", start_month=2, start_day=29, end_month=2, end_day=29)


@pytest.mark.parametrize(
    "arguments",
    [
        {"start_month": 13, "start_day": 1, "end_month": 1, "end_day": 1},
        {"start_month": 2, "start_day": 30, "end_month": 3, "end_day": 1},
        {"start_month": 1, "start_day": 1, "end_month": 4, "end_day": 31},
    ],
)
def test_invalid_closures_are_refused(arguments: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="invalid closure"):
        AnnualClosure(label="bad", **arguments)


def test_invalid_calendars_are_refused() -> None:
    with pytest.raises(ValueError, match="open"):
        BusinessHours(opens_at=time(18), closes_at=time(10))
    with pytest.raises(ValueError, match="working weekdays"):
        BusinessCalendar(working_weekdays=frozenset())
    with pytest.raises(ValueError, match="before it starts"):
        DateClosure(label="x", starts_on=date(2027, 1, 2), ends_on=date(2027, 1, 1))


def test_a_calendar_closed_every_day_says_so() -> None:
    closed = BusinessCalendar(
        closures=(AnnualClosure(label="all", start_month=1, start_day=1, end_month=12, end_day=31),)
    )
    with pytest.raises(NoBusinessDayError):
        closed.next_business_day(date(2027, 1, 1))


def test_holiday_names_in_japanese() -> None:
    names = national_holidays("JP", 2027, "ja")
    assert names[date(2027, 1, 11)] == "成人の日"
    assert len(national_holidays("JP", 2027)) == 17


def test_opening_and_closing_are_in_the_provider_zone() -> None:
    assert CALENDAR.opening(date(2027, 1, 12)) == jst(2027, 1, 12, 10)
    assert CALENDAR.closing(date(2027, 1, 12)) - CALENDAR.opening(date(2027, 1, 12)) == timedelta(
        hours=8
    )
