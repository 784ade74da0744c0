"""Monthly billing lines (R8): one line per contract with service in the month (engine rules),
and one per accepted off-hours quote whose work starts in the month."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import translation

from patchdesk.desk.accounts.models import User
from patchdesk.desk.billing.choices import BillingLineKind, BillingMonthState
from patchdesk.desk.billing.errors import (
    BillingMonthClosedError,
    BillingMonthNotOverError,
    from_billing_rule,
)
from patchdesk.desk.billing.models import BillingLine, BillingMonth, Quote
from patchdesk.desk.billing.selectors import billable_contracts, price_tables_for_engine
from patchdesk.desk.billing.services._common import check_operator, now_or
from patchdesk.desk.contracts.choices import PlanChoices
from patchdesk.desk.contracts.selectors import business_calendar
from patchdesk.desk.core.services import audit_record
from patchdesk.engine.billing import (
    BillingRuleError,
    MonthlyLine,
    QuoteState,
    compute_monthly_lines,
)
from patchdesk.engine.contracts import month_end, month_start

__all__ = ["billing_month_close", "billing_month_generate"]


def _description(line: MonthlyLine, plan_labels: dict[str, str]) -> str:
    """The server and its plan; after a plan change in the month, each plan with its days."""
    if not line.is_plan_change:
        return f"{line.label} {plan_labels[line.plan]}"
    parts = ", ".join(
        f"{plan_labels[part.plan]} {part.period_start:%m-%d} to {part.period_end:%m-%d}"
        for part in line.parts
    )
    return f"{line.label} {parts}"


@transaction.atomic
def billing_month_generate(
    month: date, *, actor: User | None, now: datetime | None = None
) -> BillingMonth:
    """(Re)compute the draft lines of ``month`` for every customer. A closed month is final."""
    check_operator(actor)
    now = now_or(now)
    first, last = month_start(month), month_end(month)
    billing_month = BillingMonth.objects.select_for_update().filter(month=first).first()
    if billing_month is not None and billing_month.state == BillingMonthState.CLOSED:
        raise BillingMonthClosedError(month=f"{first:%Y-%m}")
    try:
        lines = compute_monthly_lines(
            billable_contracts(month=first, actor=actor),
            month=first,
            price_tables=price_tables_for_engine(),
        )
    except BillingRuleError as exc:
        raise from_billing_rule(exc) from None
    if billing_month is None:
        billing_month = BillingMonth.objects.create(
            month=first, generated_at=now, generated_by=actor
        )
    else:
        billing_month.lines.all().delete()
        billing_month.generated_at, billing_month.generated_by = now, actor
        billing_month.save(update_fields=["generated_at", "generated_by"])
    with translation.override(settings.LANGUAGE_CODE):
        # Lines are business records: worded in the provider's language, not the viewer's.
        plan_labels = {choice.value: str(choice.label) for choice in PlanChoices}
    rows = [
        BillingLine(
            billing_month=billing_month,
            customer_id=line.customer_id,
            kind=BillingLineKind.MONTHLY_FEE,
            contract_id=line.contract_id,
            description=_description(line, plan_labels),
            period_start=line.period_start,
            period_end=line.period_end,
            days_in_service=line.days_in_service,
            days_in_month=line.days_in_month,
            unit_amount=line.monthly_fee,
            amount=line.amount,
            price_version=line.price_version,
        )
        for line in lines
    ]
    zone = business_calendar().zone
    window_start = datetime.combine(first, time(0), tzinfo=zone)
    window_end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
    quotes = Quote.objects.filter(
        state=QuoteState.ACCEPTED,
        work_starts_at__gte=window_start,
        work_starts_at__lt=window_end,
    ).select_related("price_table", "server")
    for quote in quotes:
        rows.append(
            BillingLine(
                billing_month=billing_month,
                customer_id=quote.customer_id,
                kind=BillingLineKind.OFF_HOURS_WORK,
                quote=quote,
                description=f"{quote.number} {quote.title}",
                period_start=quote.work_starts_at.astimezone(zone).date(),
                period_end=quote.work_ends_at.astimezone(zone).date(),
                unit_amount=quote.subtotal,
                amount=quote.subtotal,
                price_version=quote.price_table.version,
            )
        )
    BillingLine.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        actor_label="" if actor else "billing job",
        action="billing.generate",
        obj=billing_month,
        changes={"lines": len(rows), "total": str(sum(r.amount for r in rows))},
    )
    return billing_month


@transaction.atomic
def billing_month_close(
    billing_month: BillingMonth, *, actor: User | None, now: datetime | None = None
) -> BillingMonth:
    """Make the month's lines final (after the month is over); they are never regenerated."""
    check_operator(actor)
    billing_month = BillingMonth.objects.select_for_update().get(pk=billing_month.pk)
    now = now_or(now)
    if billing_month.state == BillingMonthState.CLOSED:
        raise BillingMonthClosedError(month=f"{billing_month.month:%Y-%m}")
    if business_calendar().local_date(now) <= month_end(billing_month.month):
        raise BillingMonthNotOverError(month=f"{billing_month.month:%Y-%m}")
    billing_month.state = BillingMonthState.CLOSED
    billing_month.closed_at, billing_month.closed_by = now, actor
    billing_month.save(update_fields=["state", "closed_at", "closed_by"])
    audit_record(
        actor=actor,
        action="billing.close",
        obj=billing_month,
        changes={"state": [BillingMonthState.DRAFT, BillingMonthState.CLOSED]},
    )
    return billing_month
