"""Where billing rows and the engine's dataclasses meet (and nowhere else)."""

from __future__ import annotations

from datetime import date

from patchdesk.desk.billing.models import PriceTable
from patchdesk.desk.contracts.models import Contract
from patchdesk.engine import billing as engine
from patchdesk.engine.calendar import TimeKind
from patchdesk.engine.contracts import Plan

__all__ = ["billable_contract", "price_table_to_engine"]


def price_table_to_engine(row: PriceTable) -> engine.PriceTable:
    """Needs ``fees`` and ``rates`` (prefetch them for many tables)."""
    return engine.PriceTable(
        version=row.version,
        valid_from=row.valid_from,
        tax_rate_percent=row.tax_rate_percent,
        monthly_fees=tuple(
            engine.MonthlyFee(plan=Plan(fee.plan), os_class=fee.os_class, amount=fee.amount)
            for fee in row.fees.all()
        ),
        off_hours_rates=tuple(
            engine.OffHoursRate(
                kind=TimeKind(rate.kind), basis=engine.RateBasis(rate.basis), amount=rate.amount
            )
            for rate in row.rates.all()
        ),
        id=row.pk,
    )


def billable_contract(contract: Contract, *, ends_on: date | None) -> engine.BillableContract:
    assert contract.start_date is not None
    platform = contract.server.platform or contract.platform
    return engine.BillableContract(
        contract_id=contract.pk,
        customer_id=contract.customer_id,
        label=contract.server.name,
        plan=Plan(contract.plan),
        start_date=contract.start_date,
        ends_on=ends_on,
        os_class=platform.price_class,
        previous_id=contract.previous_id,
    )
