"""When things happen: windows offered for the work, reminders, deadlines (R4, R7, R13)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from patchdesk.engine.calendar import BusinessCalendar, Window, needs_quote
from patchdesk.engine.calendar.windows import TimeKind

__all__ = [
    "WindowProblem",
    "check_business_window",
    "offer_windows",
    "overlapping",
    "reminder_at",
    "request_deadline",
    "verification_deadline",
    "window_needs_quote",
]

Interval = tuple[datetime, datetime]


def overlapping(starts_at: datetime, ends_at: datetime, occupied: Iterable[Interval]) -> int:
    """How many of the ``occupied`` intervals (half-open) overlap ``[starts_at, ends_at)``."""
    return sum(1 for start, end in occupied if start < ends_at and starts_at < end)


def offer_windows(
    calendar: BusinessCalendar,
    *,
    now: datetime,
    duration: timedelta,
    count: int,
    capacity: int,
    booked: Mapping[datetime, int] | None = None,
    occupied: Iterable[Interval] = (),
    horizon_days: int = 30,
) -> list[Window]:
    """The earliest business-hours windows with room left, from the next business day on.

    Windows start on the hour and fit entirely in one business day. Work already scheduled is
    given either as ``booked`` (a count per window start) or as ``occupied`` intervals, which
    count wherever they overlap a candidate window (a 10:00-12:00 order fills 11:00-13:00 too).
    A window is offered while it holds fewer than ``capacity`` (the operators available at once).
    """
    if duration <= timedelta(0) or capacity < 1:
        raise ValueError("duration must be positive and capacity at least 1")
    booked = booked or {}
    intervals = list(occupied)
    offered: list[Window] = []
    day = calendar.next_business_day(calendar.local_date(now))
    for _ in range(horizon_days):
        start, closing = calendar.opening(day), calendar.closing(day)
        while start + duration <= closing and len(offered) < count:
            taken = booked.get(start, 0) + overlapping(start, start + duration, intervals)
            if taken < capacity:
                offered.append(
                    Window(starts_at=start, ends_at=start + duration, kind=TimeKind.BUSINESS)
                )
            start += timedelta(hours=1)
        if len(offered) >= count:
            break
        day = calendar.next_business_day(day)
    return offered


class WindowProblem:
    """Why a window chosen for business-hours work cannot be booked (codes for the desk)."""

    IN_THE_PAST = "in_the_past"
    NOT_BUSINESS_HOURS = "not_business_hours"  # any part outside business hours: quote first
    FULL = "full"  # as many orders as operators at once


def check_business_window(
    calendar: BusinessCalendar,
    *,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    capacity: int,
    occupied: Iterable[Interval] = (),
) -> str | None:
    """None when ``[starts_at, ends_at)`` may be booked for business-hours work, else a
    :class:`WindowProblem` code. The window must lie in the future, entirely in business hours
    (the operators' own time: no quote), and overlap fewer than ``capacity`` booked orders."""
    if starts_at <= now or ends_at <= starts_at:
        return WindowProblem.IN_THE_PAST
    if needs_quote(calendar, starts_at, ends_at):
        return WindowProblem.NOT_BUSINESS_HOURS
    if overlapping(starts_at, ends_at, occupied) >= capacity:
        return WindowProblem.FULL
    return None


def window_needs_quote(calendar: BusinessCalendar, window: Window) -> bool:
    return needs_quote(calendar, window.starts_at, window.ends_at)


def reminder_at(calendar: BusinessCalendar, window_starts_at: datetime) -> datetime:
    """The opening of the business day before the work (R7: a reminder the day before)."""
    return calendar.opening(calendar.previous_business_day(calendar.local_date(window_starts_at)))


def request_deadline(
    calendar: BusinessCalendar, announced_at: datetime, *, business_days: int
) -> datetime:
    """Customers answer until the close of the N-th business day after the announcement."""
    day = calendar.add_business_days(calendar.local_date(announced_at), business_days)
    return calendar.closing(day)


def verification_deadline(
    calendar: BusinessCalendar, done_at: datetime, *, business_days: int
) -> datetime:
    """Without a reported problem, a case closes as verified at the close of this day."""
    day = calendar.add_business_days(calendar.local_date(done_at), business_days)
    return calendar.closing(day)
