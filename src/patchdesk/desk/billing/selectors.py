"""Reads of prices, quotes and billing lines. Customer data is scoped with ``actor=``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import Q, QuerySet, Sum

from patchdesk.desk.accounts.models import User
from patchdesk.desk.billing.mappers import billable_contract, price_table_to_engine
from patchdesk.desk.billing.models import (
    BillingLine,
    BillingMonth,
    MonthlyFee,
    OffHoursRate,
    PriceTable,
    Quote,
)
from patchdesk.desk.contracts.models import Contract
from patchdesk.desk.contracts.selectors import contract_facts_get
from patchdesk.desk.customers.models import Customer
from patchdesk.desk.customers.selectors import scope_to_actor
from patchdesk.engine import billing as engine
from patchdesk.engine.contracts import ContractState, month_end, month_start

__all__ = [
    "billable_contracts",
    "billing_line_list",
    "billing_lines_csv",
    "billing_month_get",
    "billing_month_list",
    "price_table_get",
    "price_table_list",
    "price_table_row_get",
    "price_table_validity",
    "price_tables_for_engine",
    "quote_get",
    "quote_list",
]


def price_table_list() -> QuerySet[PriceTable]:
    return PriceTable.objects.prefetch_related("fees", "rates").select_related("created_by")


def price_table_validity() -> list[tuple[PriceTable, date | None]]:
    """Every version, newest first, with its last valid day (None: open-ended)."""
    tables = list(price_table_list().order_by("-valid_from"))
    valid_until: list[date | None] = [None]
    valid_until += [table.valid_from - timedelta(days=1) for table in tables[:-1]]
    return list(zip(tables, valid_until, strict=True))


def price_table_get(pk: int) -> PriceTable:
    return price_table_list().get(pk=pk)


def price_table_row_get(
    table: PriceTable, *, kind: str, pk: int
) -> tuple[MonthlyFee | None, OffHoursRate | None]:
    """A fee (``kind="fee"``) or a rate (``kind="rate"``) of ``table``; (None, None) if absent."""
    if kind == "fee":
        return table.fees.filter(pk=pk).first(), None
    if kind == "rate":
        return None, table.rates.filter(pk=pk).first()
    return None, None


def price_tables_for_engine() -> list[engine.PriceTable]:
    return [price_table_to_engine(row) for row in price_table_list()]


def quote_list(
    *, actor: User, customer: Customer | None = None, states: Iterable[str] = ()
) -> QuerySet[Quote]:
    queryset = scope_to_actor(
        Quote.objects.select_related("customer", "server", "price_table", "created_by"),
        actor=actor,
    )
    if customer is not None:
        queryset = queryset.filter(customer=customer)
    states = list(states)
    if states:
        queryset = queryset.filter(state__in=states)
    return queryset


def quote_get(pk: int, *, actor: User) -> Quote:
    """One quote the actor may see (customers never see drafts); ``DoesNotExist`` otherwise."""
    queryset = quote_list(actor=actor).prefetch_related("lines")
    if not actor.is_operator:
        queryset = queryset.exclude(state="draft")
    return queryset.get(pk=pk)


def billable_contracts(*, month: date, actor: User | None) -> list[engine.BillableContract]:
    """Every contract the actor may see (``None``: a system job, every customer) with service
    on at least one day of ``month``."""
    first, last = month_start(month), month_end(month)
    queryset = Contract.objects.all()
    if actor is not None:
        queryset = scope_to_actor(queryset, actor=actor)
    rows = (
        queryset.filter(start_date__isnull=False, start_date__lte=last)
        .exclude(state__in=[ContractState.APPLIED, ContractState.REJECTED])
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
        .select_related("server", "server__platform", "platform", "customer")
        .order_by("customer__name", "server__name")
    )
    result = []
    for contract in rows:
        ends_on = contract.ended_on or contract_facts_get(contract).ends_on
        result.append(billable_contract(contract, ends_on=ends_on))
    return result


def billing_month_list() -> QuerySet[BillingMonth]:
    return BillingMonth.objects.annotate(total=Sum("lines__amount"))


def billing_month_get(month: date) -> BillingMonth | None:
    return BillingMonth.objects.filter(month=month_start(month)).first()


def billing_line_list(*, actor: User, month: date) -> QuerySet[BillingLine]:
    return scope_to_actor(
        BillingLine.objects.filter(billing_month__month=month_start(month)).select_related(
            "customer", "contract", "quote", "billing_month"
        ),
        actor=actor,
    )


CSV_COLUMNS = (
    "month",
    "customer_code",
    "customer_name",
    "kind",
    "description",
    "period_start",
    "period_end",
    "days_in_service",
    "days_in_month",
    "unit_amount_jpy",
    "amount_jpy",
    "price_version",
    "contract_id",
    "quote_id",
)


def billing_lines_csv(lines: Iterable[BillingLine]) -> str:
    """The lines as CSV (UTF-8, one header row; amounts in whole yen, tax excluded)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for line in lines:
        writer.writerow(
            [
                f"{line.billing_month.month:%Y-%m}",
                line.customer.code,
                line.customer.name,
                line.kind,
                line.description,
                line.period_start.isoformat(),
                line.period_end.isoformat(),
                "" if line.days_in_service is None else line.days_in_service,
                "" if line.days_in_month is None else line.days_in_month,
                line.unit_amount,
                line.amount,
                line.price_version,
                line.contract_id or "",
                line.quote_id or "",
            ]
        )
    return buffer.getvalue()
