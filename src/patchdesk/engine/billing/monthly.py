"""Monthly billing lines per contract (R8).

* A contract is billed for every day of service: from its start date to its last day (the
  cancellation date, the platform's end of support, or the day before a plan change), both
  included.
* A month with service on every day is billed in full. A month with fewer days of service
  (the first month, or a last month ended by the end of support) is billed pro rata:
  fee * days of service / days in the month, rounded down to the yen.
* A plan change (a contract replacing another, ``previous_id``) is one line for the server and
  month: each plan's fee pro rata for its own days, summed, then rounded down once. The service
  continues, so a month is never billed twice for one server.
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

__all__ = ["BillableContract", "LinePart", "MonthlyLine", "compute_monthly_lines"]


@dataclass(frozen=True, slots=True, kw_only=True)
class BillableContract:
    contract_id: int
    customer_id: int
    label: str  # e.g. the server's name
    plan: Plan
    start_date: date
    ends_on: date | None = None  # the last day of service, if known
    os_class: str = ""
    previous_id: int | None = None  # the contract this one replaced by a plan change


@dataclass(frozen=True, slots=True, kw_only=True)
class LinePart:
    """One contract's days within a line (a line has two after a plan change in the month)."""

    contract_id: int
    plan: Plan
    period_start: date
    period_end: date
    days_in_service: int
    monthly_fee: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthlyLine:
    contract_id: int  # the contract in service at the end of the period
    customer_id: int
    label: str
    plan: Plan  # that contract's plan
    month: date  # the first day of the billed month
    period_start: date
    period_end: date
    days_in_service: int
    days_in_month: int
    monthly_fee: Decimal  # that plan's fee
    amount: Decimal
    price_version: str
    parts: tuple[LinePart, ...] = ()

    @property
    def is_prorated(self) -> bool:
        return self.days_in_service < self.days_in_month

    @property
    def is_plan_change(self) -> bool:
        return len(self.parts) > 1


def _chain_roots(contracts: list[BillableContract]) -> dict[int, int]:
    """Each contract's first contract in its chain of plan changes (among ``contracts``)."""
    previous = {c.contract_id: c.previous_id for c in contracts}
    roots: dict[int, int] = {}
    for contract_id in previous:
        root, seen = contract_id, {contract_id}
        while (parent := previous.get(root)) is not None and parent in previous:
            if parent in seen:  # a cycle cannot be stored; stop rather than loop
                break
            seen.add(parent)
            root = parent
        roots[contract_id] = root
    return roots


def compute_monthly_lines(
    contracts: Iterable[BillableContract], *, month: date, price_tables: Iterable[PriceTable]
) -> tuple[MonthlyLine, ...]:
    """One line per contract (or chain of plan changes) with service in ``month``.

    Raises :class:`~patchdesk.engine.billing.errors.NoPriceTableInForce` or
    :class:`~patchdesk.engine.billing.errors.NoMonthlyFee` when a price is missing.
    """
    first, last = month_start(month), month_end(month)
    days_in_month = last.day
    billable = list(contracts)
    roots = _chain_roots(billable)
    table = None
    groups: dict[int, list[tuple[BillableContract, LinePart]]] = {}
    for contract in billable:
        period_start = max(contract.start_date, first)
        period_end = min(contract.ends_on or last, last)
        if period_start > period_end:
            continue
        if table is None:
            table = select_price_table(price_tables, on=first)
        part = LinePart(
            contract_id=contract.contract_id,
            plan=contract.plan,
            period_start=period_start,
            period_end=period_end,
            days_in_service=(period_end - period_start).days + 1,
            monthly_fee=table.monthly_fee(contract.plan, contract.os_class),
        )
        groups.setdefault(roots[contract.contract_id], []).append((contract, part))
    lines: list[MonthlyLine] = []
    for group in groups.values():
        group.sort(key=lambda item: item[1].period_start)
        latest, last_part = group[-1]
        parts = tuple(part for _, part in group)
        days = sum(part.days_in_service for part in parts)
        if len(parts) == 1 and days == days_in_month:
            amount = last_part.monthly_fee
        else:
            weighted = sum((p.monthly_fee * p.days_in_service for p in parts), Decimal(0))
            amount = to_yen(weighted / days_in_month)
        assert table is not None
        lines.append(
            MonthlyLine(
                contract_id=latest.contract_id,
                customer_id=latest.customer_id,
                label=latest.label,
                plan=latest.plan,
                month=first,
                period_start=parts[0].period_start,
                period_end=last_part.period_end,
                days_in_service=days,
                days_in_month=days_in_month,
                monthly_fee=last_part.monthly_fee,
                amount=amount,
                price_version=table.version,
                parts=parts,
            )
        )
    return tuple(lines)
