"""Off-hours work (R4, R8): a request for off-hours becomes a quote (drafted and sent by an
operator with the billing app); only an accepted quote books the window."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.db import transaction

from patchdesk.desk.accounts.models import User
from patchdesk.desk.billing.models import Quote
from patchdesk.desk.billing.services import quote_accept, quote_create, quote_send
from patchdesk.desk.cases.choices import EventKind
from patchdesk.desk.cases.common import event_add, item_lock, item_move, now_or
from patchdesk.desk.cases.errors import NothingToRequestError
from patchdesk.desk.cases.models import Case, CaseItem
from patchdesk.desk.contracts.selectors import business_calendar
from patchdesk.desk.contracts.services._common import check_operator
from patchdesk.desk.fleet.models import Server
from patchdesk.engine.billing import QuoteState
from patchdesk.engine.workflow.states import ItemEvent, ItemState

logger = logging.getLogger(__name__)

__all__ = [
    "case_quote_accept",
    "case_quote_draft",
    "quote_items_follow",
    "quotes_sync",
    "quotes_sync_item",
]

QUOTE_VALID_DAYS = 7


@transaction.atomic
def case_quote_draft(
    case: Case,
    *,
    server: Server,
    actor: User,
    valid_until: date | None = None,
    now: datetime | None = None,
) -> Quote:
    """Quote the off-hours window the customer asked for (the items of one server waiting for
    a quote) and send it; the customer accepts it in the portal."""
    check_operator(actor)
    now = now_or(now)
    items = [
        item_lock(item)
        for item in case.items.filter(server=server, state=ItemState.QUOTE_PENDING, quote=None)
    ]
    if not items or items[0].preferred_starts_at is None or items[0].preferred_ends_at is None:
        raise NothingToRequestError
    first = items[0]
    assert first.preferred_starts_at is not None
    assert first.preferred_ends_at is not None
    calendar = business_calendar()
    today = calendar.local_date(now)
    last_day = calendar.local_date(first.preferred_starts_at)
    until = valid_until or max(today, min(today + timedelta(days=QUOTE_VALID_DAYS), last_day))
    advisory = case.announcement.advisory
    quote = quote_create(
        case.customer,
        title=f"{advisory.advisory_id} {server.name}",
        description=advisory.summary,
        work_starts_at=first.preferred_starts_at,
        work_ends_at=first.preferred_ends_at,
        valid_until=until,
        server=server,
        actor=actor,
        now=now,
    )
    quote = quote_send(quote, actor=actor, now=now)
    for item in items:
        item.quote = quote
        item.save(update_fields=["quote"])
        event_add(
            case,
            kind=EventKind.QUOTE,
            actor=actor,
            item=item,
            params={"quote": quote.number, "quote_id": quote.pk, "state": "sent"},
            now=now,
        )
    return quote


def _scheduled_from_quote(items: Sequence[CaseItem], quote: Quote, now: datetime) -> None:
    for item in items:
        item_move(
            item,
            ItemEvent.QUOTE_ACCEPTED,
            actor=None,
            actor_label="billing",
            kind=EventKind.QUOTE,
            params={"quote": quote.number, "quote_id": quote.pk, "state": "accepted"},
            now=now,
        )
    from patchdesk.desk.work.services import work_order_from_quote

    work_order_from_quote(quote, list(items), now=now)


def _quote_declined(items: Sequence[CaseItem], quote: Quote, now: datetime) -> None:
    for item in items:
        item.quote = None
        item_move(
            item,
            ItemEvent.QUOTE_DECLINED,
            actor=None,
            actor_label="billing",
            kind=EventKind.QUOTE,
            params={"quote": quote.number, "quote_id": quote.pk, "state": quote.state},
            now=now,
        )


@transaction.atomic
def quotes_sync_item(item_id: int, *, now: datetime | None = None) -> bool:
    """Follow the item's quote: accepted → the window is booked; declined or expired → the
    item waits for a request again (until the deadline). True when something changed."""
    item = item_lock(CaseItem(pk=item_id))
    if item.state != ItemState.QUOTE_PENDING or item.quote_id is None:
        return False
    quote = Quote.objects.get(pk=item.quote_id)
    now = now_or(now)
    items = [item] + [
        item_lock(other)
        for other in CaseItem.objects.filter(
            quote_id=quote.pk, state=ItemState.QUOTE_PENDING
        ).exclude(pk=item.pk)
    ]
    if quote.state == QuoteState.ACCEPTED:
        _scheduled_from_quote(items, quote, now)
        return True
    if quote.state in {QuoteState.DECLINED, QuoteState.EXPIRED}:
        _quote_declined(items, quote, now)
        return True
    return False


def quote_items_follow(quote_id: int, *, now: datetime | None = None) -> bool:
    """Follow one answered quote now (billing calls this in the transaction of the answer):
    the case items waiting for it are booked or wait for a request again. True when
    something changed; nothing when no item waits for this quote (or it was followed)."""
    first = (
        CaseItem.objects.filter(quote_id=quote_id, state=ItemState.QUOTE_PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return first is not None and quotes_sync_item(first, now=now)


def quotes_sync(*, now: datetime | None = None) -> int:
    """Periodic: act on answered quotes a follow-up at the answer missed (see
    :func:`patchdesk.desk.cases.hooks.quote_answered`)."""
    ids = CaseItem.objects.filter(
        state=ItemState.QUOTE_PENDING,
        quote__state__in=[QuoteState.ACCEPTED, QuoteState.DECLINED, QuoteState.EXPIRED],
    ).values_list("pk", flat=True)
    changed = 0
    for pk in list(ids):
        try:
            changed += quotes_sync_item(pk, now=now)
        except Exception:
            logger.exception("following the quote of case item=%s failed", pk)
    return changed


@transaction.atomic
def case_quote_accept(item: CaseItem, *, actor: User, now: datetime | None = None) -> Quote:
    """The customer's admin accepts the quote from the case page: accepted (billing) and the
    window booked, in one transaction."""
    item = item_lock(item)
    if item.quote_id is None or item.state != ItemState.QUOTE_PENDING:
        raise NothingToRequestError
    quote = quote_accept(Quote.objects.get(pk=item.quote_id), actor=actor, now=now)
    quotes_sync_item(item.pk, now=now)
    return quote
