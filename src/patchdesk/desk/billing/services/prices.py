"""The versioned price table (R8).

A version takes effect on the first day of a month after the last closed billing month, and can
be edited until it has been used: by a quote, or by the lines of a closed billing month. After
that it is frozen, and a change of price is a new version.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from patchdesk.desk.accounts.models import User
from patchdesk.desk.billing.choices import BillingMonthState
from patchdesk.desk.billing.errors import (
    PriceTableFrozenError,
    PriceTableStartError,
    PriceVersionExistsError,
)
from patchdesk.desk.billing.models import (
    BillingLine,
    BillingMonth,
    MonthlyFee,
    OffHoursRate,
    PriceTable,
)
from patchdesk.desk.billing.services._common import check_operator
from patchdesk.desk.core.services import audit_record

__all__ = [
    "price_table_create",
    "price_table_fee_remove",
    "price_table_fee_set",
    "price_table_is_frozen",
    "price_table_rate_remove",
    "price_table_rate_set",
]


@transaction.atomic
def price_table_create(
    *,
    version: str,
    valid_from: date,
    tax_rate_percent: Decimal,
    actor: User | None,
    note: str = "",
    copy_from: PriceTable | None = None,
) -> PriceTable:
    """A new version from ``valid_from`` (first day of a month); optionally a copy of another."""
    check_operator(actor)
    last_closed = (
        BillingMonth.objects.filter(state=BillingMonthState.CLOSED).order_by("-month").first()
    )
    if valid_from.day != 1 or (last_closed is not None and valid_from <= last_closed.month):
        raise PriceTableStartError
    if (
        PriceTable.objects.filter(version=version).exists()
        or PriceTable.objects.filter(valid_from=valid_from).exists()
    ):
        raise PriceVersionExistsError
    table = PriceTable.objects.create(
        version=version,
        valid_from=valid_from,
        tax_rate_percent=tax_rate_percent,
        note=note,
        created_by=actor,
    )
    if copy_from is not None:
        MonthlyFee.objects.bulk_create(
            MonthlyFee(price_table=table, plan=f.plan, os_class=f.os_class, amount=f.amount)
            for f in copy_from.fees.all()
        )
        OffHoursRate.objects.bulk_create(
            OffHoursRate(price_table=table, kind=r.kind, basis=r.basis, amount=r.amount)
            for r in copy_from.rates.all()
        )
    audit_record(
        actor=actor,
        action="price_table.create",
        obj=table,
        changes={
            "version": version,
            "valid_from": valid_from.isoformat(),
            "copy_from": copy_from.version if copy_from else None,
        },
    )
    return table


def price_table_is_frozen(table: PriceTable) -> bool:
    """Used by a quote or by a closed billing month: no longer editable."""
    return (
        table.quotes.exists()
        or BillingLine.objects.filter(
            price_version=table.version, billing_month__state=BillingMonthState.CLOSED
        ).exists()
    )


def _editable(table: PriceTable) -> PriceTable:
    table = PriceTable.objects.select_for_update().get(pk=table.pk)
    if price_table_is_frozen(table):
        raise PriceTableFrozenError(version=table.version)
    return table


@transaction.atomic
def price_table_fee_set(
    table: PriceTable,
    *,
    plan: str,
    os_class: str,
    amount: Decimal,
    actor: User | None,
) -> MonthlyFee:
    check_operator(actor)
    table = _editable(table)
    fee, _created = MonthlyFee.objects.update_or_create(
        price_table=table, plan=plan, os_class=os_class, defaults={"amount": amount}
    )
    audit_record(
        actor=actor,
        action="price_table.fee_set",
        obj=table,
        changes={"plan": plan, "os_class": os_class, "amount": str(amount)},
    )
    return fee


@transaction.atomic
def price_table_fee_remove(fee: MonthlyFee, *, actor: User | None) -> None:
    check_operator(actor)
    table = _editable(fee.price_table)
    audit_record(
        actor=actor,
        action="price_table.fee_remove",
        obj=table,
        changes={"plan": fee.plan, "os_class": fee.os_class},
    )
    fee.delete()


@transaction.atomic
def price_table_rate_set(
    table: PriceTable,
    *,
    kind: str,
    basis: str,
    amount: Decimal,
    actor: User | None,
) -> OffHoursRate:
    check_operator(actor)
    table = _editable(table)
    rate, _created = OffHoursRate.objects.update_or_create(
        price_table=table, kind=kind, defaults={"basis": basis, "amount": amount}
    )
    audit_record(
        actor=actor,
        action="price_table.rate_set",
        obj=table,
        changes={"kind": kind, "basis": basis, "amount": str(amount)},
    )
    return rate


@transaction.atomic
def price_table_rate_remove(rate: OffHoursRate, *, actor: User | None) -> None:
    check_operator(actor)
    table = _editable(rate.price_table)
    audit_record(
        actor=actor, action="price_table.rate_remove", obj=table, changes={"kind": rate.kind}
    )
    rate.delete()
