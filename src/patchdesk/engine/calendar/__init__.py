"""The provider's business calendar: business days and hours, lead times, off-hours windows.

Weekdays 10:00-18:00 in the provider's time zone (Asia/Tokyo by default), without Japanese
public holidays (from the ``holidays`` package) and provider closures (29 December -
3 January by default). Everything is configurable by building another :class:`BusinessCalendar`.
"""

from __future__ import annotations

from patchdesk.engine.calendar.business import (
    BusinessCalendar,
    BusinessHours,
    DayInfo,
    DayKind,
    NaiveDatetimeError,
    NoBusinessDayError,
)
from patchdesk.engine.calendar.closures import (
    YEAR_END_CLOSURE,
    AnnualClosure,
    Closure,
    DateClosure,
)
from patchdesk.engine.calendar.public_holidays import national_holidays
from patchdesk.engine.calendar.windows import (
    InvalidWindowError,
    TimeKind,
    Window,
    business_windows,
    needs_quote,
    off_hours_windows,
    split_window,
)

__all__ = [
    "YEAR_END_CLOSURE",
    "AnnualClosure",
    "BusinessCalendar",
    "BusinessHours",
    "Closure",
    "DateClosure",
    "DayInfo",
    "DayKind",
    "InvalidWindowError",
    "NaiveDatetimeError",
    "NoBusinessDayError",
    "TimeKind",
    "Window",
    "business_windows",
    "national_holidays",
    "needs_quote",
    "off_hours_windows",
    "split_window",
]
