"""Windows cut by business hours: what is off-hours work and of which kind (R4)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from patchdesk.engine.calendar import (
    BusinessCalendar,
    InvalidWindowError,
    TimeKind,
    business_windows,
    needs_quote,
    off_hours_windows,
    split_window,
)

TOKYO = ZoneInfo("Asia/Tokyo")
CALENDAR = BusinessCalendar()


def jst(*args: int) -> datetime:
    return datetime(*args, tzinfo=TOKYO)  # type: ignore[misc]


def test_friday_afternoon_to_tuesday_morning_over_a_holiday_weekend() -> None:
    windows = split_window(CALENDAR, jst(2027, 1, 8, 17), jst(2027, 1, 12, 11))
    assert [(w.starts_at, w.ends_at, w.kind) for w in windows] == [
        (jst(2027, 1, 8, 17), jst(2027, 1, 8, 18), TimeKind.BUSINESS),
        (jst(2027, 1, 8, 18), jst(2027, 1, 9, 0), TimeKind.WEEKDAY_NIGHT),
        (jst(2027, 1, 9, 0), jst(2027, 1, 12, 0), TimeKind.HOLIDAY),  # Sat, Sun, holiday Mon
        (jst(2027, 1, 12, 0), jst(2027, 1, 12, 10), TimeKind.WEEKDAY_NIGHT),
        (jst(2027, 1, 12, 10), jst(2027, 1, 12, 11), TimeKind.BUSINESS),
    ]


def test_a_weekday_night_across_midnight_is_one_window() -> None:
    windows = off_hours_windows(CALENDAR, jst(2027, 1, 12, 20), jst(2027, 1, 13, 2))
    assert len(windows) == 1
    assert windows[0].kind is TimeKind.WEEKDAY_NIGHT
    assert windows[0].duration == timedelta(hours=6)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (jst(2027, 1, 12, 10), jst(2027, 1, 12, 18), False),
        (jst(2027, 1, 12, 14), jst(2027, 1, 12, 16), False),
        (jst(2027, 1, 12, 17), jst(2027, 1, 12, 19), True),
        (jst(2027, 1, 12, 9), jst(2027, 1, 12, 11), True),
        (jst(2027, 1, 16, 13), jst(2027, 1, 16, 14), True),  # Saturday
        (jst(2026, 12, 30, 13), jst(2026, 12, 30, 14), True),  # closure
        (jst(2027, 1, 12, 12), jst(2027, 1, 12, 12), False),  # empty
    ],
)
def test_needs_quote(start: datetime, end: datetime, expected: bool) -> None:
    assert needs_quote(CALENDAR, start, end) is expected


def test_business_windows_between_two_days() -> None:
    windows = business_windows(CALENDAR, jst(2027, 1, 8, 12), jst(2027, 1, 13, 12))
    assert [(w.starts_at, w.ends_at) for w in windows] == [
        (jst(2027, 1, 8, 12), jst(2027, 1, 8, 18)),
        (jst(2027, 1, 12, 10), jst(2027, 1, 12, 18)),
        (jst(2027, 1, 13, 10), jst(2027, 1, 13, 12)),
    ]


def test_windows_are_returned_in_the_provider_zone() -> None:
    utc = ZoneInfo("UTC")
    windows = split_window(CALENDAR, datetime(2027, 1, 12, 0, tzinfo=utc), jst(2027, 1, 12, 12))
    assert windows[0].starts_at.utcoffset() == timedelta(hours=9)
    # 00:00 UTC is 09:00 in Tokyo: one hour of weekday night before opening.
    assert windows[0].kind is TimeKind.WEEKDAY_NIGHT
    assert (windows[0].starts_at, windows[0].ends_at) == (jst(2027, 1, 12, 9), jst(2027, 1, 12, 10))


def test_an_inverted_window_is_refused() -> None:
    with pytest.raises(InvalidWindowError):
        split_window(CALENDAR, jst(2027, 1, 12, 12), jst(2027, 1, 12, 11))
