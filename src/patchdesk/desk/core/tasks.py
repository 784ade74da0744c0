"""Background jobs of the core app: heartbeats, pings and housekeeping."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from patchdesk.desk.core.services import heartbeat_record

logger = logging.getLogger(__name__)

__all__ = ["task_results_prune", "worker_heartbeat", "worker_ping"]

TASK_RESULT_RETENTION = timedelta(days=30)


def _backend_name() -> str:
    backend = str(settings.TASKS["default"]["BACKEND"])
    return "redis" if "rq" in backend.lower() else "database"


@task()
def worker_heartbeat() -> str:
    """Periodic proof of life; the console warns when the newest one is too old."""
    beat = heartbeat_record(token=f"heartbeat-{uuid.uuid4().hex}", backend=_backend_name())
    return beat.worker


@task()
def worker_ping(token: str) -> str:
    """Record that a worker executed this job; ``patchdesk jobs ping`` waits for it."""
    beat = heartbeat_record(token=token, backend=_backend_name())
    logger.info("ping token=%s worker=%s", token, beat.worker)
    return beat.worker


@task()
def task_results_prune() -> int:
    """Delete finished job results older than the retention (database jobs backend only)."""
    if _backend_name() != "database":
        return 0
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - TASK_RESULT_RETENTION
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    logger.info("pruned %s finished task results older than %s", deleted, cutoff)
    return deleted
