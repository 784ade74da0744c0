"""Days the provider is closed besides weekends and public holidays (e.g. 29 Dec - 3 Jan)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["YEAR_END_CLOSURE", "AnnualClosure", "Closure", "DateClosure"]


def _valid_month_day(month: int, day: int) -> bool:
    if not 1 <= month <= 12:
        return False
    # 2000 is a leap year, so 29 February is a valid yearly closure day.
    try:
        date(2000, month, day)
    except ValueError:
        return False
    return True


@dataclass(frozen=True, slots=True, kw_only=True)
class AnnualClosure:
    """A closure repeated every year, from one month/day to another (both included).

    It may wrap the turn of the year: ``12-29`` to ``01-03`` covers 29, 30, 31 December and
    1, 2, 3 January of every year.
    """

    label: str
    start_month: int
    start_day: int
    end_month: int
    end_day: int

    def __post_init__(self) -> None:
        if not _valid_month_day(self.start_month, self.start_day):
            raise ValueError(f"invalid closure start {self.start_month}-{self.start_day}")
        if not _valid_month_day(self.end_month, self.end_day):
            raise ValueError(f"invalid closure end {self.end_month}-{self.end_day}")

    def covers(self, day: date) -> bool:
        key = (day.month, day.day)
        start = (self.start_month, self.start_day)
        end = (self.end_month, self.end_day)
        if start <= end:
            return start <= key <= end
        return key >= start or key <= end


@dataclass(frozen=True, slots=True, kw_only=True)
class DateClosure:
    """A one-off closure between two dates (both included)."""

    label: str
    starts_on: date
    ends_on: date

    def __post_init__(self) -> None:
        if self.ends_on < self.starts_on:
            raise ValueError(f"closure ends ({self.ends_on}) before it starts ({self.starts_on})")

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


Closure = AnnualClosure | DateClosure

YEAR_END_CLOSURE = AnnualClosure(
    label="Year-end and New Year holidays", start_month=12, start_day=29, end_month=1, end_day=3
)
