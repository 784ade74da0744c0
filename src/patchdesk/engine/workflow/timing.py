"""When things happen: windows offered for the work, reminders, deadlines (R4, R7, R13)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from patchdesk.engine.calendar import BusinessCalendar, Window, needs_quote
from patchdesk.engine.calendar.windows import TimeKind

__all__ = [
    "offer_windows",
    "reminder_at",
    "request_deadline",
    "verification_deadline",
    "window_needs_quote",
]


def offer_windows(
    calendar: BusinessCalendar,
    *,
    now: datetime,
    duration: timedelta,
    count: int,
    capacity: int,
    booked: Mapping[datetime, int],
    horizon_days: int = 30,
) -> list[Window]:
    """The earliest business-hours windows with room left, from the next business day on.

    Windows start on the hour and fit entirely in one business day; ``booked`` counts the work
    already scheduled per window start; a window is offered while it holds fewer than
    ``capacity`` (the operators available at once).
    """
    if duration <= timedelta(0) or capacity < 1:
        raise ValueError("duration must be positive and capacity at least 1")
    offered: list[Window] = []
    day = calendar.next_business_day(calendar.local_date(now))
    for _ in range(horizon_days):
        start, closing = calendar.opening(day), calendar.closing(day)
        while start + duration <= closing and len(offered) < count:
            if booked.get(start, 0) < capacity:
                offered.append(
                    Window(starts_at=start, ends_at=start + duration, kind=TimeKind.BUSINESS)
                )
            start += timedelta(hours=1)
        if len(offered) >= count:
            break
        day = calendar.next_business_day(day)
    return offered


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
