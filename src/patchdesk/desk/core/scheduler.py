"""The periodic scheduler: enqueue due jobs on whichever jobs backend is configured.

It keeps no state of its own: the ``PeriodicJob`` rows are the schedule, and a due run is
claimed with a compare-and-set on ``next_run_at``. Any number of schedulers may run (one per
worker machine, say); each run is still enqueued once.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils.module_loading import import_string

from patchdesk.desk.core.models import PeriodicJob

logger = logging.getLogger(__name__)

__all__ = [
    "due_jobs",
    "job_claim_and_enqueue",
    "periodic_jobs_sync",
    "scheduler_run",
    "scheduler_tick",
]


@transaction.atomic
def periodic_jobs_sync(*, now: datetime) -> None:
    """Make the rows match ``settings.PATCHDESK_PERIODIC_JOBS`` (new jobs run at once)."""
    declared = {name: (path, interval) for name, path, interval in settings.PATCHDESK_PERIODIC_JOBS}
    for name, (path, interval_s) in declared.items():
        job, created = PeriodicJob.objects.get_or_create(
            name=name,
            defaults={"task_path": path, "interval_s": interval_s, "next_run_at": now},
        )
        if not created and (job.task_path, job.interval_s) != (path, interval_s):
            PeriodicJob.objects.filter(pk=job.pk).update(task_path=path, interval_s=interval_s)
    stale = PeriodicJob.objects.exclude(name__in=declared).filter(is_enabled=True)
    for job in stale:
        logger.warning("periodic job %s is no longer declared; disabling it", job.name)
    stale.update(is_enabled=False)


def scheduler_tick(*, now: datetime) -> list[str]:
    """Claim and enqueue every due job; return the names enqueued by this scheduler."""
    return [job.name for job in due_jobs(now=now) if job_claim_and_enqueue(job, now=now)]


def due_jobs(*, now: datetime) -> list[PeriodicJob]:
    return list(PeriodicJob.objects.filter(is_enabled=True, next_run_at__lte=now))


def job_claim_and_enqueue(job: PeriodicJob, *, now: datetime) -> bool:
    """Enqueue ``job`` if this scheduler wins the claim on the run it read; True if enqueued."""
    with transaction.atomic():
        claimed = PeriodicJob.objects.filter(pk=job.pk, next_run_at=job.next_run_at).update(
            next_run_at=now + timedelta(seconds=job.interval_s), last_enqueued_at=now
        )
    if not claimed:
        return False  # another scheduler took this run
    try:
        result = import_string(job.task_path).enqueue()
    except Exception:
        logger.exception("periodic job %s could not be enqueued", job.name)
        return False
    PeriodicJob.objects.filter(pk=job.pk).update(last_task_id=str(result.id)[:64])
    logger.info("periodic job %s enqueued as %s", job.name, result.id)
    return True


def scheduler_run(*, stop: threading.Event, poll_s: float = 15.0) -> None:
    """Tick until ``stop`` is set. Database errors are logged and retried on the next tick."""
    from django.utils import timezone

    periodic_jobs_sync(now=timezone.now())
    logger.info("scheduler started (poll every %.0f s)", poll_s)
    while not stop.is_set():
        close_old_connections()
        try:
            scheduler_tick(now=timezone.now())
        except Exception:
            logger.exception("scheduler tick failed; retrying in %.0f s", poll_s)
        stop.wait(poll_s)
    close_old_connections()
    logger.info("scheduler stopped")
