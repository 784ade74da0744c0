"""Starting the remediation engine on work orders: checks, the run row, the job after commit.

The run itself (plans, SSH, progress, results, the rescan) is in ``work.remediation``; this
module only decides whether a run may start and queues it.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime

from django.db import transaction

from patchdesk.desk.accounts.models import User
from patchdesk.desk.cases.common import now_or, service_state_get
from patchdesk.desk.cases.errors import ServicePausedError
from patchdesk.desk.contracts.services._common import check_operator
from patchdesk.desk.core.errors import PatchdeskError
from patchdesk.desk.core.services import audit_record
from patchdesk.desk.work.errors import (
    WorkOrderClosedError,
    WorkRunActiveError,
    WorkWindowNotOpenError,
)
from patchdesk.desk.work.models import (
    ACTIVE_RUN_STATUSES,
    ACTIVE_STATUSES,
    WorkOrder,
    WorkOrderStatus,
    WorkRun,
)
from patchdesk.desk.work.selectors import work_orders_due
from patchdesk.desk.work.services.results import start_order
from patchdesk.desk.work.services.scheduling import lock_order

logger = logging.getLogger(__name__)

__all__ = ["ALL_SERVICES", "standing_consent_runs_queue", "work_run_request"]

ALL_SERVICES = "*"
"""In ``restart_services``: every service the update affects may be restarted."""


@transaction.atomic
def work_run_request(
    order: WorkOrder,
    *,
    actor: User | None,
    restart_services: Collection[str] = (ALL_SERVICES,),
    allow_reboot: bool = False,
    enqueue: bool = True,
    now: datetime | None = None,
) -> WorkRun:
    """Queue a run of the remediation engine on ``order``'s server, inside its window.

    Refused when the order is closed, its window is not open now, the service is paused
    (R14) or a run is already queued or running. A failed run can be followed by another in
    the same window (the engine's retry is idempotent). The job starts after commit."""
    check_operator(actor)
    order = lock_order(order)
    now = now_or(now)
    if order.status not in ACTIVE_STATUSES:
        raise WorkOrderClosedError(number=order.number, status=order.get_status_display())
    if not order.starts_at <= now < order.ends_at:
        raise WorkWindowNotOpenError(
            number=order.number, starts_at=order.starts_at, ends_at=order.ends_at
        )
    if service_state_get(order.server).is_paused:
        raise ServicePausedError(server=order.server.name)
    if order.runs.filter(status__in=ACTIVE_RUN_STATUSES).exists():
        raise WorkRunActiveError(number=order.number)
    if order.status == WorkOrderStatus.SCHEDULED:
        start_order(order, actor, now)
    run = WorkRun.objects.create(
        order=order,
        restart_services=sorted({name.strip() for name in restart_services if name.strip()}),
        allow_reboot=allow_reboot,
        requested_by=actor,
        queued_at=now,
    )
    audit_record(
        actor=actor,
        actor_label="" if actor else "work job",
        action="work.run",
        obj=order,
        changes={
            "run": run.pk,
            "restart_services": run.restart_services,
            "allow_reboot": allow_reboot,
        },
    )
    if enqueue:
        from patchdesk.desk.work.tasks import work_runs

        transaction.on_commit(work_runs.enqueue)
    return run


def standing_consent_runs_queue(*, now: datetime | None = None) -> list[WorkRun]:
    """Periodic: orders booked by standing consent ("apply High automatically in the next
    business-hours window") start by themselves when their window opens, with the default
    run options (restart what the update affects, never reboot). A refusal (e.g. the service
    was paused meanwhile) is logged and the order waits for an operator."""
    now = now_or(now)
    due = work_orders_due(now=now).filter(
        is_standing_consent=True, status=WorkOrderStatus.SCHEDULED
    )
    queued = []
    for order in due:
        try:
            queued.append(work_run_request(order, actor=None, enqueue=False, now=now))
        except PatchdeskError as exc:
            logger.warning("standing-consent order=%s not started: %s", order.pk, exc.code)
    return queued
