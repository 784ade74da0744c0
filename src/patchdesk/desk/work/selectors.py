"""Reads of work orders, the windows that can still be offered and the paused servers."""

from __future__ import annotations

import gzip
import json
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from patchdesk.desk.accounts.models import User
from patchdesk.desk.cases.choices import WindowKind
from patchdesk.desk.cases.common import flow_settings_get
from patchdesk.desk.cases.models import Case, ServerServiceState
from patchdesk.desk.contracts.selectors import business_calendar
from patchdesk.desk.customers.selectors import scope_to_actor
from patchdesk.desk.work.models import ACTIVE_RUN_STATUSES, ACTIVE_STATUSES, WorkOrder, WorkRun
from patchdesk.engine.calendar import Window
from patchdesk.engine.workflow.timing import offer_windows

__all__ = [
    "booked_intervals",
    "paused_states",
    "window_load",
    "window_offers",
    "work_order_get",
    "work_order_list",
    "work_orders_due",
    "work_orders_of_case",
    "work_run_get",
    "work_run_record",
    "work_runs_of_order",
]


def booked_intervals(*, exclude: int | None = None) -> list[tuple[datetime, datetime]]:
    """Business-hours work that holds an operator: scheduled or in progress."""
    rows = WorkOrder.objects.filter(status__in=ACTIVE_STATUSES, kind=WindowKind.BUSINESS)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return list(rows.values_list("starts_at", "ends_at"))


def window_offers(*, now: datetime | None = None, count: int | None = None) -> list[Window]:
    """The earliest business-hours windows with an operator free (R4, R7)."""
    settings = flow_settings_get()
    return offer_windows(
        business_calendar(),
        now=now or timezone.now(),
        duration=timedelta(hours=settings.window_hours),
        count=count or settings.offered_windows,
        capacity=settings.capacity_per_window,
        occupied=booked_intervals(),
    )


def _orders() -> QuerySet[WorkOrder]:
    return WorkOrder.objects.select_related(
        "server", "customer", "operator", "quote", "server__service_state"
    ).prefetch_related("items", "items__case", "items__case__announcement__advisory")


def work_order_list(
    *, actor: User, day: date | None = None, status: str = "", upcoming: bool = False
) -> QuerySet[WorkOrder]:
    queryset = scope_to_actor(_orders(), actor=actor)
    if day is not None:
        calendar = business_calendar()
        start = calendar.local(datetime.combine(day, datetime.min.time(), tzinfo=calendar.zone))
        queryset = queryset.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=1))
    if upcoming:
        queryset = queryset.filter(status__in=ACTIVE_STATUSES)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("starts_at", "pk")


def work_order_get(pk: int, *, actor: User) -> WorkOrder:
    return scope_to_actor(_orders(), actor=actor).get(pk=pk)


def work_orders_of_case(case: Case) -> QuerySet[WorkOrder]:
    return _orders().filter(items__case=case).distinct().order_by("starts_at", "pk")


def window_load(day: date) -> list[tuple[datetime, int, int]]:
    """Per business hour of ``day``: (start, business orders overlapping it, capacity)."""
    settings = flow_settings_get()
    calendar = business_calendar()
    if not calendar.is_business_day(day):
        return []
    intervals = booked_intervals()
    rows = []
    start, closing = calendar.opening(day), calendar.closing(day)
    while start < closing:
        end = start + timedelta(hours=1)
        taken = sum(1 for s, e in intervals if s < end and start < e)
        rows.append((start, taken, settings.capacity_per_window))
        start = end
    return rows


def paused_states() -> QuerySet[ServerServiceState]:
    return (
        ServerServiceState.objects.filter(paused_at__isnull=False)
        .select_related("server", "server__customer")
        .order_by("paused_at")
    )


def work_orders_due(*, now: datetime | None = None) -> QuerySet[WorkOrder]:
    """Active orders whose window is open now and that no run is working on."""
    now = now or timezone.now()
    return (
        _orders()
        .filter(status__in=ACTIVE_STATUSES, starts_at__lte=now, ends_at__gt=now)
        .exclude(runs__status__in=ACTIVE_RUN_STATUSES)
        .order_by("starts_at", "pk")
    )


def work_runs_of_order(order: WorkOrder) -> QuerySet[WorkRun]:
    return order.runs.select_related("requested_by").defer("document").order_by("-pk")


def work_run_get(pk: int) -> WorkRun:
    return WorkRun.objects.select_related("order__server", "order__customer", "requested_by").get(
        pk=pk
    )


def work_run_record(run: WorkRun) -> dict[str, Any] | None:
    """The run's full record (the engine's result and plan), or None before it finished."""
    if not run.document:
        return None
    loaded: dict[str, Any] = json.loads(gzip.decompress(bytes(run.document)))
    return loaded
