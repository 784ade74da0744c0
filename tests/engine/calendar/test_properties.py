"""Properties of the business calendar, for any day, any count and any configuration."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from patchdesk.engine.calendar import (
    AnnualClosure,
    BusinessCalendar,
    BusinessHours,
    DateClosure,
    TimeKind,
    split_window,
)

DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31))
ZONES = st.sampled_from(["Asia/Tokyo", "UTC", "Europe/Berlin", "America/New_York"])


@st.composite
def annual_closures(draw: st.DrawFn) -> AnnualClosure:
    """A yearly closure of up to 40 days, possibly wrapping the turn of the year."""
    start = draw(st.dates(min_value=date(2001, 1, 1), max_value=date(2001, 12, 31)))
    end = start + timedelta(days=draw(st.integers(0, 40)))
    return AnnualClosure(
        label="annual",
        start_month=start.month,
        start_day=start.day,
        end_month=end.month,
        end_day=end.day,
    )


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    opens = draw(st.integers(min_value=0, max_value=22))
    closes = draw(st.integers(min_value=opens + 1, max_value=23))
    weekdays = draw(st.frozensets(st.integers(min_value=0, max_value=6), min_size=1))
    annual = draw(st.lists(annual_closures(), max_size=2))
    once = draw(
        st.lists(
            st.builds(
                lambda start, length: DateClosure(
                    label="once", starts_on=start, ends_on=start + timedelta(days=length)
                ),
                DAYS,
                st.integers(0, 20),
            ),
            max_size=2,
        )
    )
    return BusinessCalendar(
        time_zone=draw(ZONES),
        hours=BusinessHours(opens_at=time(opens), closes_at=time(closes)),
        working_weekdays=weekdays,
        holiday_country=draw(st.sampled_from(["JP", None])),
        closures=(*annual, *once),
    )


@given(day=DAYS, calendar=calendars())
def test_the_next_business_day_is_the_first_one_after(
    day: date, calendar: BusinessCalendar
) -> None:
    following = calendar.next_business_day(day)
    assert following > day
    assert calendar.is_business_day(following)
    assert calendar.count_business_days(day, following) == 1
    skipped = (day + timedelta(days=n) for n in range(1, (following - day).days))
    assert not any(calendar.is_business_day(d) for d in skipped)


@given(day=DAYS, count=st.integers(min_value=0, max_value=30), calendar=calendars())
def test_adding_business_days_counts_exactly_that_many(
    day: date, count: int, calendar: BusinessCalendar
) -> None:
    result = calendar.add_business_days(day, count)
    assert calendar.count_business_days(day, result) == count
    if count:
        assert calendar.is_business_day(result)
        assert calendar.add_business_days(result, -count) <= day


@given(day=DAYS, count=st.integers(min_value=0, max_value=30))
def test_adding_and_subtracting_from_a_business_day_returns_to_it(day: date, count: int) -> None:
    calendar = BusinessCalendar()
    start = day if calendar.is_business_day(day) else calendar.next_business_day(day)
    assert calendar.add_business_days(calendar.add_business_days(start, count), -count) == start


@given(
    calendar=calendars(),
    start=st.datetimes(
        min_value=datetime(2024, 1, 1),  # noqa: DTZ001  (made aware below)
        max_value=datetime(2030, 12, 31),  # noqa: DTZ001
        timezones=st.just(ZoneInfo("UTC")),
    ),
    length_min=st.integers(min_value=0, max_value=60 * 24 * 9),
)
@settings(max_examples=200)
def test_windows_cover_the_interval_and_agree_with_business_time(
    calendar: BusinessCalendar, start: datetime, length_min: int
) -> None:
    end = start + timedelta(minutes=length_min)
    windows = split_window(calendar, start, end)
    assert sum((w.duration for w in windows), timedelta()) == end - start
    if windows:
        assert windows[0].starts_at == start
        assert windows[-1].ends_at == end
    for before, after in itertools.pairwise(windows):
        assert before.ends_at == after.starts_at
        assert before.kind is not after.kind
    for window in windows:
        assert window.starts_at < window.ends_at
        last_instant = window.ends_at - timedelta(microseconds=1)
        for moment in (window.starts_at, last_instant):
            is_business = calendar.is_business_time(moment)
            assert is_business is (window.kind is TimeKind.BUSINESS)
            if window.kind is TimeKind.HOLIDAY:
                assert not calendar.is_business_day(calendar.local_date(moment))
            if window.kind is TimeKind.WEEKDAY_NIGHT:
                assert calendar.is_business_day(calendar.local_date(moment))


@given(
    moment=st.datetimes(
        min_value=datetime(2024, 1, 1),  # noqa: DTZ001
        max_value=datetime(2030, 12, 31),  # noqa: DTZ001
        timezones=st.just(ZoneInfo("Asia/Tokyo")),
    )
)
def test_the_next_opening_is_business_time_and_nothing_before_it_is(moment: datetime) -> None:
    calendar = BusinessCalendar()
    opening = calendar.next_business_opening(moment)
    assert opening >= moment
    assert calendar.is_business_time(opening)
    assert all(w.kind is not TimeKind.BUSINESS for w in split_window(calendar, moment, opening))
