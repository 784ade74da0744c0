"""Booking work: business-hours windows with the operators' capacity respected, standing
consent, accepted off-hours quotes, withdrawals and cancellations."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction

from patchdesk.desk.accounts.models import User
from patchdesk.desk.billing.models import Quote
from patchdesk.desk.cases.choices import EventKind, WindowKind
from patchdesk.desk.cases.common import (
    event_add,
    flow_settings_get,
    item_lock,
    item_move,
    now_or,
    service_state_get,
    state_label,
)
from patchdesk.desk.cases.errors import ServicePausedError, WindowNotOfferedError
from patchdesk.desk.cases.models import CaseItem
from patchdesk.desk.cases.services.requests import window_problem_text
from patchdesk.desk.contracts.selectors import business_calendar
from patchdesk.desk.contracts.services._common import check_operator
from patchdesk.desk.core.services import audit_record
from patchdesk.desk.fleet.models import Server
from patchdesk.desk.work.errors import (
    ItemsNotSchedulableError,
    WorkOrderClosedError,
)
from patchdesk.desk.work.models import ACTIVE_STATUSES, WorkOrder, WorkOrderStatus
from patchdesk.desk.work.notices import order_cases_notify
from patchdesk.desk.work.selectors import booked_intervals, window_offers
from patchdesk.engine.workflow.states import ItemEvent, ItemState
from patchdesk.engine.workflow.timing import (
    check_business_window,
    reminder_at,
)

logger = logging.getLogger(__name__)

__all__ = [
    "standing_consent_book",
    "standing_consent_book_waiting",
    "work_items_withdraw",
    "work_order_cancel",
    "work_order_from_quote",
    "work_order_schedule",
]

_SCHEDULABLE = {ItemState.REQUESTED, ItemState.FAILED, ItemState.PROBLEM_REPORTED}


def lock_order(order: WorkOrder) -> WorkOrder:
    return (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("server", "customer")
        .get(pk=order.pk)
    )


def _schedulable(items: Sequence[CaseItem]) -> list[CaseItem]:
    locked = [item_lock(item) for item in items]
    servers = {item.server_id for item in locked}
    for item in locked:
        if ItemState(item.state) not in _SCHEDULABLE or len(servers) != 1:
            raise ItemsNotSchedulableError(server=item.server.name, state=state_label(item.state))
    if not locked:
        raise ItemsNotSchedulableError(server="—", state="—")
    if service_state_get(locked[0].server).is_paused:
        raise ServicePausedError(server=locked[0].server.name)
    return locked


def _notify_scheduled(order: WorkOrder, items: Sequence[CaseItem], now: datetime) -> None:
    order_cases_notify(order, items, event="scheduled", key="scheduled", now=now)


def _book(
    items: list[CaseItem],
    *,
    starts_at: datetime,
    ends_at: datetime,
    kind: str,
    actor: User | None,
    actor_label: str = "",
    operator: User | None = None,
    quote: Quote | None = None,
    move: bool = True,
    now: datetime,
) -> WorkOrder:
    server = items[0].server
    order = WorkOrder.objects.create(
        server=server,
        customer_id=server.customer_id,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        operator=operator,
        quote=quote,
        is_standing_consent=actor is None and quote is None,
        created_at=now,
        created_by=actor,
        reminder_due_at=reminder_at(business_calendar(), starts_at),
    )
    order.items.set(items)
    params = {
        "order": order.number,
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
        "kind": kind,
    }
    for item in items:
        if move:
            item_move(
                item,
                ItemEvent.SCHEDULE,
                actor=actor,
                actor_label=actor_label,
                kind=EventKind.SCHEDULED,
                params=params,
                now=now,
            )
        else:
            event_add(
                item.case,
                kind=EventKind.SCHEDULED,
                actor=actor,
                actor_label=actor_label,
                item=item,
                params=params,
                now=now,
            )
    audit_record(
        actor=actor,
        actor_label=actor_label if actor is None else "",
        action="work.schedule",
        obj=order,
        changes={**params, "items": [item.pk for item in items]},
    )
    _notify_scheduled(order, items, now)
    return order


@transaction.atomic
def work_order_schedule(
    items: Sequence[CaseItem],
    *,
    starts_at: datetime,
    actor: User,
    operator: User | None = None,
    now: datetime | None = None,
) -> WorkOrder:
    """Book a business-hours window for requested countermeasures of one server; refused when
    the window is not in business hours or every operator is booked then."""
    check_operator(actor)
    now = now_or(now)
    locked = _schedulable(items)
    settings = flow_settings_get()
    ends_at = starts_at + timedelta(hours=settings.window_hours)
    problem = check_business_window(
        business_calendar(),
        starts_at=starts_at,
        ends_at=ends_at,
        now=now,
        capacity=settings.capacity_per_window,
        occupied=booked_intervals(),
    )
    if problem is not None:
        raise WindowNotOfferedError(starts_at=starts_at, reason=window_problem_text(problem))
    return _book(
        locked,
        starts_at=starts_at,
        ends_at=ends_at,
        kind=WindowKind.BUSINESS,
        actor=actor,
        operator=operator or actor,
        now=now,
    )


def standing_consent_book(items: Sequence[CaseItem], *, now: datetime) -> WorkOrder | None:
    """The next free business window for items requested by standing consent (in the caller's
    transaction); None when no window is free within the horizon (operators schedule it)."""
    offers = window_offers(now=now, count=1)
    if not offers:
        logger.warning("no free window for standing consent on items %s", [i.pk for i in items])
        return None
    locked = _schedulable(items)
    return _book(
        locked,
        starts_at=offers[0].starts_at,
        ends_at=offers[0].ends_at,
        kind=WindowKind.BUSINESS,
        actor=None,
        actor_label="standing consent",
        now=now,
    )


def standing_consent_book_waiting(server: Server, *, now: datetime) -> WorkOrder | None:
    waiting = list(
        CaseItem.objects.filter(
            server=server, state=ItemState.REQUESTED, by_standing_consent=True
        ).order_by("pk")
    )
    return standing_consent_book(waiting, now=now) if waiting else None


def work_order_from_quote(quote: Quote, items: list[CaseItem], *, now: datetime) -> WorkOrder:
    """The accepted quote's window (off-hours) becomes the work order (items already moved)."""
    existing = WorkOrder.objects.filter(quote=quote).first()
    if existing is not None:
        existing.items.add(*items)
        return existing
    return _book(
        items,
        starts_at=quote.work_starts_at,
        ends_at=quote.work_ends_at,
        kind=WindowKind.OFF_HOURS,
        actor=None,
        actor_label="billing",
        quote=quote,
        move=False,
        now=now,
    )


def work_items_withdraw(items: Sequence[CaseItem], *, actor: User | None, now: datetime) -> None:
    """Items declined after booking leave their order; an order left empty is cancelled."""
    ids = [item.pk for item in items]
    for order in WorkOrder.objects.filter(items__in=ids, status__in=ACTIVE_STATUSES).distinct():
        order.items.remove(*ids)
        if not order.items.exists():
            order.status, order.cancel_reason = WorkOrderStatus.CANCELLED, "declined"
            order.save(update_fields=["status", "cancel_reason"])
            audit_record(
                actor=actor,
                action="work.cancel",
                obj=order,
                changes={"status": [WorkOrderStatus.SCHEDULED, WorkOrderStatus.CANCELLED]},
                message="declined by the customer",
            )


def order_items(order: WorkOrder) -> list[CaseItem]:
    return [item_lock(item) for item in order.items.order_by("pk")]


@transaction.atomic
def work_order_cancel(
    order: WorkOrder, *, actor: User, reason: str, now: datetime | None = None
) -> WorkOrder:
    """The window is cancelled; its countermeasures wait to be scheduled again."""
    check_operator(actor)
    order = lock_order(order)
    if order.status != WorkOrderStatus.SCHEDULED:
        raise WorkOrderClosedError(number=order.number, status=order.get_status_display())
    now = now_or(now)
    order.status, order.cancel_reason = WorkOrderStatus.CANCELLED, reason.strip()
    order.save(update_fields=["status", "cancel_reason"])
    for item in order_items(order):
        if item.state == ItemState.SCHEDULED:
            item_move(
                item,
                ItemEvent.UNSCHEDULE,
                actor=actor,
                kind=EventKind.UNSCHEDULED,
                text=order.cancel_reason,
                params={"order": order.number},
                now=now,
            )
    audit_record(
        actor=actor,
        action="work.cancel",
        obj=order,
        changes={"status": [WorkOrderStatus.SCHEDULED, WorkOrderStatus.CANCELLED]},
        message=order.cancel_reason,
    )
    return order
