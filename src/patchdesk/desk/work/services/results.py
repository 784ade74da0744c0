"""Work in progress and done: start, record the result (by an operator, or from a run of the
remediation engine, see ``runs``), and remind customers the business day before."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from django.db import transaction
from django.db.models import F

from patchdesk.desk.accounts.models import User
from patchdesk.desk.cases.choices import EventKind, PauseReason
from patchdesk.desk.cases.common import (
    event_add,
    flow_settings_get,
    item_move,
    now_or,
    service_state_get,
)
from patchdesk.desk.cases.errors import ServicePausedError
from patchdesk.desk.contracts.selectors import business_calendar
from patchdesk.desk.contracts.services._common import check_operator
from patchdesk.desk.core.services import audit_record
from patchdesk.desk.work.errors import (
    WorkOrderClosedError,
    WorkOutcomeInvalidError,
)
from patchdesk.desk.work.models import ACTIVE_STATUSES, WorkOrder, WorkOrderStatus
from patchdesk.desk.work.notices import order_cases_notify
from patchdesk.desk.work.services.scheduling import lock_order, order_items
from patchdesk.engine.workflow.states import ItemEvent, ItemState
from patchdesk.engine.workflow.timing import (
    verification_deadline,
)

logger = logging.getLogger(__name__)

__all__ = ["work_order_result_record", "work_order_start", "work_reminders_send"]

OUTCOMES = ("done", "partial", "failed")


def start_order(order: WorkOrder, actor: User | None, now: datetime) -> None:
    """The order and its scheduled countermeasures are in progress (the caller holds the lock)."""
    if service_state_get(order.server).is_paused:
        raise ServicePausedError(server=order.server.name)
    order.status, order.started_at = WorkOrderStatus.IN_PROGRESS, now
    order.save(update_fields=["status", "started_at"])
    for item in order_items(order):
        if item.state == ItemState.SCHEDULED:
            item_move(
                item,
                ItemEvent.START,
                actor=actor,
                kind=EventKind.WORK_STARTED,
                params={"order": order.number},
                now=now,
            )
    audit_record(actor=actor, action="work.start", obj=order, changes={"status": "in_progress"})


@transaction.atomic
def work_order_start(order: WorkOrder, *, actor: User, now: datetime | None = None) -> WorkOrder:
    check_operator(actor)
    order = lock_order(order)
    if order.status != WorkOrderStatus.SCHEDULED:
        raise WorkOrderClosedError(number=order.number, status=order.get_status_display())
    start_order(order, actor, now_or(now))
    return order


@transaction.atomic
def work_order_result_record(
    order: WorkOrder,
    *,
    outcome: str,
    notes: str,
    actor: User | None,
    reason_code: str = "",
    item_outcomes: Mapping[int, bool] | None = None,
    now: datetime | None = None,
) -> WorkOrder:
    """The work's result: a countermeasure done asks the customer to verify (R13); one that
    failed goes back to be scheduled again, and ``auth_rejected`` pauses the service (R14).

    ``item_outcomes`` (case item pk → fixed) records each countermeasure on its own, as the
    remediation engine verified it; without it every countermeasure follows ``outcome``.
    Recording the same outcome again changes nothing (a retried call is safe)."""
    check_operator(actor)
    if outcome not in OUTCOMES or (outcome == "partial" and item_outcomes is None):
        raise WorkOutcomeInvalidError
    order = lock_order(order)
    if order.status == outcome:
        return order
    if order.status not in ACTIVE_STATUSES:
        raise WorkOrderClosedError(number=order.number, status=order.get_status_display())
    now = now_or(now)
    if order.status == WorkOrderStatus.SCHEDULED:
        start_order(order, actor, now)
    order.status = WorkOrderStatus(outcome)
    order.finished_at, order.recorded_by = now, actor
    order.result_notes, order.reason_code = notes.strip(), reason_code[:64]
    order.save()
    settings = flow_settings_get()
    items = [item for item in order_items(order) if item.state == ItemState.IN_PROGRESS]
    fixed = {item.pk: (item_outcomes or {}).get(item.pk, outcome == "done") for item in items}
    for item in items:
        done = fixed[item.pk]
        if done:
            item.done_at = now
            item.verification_deadline_at = verification_deadline(
                business_calendar(), now, business_days=settings.verification_days
            )
        item_move(
            item,
            ItemEvent.FINISH if done else ItemEvent.FAIL,
            actor=actor,
            actor_label="" if actor else "remediation",
            kind=EventKind.WORK_DONE if done else EventKind.WORK_FAILED,
            text=order.result_notes,
            params={"order": order.number, "reason": "" if done else order.reason_code},
            now=now,
        )
    audit_record(
        actor=actor,
        actor_label="" if actor else "remediation",
        action="work.result",
        obj=order,
        changes={"status": order.status, "reason": order.reason_code},
        message=order.result_notes,
    )
    failed_cases = {item.case_id for item in items if not fixed[item.pk]}
    for done in (True, False):
        order_cases_notify(
            order,
            [item for item in items if (item.case_id not in failed_cases) is done],
            event="work_done" if done else "work_failed",
            key="work-done" if done else "work-failed",
            now=now,
            show_disclaimers=done,
            text=order.result_notes,
        )
    if reason_code == PauseReason.AUTH_REJECTED:
        from patchdesk.desk.cases.services.service_state import server_pause

        server_pause(order.server, reason=PauseReason.AUTH_REJECTED, source="work", now=now)
    return order


@transaction.atomic
def _remind(order_id: int, now: datetime) -> bool:
    order = lock_order(WorkOrder(pk=order_id))
    if (
        order.status != WorkOrderStatus.SCHEDULED
        or order.reminder_sent_at
        or order.starts_at <= now
    ):
        return False
    order.reminder_sent_at = now
    order.save(update_fields=["reminder_sent_at"])
    items = list(order.items.select_related("case", "server"))
    for case in {item.case for item in items}:
        event_add(
            case,
            kind=EventKind.REMINDER,
            actor=None,
            actor_label="work job",
            params={"order": order.number, "starts_at": order.starts_at.isoformat()},
            now=now,
        )
    order_cases_notify(order, items, event="reminder", key="reminder", now=now)
    return True


def work_reminders_send(*, now: datetime | None = None) -> int:
    """Periodic: the business day before the work, remind the customer (R7). Orders booked
    after that moment were confirmed by mail just now and get no separate reminder."""
    now = now_or(now)
    ids = WorkOrder.objects.filter(
        status=WorkOrderStatus.SCHEDULED,
        reminder_sent_at__isnull=True,
        reminder_due_at__lte=now,
        starts_at__gt=now,
        created_at__lt=F("reminder_due_at"),
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(ids):
        try:
            sent += _remind(pk, now)
        except Exception:
            logger.exception("reminder for work order=%s failed", pk)
    return sent
