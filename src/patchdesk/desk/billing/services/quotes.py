"""Quotes for off-hours work (R4, R8): priced by the engine from the price table in force,
sent by an operator, accepted or declined by the customer's admin, expired by a job. A quote
drafted for a case is followed by the case in the transaction of its answer."""

from __future__ import annotations

import logging
from datetime import date, datetime
from functools import partial

from django.db import transaction

from patchdesk.desk.accounts.models import User
from patchdesk.desk.billing.errors import QuoteWindowInvalidError, from_billing_rule
from patchdesk.desk.billing.models import Quote, QuoteLine
from patchdesk.desk.billing.selectors import price_tables_for_engine
from patchdesk.desk.billing.services._common import check_operator, now_or
from patchdesk.desk.contracts.selectors import business_calendar, documents_in_force
from patchdesk.desk.contracts.services._common import check_may_act_for
from patchdesk.desk.contracts.services.notices import customer_notice_send
from patchdesk.desk.core.services import audit_record
from patchdesk.desk.customers.models import Customer
from patchdesk.desk.fleet.models import Server
from patchdesk.engine.billing import (
    BillingRuleError,
    QuoteAction,
    QuoteState,
    check_quote_acceptance,
    estimate_off_hours_work,
    next_quote_state,
    quote_expiry_due,
    select_price_table,
)

logger = logging.getLogger(__name__)

__all__ = [
    "quote_accept",
    "quote_create",
    "quote_decline",
    "quote_expire",
    "quote_send",
    "quotes_expire_due",
]


def _lock(quote: Quote) -> Quote:
    return Quote.objects.select_for_update(of=("self",)).select_related("customer").get(pk=quote.pk)


def _next(quote: Quote, action: QuoteAction) -> QuoteState:
    try:
        return next_quote_state(QuoteState(quote.state), action)
    except BillingRuleError as exc:
        raise from_billing_rule(exc) from None


def _cases_follow(quote: Quote, now: datetime) -> None:
    """The case items waiting for this quote follow its answer in this transaction (the
    cases app sits above billing: imported here, when called)."""
    from patchdesk.desk.cases.hooks import quote_answered

    quote_answered(quote, now=now)


@transaction.atomic
def quote_create(
    customer: Customer,
    *,
    title: str,
    work_starts_at: datetime,
    work_ends_at: datetime,
    valid_until: date,
    actor: User | None,
    server: Server | None = None,
    description: str = "",
    now: datetime | None = None,
) -> Quote:
    """A draft quote priced with the price table in force today; refused if no quote is needed."""
    check_operator(actor)
    now = now_or(now)
    if work_ends_at <= work_starts_at or work_starts_at <= now:
        raise QuoteWindowInvalidError
    if server is not None and server.customer_id != customer.pk:
        raise QuoteWindowInvalidError
    calendar = business_calendar()
    today = calendar.local_date(now)
    try:
        table = select_price_table(price_tables_for_engine(), on=today)
        estimate = estimate_off_hours_work(
            calendar, table, starts_at=work_starts_at, ends_at=work_ends_at
        )
    except BillingRuleError as exc:
        raise from_billing_rule(exc) from None
    assert table.id is not None
    quote = Quote.objects.create(
        customer=customer,
        server=server,
        title=title,
        description=description,
        work_starts_at=work_starts_at,
        work_ends_at=work_ends_at,
        valid_until=valid_until,
        state=QuoteState.DRAFT,
        price_table_id=table.id,
        subtotal=estimate.subtotal,
        tax_rate_percent=estimate.tax_rate_percent,
        tax=estimate.tax,
        total=estimate.total,
        created_at=now,
        created_by=actor,
    )
    QuoteLine.objects.bulk_create(
        QuoteLine(
            quote=quote,
            position=position,
            kind=line.kind,
            basis=line.basis,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=line.amount,
        )
        for position, line in enumerate(estimate.lines, start=1)
    )
    audit_record(
        actor=actor,
        action="quote.create",
        obj=quote,
        changes={"state": [None, QuoteState.DRAFT], "total": str(estimate.total)},
    )
    return quote


@transaction.atomic
def quote_send(quote: Quote, *, actor: User | None, now: datetime | None = None) -> Quote:
    """Show the quote to the customer (portal) and tell their contacts."""
    check_operator(actor)
    quote = _lock(quote)
    state = _next(quote, QuoteAction.SEND)
    before = quote.state
    quote.state, quote.sent_at, quote.sent_by = state, now_or(now), actor
    quote.save(update_fields=["state", "sent_at", "sent_by"])
    audit_record(actor=actor, action="quote.send", obj=quote, changes={"state": [before, state]})
    transaction.on_commit(
        partial(
            customer_notice_send,
            quote.customer_id,
            template="quote_sent",
            context={
                "number": quote.number,
                "title": quote.title,
                "total": quote.total,
                "valid_until": quote.valid_until,
                "quote_id": quote.pk,
            },
        )
    )
    return quote


@transaction.atomic
def quote_accept(quote: Quote, *, actor: User | None, now: datetime | None = None) -> Quote:
    """The customer's admin accepts: recorded with the documents in force (R15, R16)."""
    quote = _lock(quote)
    check_may_act_for(actor, quote.customer)
    now = now_or(now)
    try:
        check_quote_acceptance(
            state=QuoteState(quote.state), now=now, work_starts_at=quote.work_starts_at
        )
    except BillingRuleError as exc:
        raise from_billing_rule(exc) from None
    specification, terms = documents_in_force(on=business_calendar().local_date(now))
    before = quote.state
    quote.state = QuoteState.ACCEPTED
    quote.decided_at, quote.decided_by = now, actor
    quote.specification, quote.terms = specification, terms
    quote.save(update_fields=["state", "decided_at", "decided_by", "specification", "terms"])
    audit_record(
        actor=actor,
        action="quote.accept",
        obj=quote,
        changes={
            "state": [before, quote.state],
            "specification": specification.version,
            "terms": terms.version,
        },
    )
    _cases_follow(quote, now)
    return quote


@transaction.atomic
def quote_decline(
    quote: Quote, *, actor: User | None, reason: str = "", now: datetime | None = None
) -> Quote:
    quote = _lock(quote)
    check_may_act_for(actor, quote.customer)
    state = _next(quote, QuoteAction.DECLINE)
    now = now_or(now)
    before = quote.state
    quote.state, quote.decided_at, quote.decided_by = state, now, actor
    quote.decline_reason = reason.strip()
    quote.save(update_fields=["state", "decided_at", "decided_by", "decline_reason"])
    audit_record(
        actor=actor,
        action="quote.decline",
        obj=quote,
        changes={"state": [before, state]},
        message=quote.decline_reason,
    )
    _cases_follow(quote, now)
    return quote


@transaction.atomic
def quote_expire(quote_id: int, *, now: datetime | None = None) -> bool:
    quote = _lock(Quote(pk=quote_id))
    now = now_or(now)
    if not quote_expiry_due(
        state=QuoteState(quote.state),
        valid_until=quote.valid_until,
        today=business_calendar().local_date(now),
        now=now,
        work_starts_at=quote.work_starts_at,
    ):
        return False
    before = quote.state
    quote.state = _next(quote, QuoteAction.EXPIRE)
    quote.save(update_fields=["state"])
    audit_record(
        actor=None,
        actor_label="billing job",
        action="quote.expire",
        obj=quote,
        changes={"state": [before, quote.state]},
    )
    _cases_follow(quote, now)
    return True


def quotes_expire_due(*, now: datetime | None = None) -> int:
    now = now_or(now)
    expired = 0
    for quote_id in list(Quote.objects.filter(state=QuoteState.SENT).values_list("pk", flat=True)):
        try:
            expired += quote_expire(quote_id, now=now)
        except Exception:
            logger.exception("expiring quote=%s failed", quote_id)
    return expired
