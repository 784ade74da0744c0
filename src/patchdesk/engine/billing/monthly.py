"""Monthly billing lines per contract (R8).

* A contract is billed for every day of service: from its start date to its last day (the
  cancellation date or the platform's end of support), both included.
* A month with service on every day is billed in full. A month with fewer days of service
  (the first month, or a last month ended by the end of support) is billed pro rata:
  fee * days of service / days in the month, rounded down to the yen.
* The price table in force on the first day of the month prices the whole month.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from patchdesk.engine.billing.money import to_yen
from patchdesk.engine.billing.prices import PriceTable, select_price_table
from patchdesk.engine.contracts import Plan, month_end, month_start

__all__ = ["BillableContract", "MonthlyLine", "compute_monthly_lines"]


@dataclass(frozen=True, slots=True, kw_only=True)
class BillableContract:
    contract_id: int
    customer_id: int
    label: str  # e.g. the server's name
    plan: Plan
    start_date: date
    ends_on: date | None = None  # the last day of service, if known
    os_class: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthlyLine:
    contract_id: int
    customer_id: int
    label: str
    plan: Plan
    month: date  # the first day of the billed month
    period_start: date
    period_end: date
    days_in_service: int
    days_in_month: int
    monthly_fee: Decimal
    amount: Decimal
    price_version: str

    @property
    def is_prorated(self) -> bool:
        return self.days_in_service < self.days_in_month


def compute_monthly_lines(
    contracts: Iterable[BillableContract], *, month: date, price_tables: Iterable[PriceTable]
) -> tuple[MonthlyLine, ...]:
    """One line per contract with at least one day of service in ``month``.

    Raises :class:`~patchdesk.engine.billing.errors.NoPriceTableInForce` or
    :class:`~patchdesk.engine.billing.errors.NoMonthlyFee` when a price is missing.
    """
    first, last = month_start(month), month_end(month)
    table = None
    lines: list[MonthlyLine] = []
    for contract in contracts:
        period_start = max(contract.start_date, first)
        period_end = min(contract.ends_on or last, last)
        if period_start > period_end:
            continue
        if table is None:
            table = select_price_table(price_tables, on=first)
        fee = table.monthly_fee(contract.plan, contract.os_class)
        days = (period_end - period_start).days + 1
        days_in_month = last.day
        amount = fee if days == days_in_month else to_yen(fee * days / days_in_month)
        lines.append(
            MonthlyLine(
                contract_id=contract.contract_id,
                customer_id=contract.customer_id,
                label=contract.label,
                plan=contract.plan,
                month=first,
                period_start=period_start,
                period_end=period_end,
                days_in_service=days,
                days_in_month=days_in_month,
                monthly_fee=fee,
                amount=amount,
                price_version=table.version,
            )
        )
    return tuple(lines)
