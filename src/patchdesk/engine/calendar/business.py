"""The provider's business calendar: which days and hours are business time (R4, R11, R12).

Business time is a working weekday (Monday to Friday by default) that is neither a public
holiday nor a provider closure, between the opening and closing time (10:00-18:00 by default),
in the provider's time zone (Asia/Tokyo by default). Every datetime given to the calendar must
be timezone-aware; it is converted to the provider's zone first.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from patchdesk.engine.calendar.closures import YEAR_END_CLOSURE, Closure
from patchdesk.engine.calendar.public_holidays import national_holidays

__all__ = [
    "BusinessCalendar",
    "BusinessHours",
    "DayInfo",
    "DayKind",
    "NaiveDatetimeError",
    "NoBusinessDayError",
]

# A calendar with no business day within this many days is treated as broken.
_SEARCH_LIMIT_DAYS = 3 * 366


class NaiveDatetimeError(ValueError):
    """A datetime without a time zone was given; the calendar cannot place it."""


class NoBusinessDayError(ValueError):
    """No business day was found within three years: the closures cover everything."""


class DayKind(enum.StrEnum):
    BUSINESS = "business"
    WEEKEND = "weekend"  # not a working weekday
    PUBLIC_HOLIDAY = "public_holiday"
    CLOSURE = "closure"  # a provider closure (e.g. year-end)


@dataclass(frozen=True, slots=True, kw_only=True)
class DayInfo:
    day: date
    kind: DayKind
    name: str = ""  # the holiday's or closure's name

    @property
    def is_business_day(self) -> bool:
        return self.kind is DayKind.BUSINESS


@dataclass(frozen=True, slots=True, kw_only=True)
class BusinessHours:
    """Daily opening hours: ``opens_at`` included, ``closes_at`` excluded (local wall time)."""

    opens_at: time = time(10, 0)
    closes_at: time = time(18, 0)

    def __post_init__(self) -> None:
        if self.opens_at.tzinfo is not None or self.closes_at.tzinfo is not None:
            raise ValueError("business hours are wall-clock times without a time zone")
        if self.opens_at >= self.closes_at:
            raise ValueError(
                f"business hours open ({self.opens_at}) after closing ({self.closes_at})"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class BusinessCalendar:
    """Business days and hours of the provider. Immutable; build a new one to change a rule."""

    time_zone: str = "Asia/Tokyo"
    hours: BusinessHours = field(default_factory=BusinessHours)
    working_weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    holiday_country: str | None = "JP"  # None: no public holidays
    closures: tuple[Closure, ...] = (YEAR_END_CLOSURE,)

    def __post_init__(self) -> None:
        ZoneInfo(self.time_zone)  # raises ZoneInfoNotFoundError for an unknown zone
        if not self.working_weekdays or not self.working_weekdays <= set(range(7)):
            raise ValueError("working weekdays must be a non-empty subset of 0 (Mon) .. 6 (Sun)")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    # --- days ------------------------------------------------------------------------------

    def describe_day(self, day: date) -> DayInfo:
        """What kind of day ``day`` is, with the holiday's or closure's name."""
        if self.holiday_country:
            name = national_holidays(self.holiday_country, day.year).get(day)
            if name is not None:
                return DayInfo(day=day, kind=DayKind.PUBLIC_HOLIDAY, name=name)
        for closure in self.closures:
            if closure.covers(day):
                return DayInfo(day=day, kind=DayKind.CLOSURE, name=closure.label)
        if day.weekday() not in self.working_weekdays:
            return DayInfo(day=day, kind=DayKind.WEEKEND)
        return DayInfo(day=day, kind=DayKind.BUSINESS)

    def is_business_day(self, day: date) -> bool:
        return self.describe_day(day).is_business_day

    def next_business_day(self, day: date) -> date:
        """The first business day strictly after ``day``."""
        return self._step(day, 1)

    def previous_business_day(self, day: date) -> date:
        """The last business day strictly before ``day``."""
        return self._step(day, -1)

    def add_business_days(self, day: date, count: int) -> date:
        """Move ``count`` business days forward (or backward when negative) from ``day``.

        ``add_business_days(d, 0)`` is ``d`` itself, business day or not;
        ``add_business_days(d, 1)`` is :meth:`next_business_day`.
        """
        direction = 1 if count >= 0 else -1
        for _ in range(abs(count)):
            day = self._step(day, direction)
        return day

    def count_business_days(self, after: date, until: date) -> int:
        """The number of business days ``d`` with ``after < d <= until`` (0 if none)."""
        count = 0
        day = after + timedelta(days=1)
        while day <= until:
            count += self.is_business_day(day)
            day += timedelta(days=1)
        return count

    def _step(self, day: date, direction: int) -> date:
        for _ in range(_SEARCH_LIMIT_DAYS):
            day += timedelta(days=direction)
            if self.is_business_day(day):
                return day
        raise NoBusinessDayError(f"no business day within {_SEARCH_LIMIT_DAYS} days of {day}")

    # --- moments ---------------------------------------------------------------------------

    def local(self, moment: datetime) -> datetime:
        """``moment`` in the provider's time zone (it must be timezone-aware)."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise NaiveDatetimeError(f"{moment.isoformat()} has no time zone")
        return moment.astimezone(self.zone)

    def local_date(self, moment: datetime) -> date:
        """The provider's calendar day at ``moment``."""
        return self.local(moment).date()

    def opening(self, day: date) -> datetime:
        """The moment business hours begin on ``day`` (whether or not it is a business day)."""
        return datetime.combine(day, self.hours.opens_at, tzinfo=self.zone)

    def closing(self, day: date) -> datetime:
        return datetime.combine(day, self.hours.closes_at, tzinfo=self.zone)

    def is_business_time(self, moment: datetime) -> bool:
        local = self.local(moment)
        if not self.is_business_day(local.date()):
            return False
        return self.hours.opens_at <= local.time().replace(tzinfo=None) < self.hours.closes_at

    def next_business_opening(self, moment: datetime) -> datetime:
        """``moment`` itself if it is business time, else the next moment business hours begin."""
        if self.is_business_time(moment):
            return self.local(moment)
        day = self.local_date(moment)
        if self.is_business_day(day) and self.local(moment) < self.opening(day):
            return self.opening(day)
        return self.opening(self.next_business_day(day))
