"""Time windows split by the business calendar: business hours vs off-hours (R4).

Work in business hours is part of the service; any part of a window outside them (weekday
nights, whole weekends, public holidays and provider closures) is paid extra work that must be
quoted first. Off-hours time is of two kinds with different rates: a **weekday night** (a
business day before opening or after closing) and a **holiday** (a whole non-business day).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from patchdesk.engine.calendar.business import BusinessCalendar

__all__ = [
    "InvalidWindowError",
    "TimeKind",
    "Window",
    "business_windows",
    "needs_quote",
    "off_hours_windows",
    "split_window",
]


class InvalidWindowError(ValueError):
    """The window ends before it starts."""


class TimeKind(enum.StrEnum):
    BUSINESS = "business"
    WEEKDAY_NIGHT = "weekday_night"
    HOLIDAY = "holiday"


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    """A half-open interval ``[starts_at, ends_at)`` of one kind of time."""

    starts_at: datetime
    ends_at: datetime
    kind: TimeKind

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def is_off_hours(self) -> bool:
        return self.kind is not TimeKind.BUSINESS


def split_window(
    calendar: BusinessCalendar, starts_at: datetime, ends_at: datetime
) -> tuple[Window, ...]:
    """Cut ``[starts_at, ends_at)`` into consecutive windows of one kind each.

    Neighbouring pieces of the same kind are merged (a night from 18:00 to 10:00 the next
    business day is one window). The result covers the interval exactly, in the provider's zone.
    """
    start = calendar.local(starts_at)
    end = calendar.local(ends_at)
    if end < start:
        raise InvalidWindowError(
            f"window ends ({end.isoformat()}) before it starts ({start.isoformat()})"
        )
    pieces: list[Window] = []
    day = start.date()
    while day <= end.date():
        midnight = datetime.combine(day, time(0), tzinfo=calendar.zone)
        next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=calendar.zone)
        if calendar.is_business_day(day):
            opening, closing = calendar.opening(day), calendar.closing(day)
            parts = [
                (midnight, opening, TimeKind.WEEKDAY_NIGHT),
                (opening, closing, TimeKind.BUSINESS),
                (closing, next_midnight, TimeKind.WEEKDAY_NIGHT),
            ]
        else:
            parts = [(midnight, next_midnight, TimeKind.HOLIDAY)]
        for part_start, part_end, kind in parts:
            clipped_start, clipped_end = max(part_start, start), min(part_end, end)
            if clipped_start < clipped_end:
                _append(pieces, Window(starts_at=clipped_start, ends_at=clipped_end, kind=kind))
        day += timedelta(days=1)
    return tuple(pieces)


def _append(pieces: list[Window], window: Window) -> None:
    if pieces and pieces[-1].kind is window.kind and pieces[-1].ends_at == window.starts_at:
        pieces[-1] = Window(
            starts_at=pieces[-1].starts_at, ends_at=window.ends_at, kind=window.kind
        )
    else:
        pieces.append(window)


def business_windows(
    calendar: BusinessCalendar, starts_at: datetime, ends_at: datetime
) -> tuple[Window, ...]:
    """The business-hours windows between two moments."""
    return tuple(w for w in split_window(calendar, starts_at, ends_at) if not w.is_off_hours)


def off_hours_windows(
    calendar: BusinessCalendar, starts_at: datetime, ends_at: datetime
) -> tuple[Window, ...]:
    """The off-hours windows (weekday nights and holidays) between two moments."""
    return tuple(w for w in split_window(calendar, starts_at, ends_at) if w.is_off_hours)


def needs_quote(calendar: BusinessCalendar, starts_at: datetime, ends_at: datetime) -> bool:
    """True when any part of the window is off-hours, so the work must be quoted first (R4)."""
    return bool(off_hours_windows(calendar, starts_at, ends_at))
