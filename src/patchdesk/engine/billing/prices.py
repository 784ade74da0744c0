"""The versioned price table (R8): monthly fees per plan and OS class, off-hours work rates.

A version takes effect on its ``valid_from`` day, always the first day of a month, and stays in
force until the next version takes effect. The version in force on the first day of a billing
month prices the whole month.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from patchdesk.engine.billing.errors import NoMonthlyFee, NoOffHoursRate, NoPriceTableInForce
from patchdesk.engine.calendar import TimeKind
from patchdesk.engine.contracts import Plan

__all__ = [
    "DEFAULT_TAX_RATE_PERCENT",
    "MonthlyFee",
    "OffHoursRate",
    "PriceTable",
    "RateBasis",
    "select_price_table",
]

DEFAULT_TAX_RATE_PERCENT = Decimal(10)


class RateBasis(enum.StrEnum):
    HOURLY = "hourly"  # per started hour of that kind of time
    FIXED = "fixed"  # once per continuous off-hours window of that kind


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthlyFee:
    plan: Plan
    amount: Decimal
    os_class: str = ""  # empty: every OS class without a fee of its own


@dataclass(frozen=True, slots=True, kw_only=True)
class OffHoursRate:
    kind: TimeKind  # WEEKDAY_NIGHT or HOLIDAY
    basis: RateBasis
    amount: Decimal

    def __post_init__(self) -> None:
        if self.kind is TimeKind.BUSINESS:
            raise ValueError("business hours have no off-hours rate")


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceTable:
    version: str
    valid_from: date
    monthly_fees: tuple[MonthlyFee, ...] = ()
    off_hours_rates: tuple[OffHoursRate, ...] = ()
    tax_rate_percent: Decimal = DEFAULT_TAX_RATE_PERCENT
    id: int | None = None

    def __post_init__(self) -> None:
        if self.valid_from.day != 1:
            raise ValueError(
                f"a price table takes effect on the first day of a month, not {self.valid_from}"
            )

    def monthly_fee(self, plan: Plan, os_class: str = "") -> Decimal:
        """The fee of ``plan`` for ``os_class``, falling back to the plan's general fee."""
        by_key = {(fee.plan, fee.os_class): fee.amount for fee in self.monthly_fees}
        for key in ((plan, os_class), (plan, "")):
            if key in by_key:
                return by_key[key]
        raise NoMonthlyFee(version=self.version, plan=plan.value, os_class=os_class)

    def off_hours_rate(self, kind: TimeKind) -> OffHoursRate:
        for rate in self.off_hours_rates:
            if rate.kind is kind:
                return rate
        raise NoOffHoursRate(version=self.version, kind=kind.value)


def select_price_table(tables: Iterable[PriceTable], *, on: date) -> PriceTable:
    """The version in force on ``on``: the latest ``valid_from`` on or before it."""
    candidates = [table for table in tables if table.valid_from <= on]
    if not candidates:
        raise NoPriceTableInForce(on=on)
    return max(candidates, key=lambda table: table.valid_from)
