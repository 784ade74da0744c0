"""Run the remediation engine for queued work runs and record what it did (R7 step 4, R13).

Each claimed run is prepared (``run_prepare``: the requested countermeasures → the engine's
plan and target, or a refusal). The plans run over SSH with a bounded pool in a worker thread
while this thread writes each run's progress for the console. Each result is recorded
(``run_record``: the full masked record, each countermeasure's verified outcome, the order's
outcome, the customer told), and every server the work touched is rescanned so its findings
show what is fixed.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import queue
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from django.utils import timezone

from patchdesk.desk.fleet.models import Server
from patchdesk.desk.fleet.services import scan_queue
from patchdesk.desk.fleet.tasks import scans_execute
from patchdesk.desk.work.models import WorkRun, WorkRunStatus
from patchdesk.desk.work.reasons import WORKER_LOST
from patchdesk.desk.work.run_prepare import PreparedRun, prepare_run_or_refuse
from patchdesk.desk.work.run_record import record_run
from patchdesk.engine.collect.pool import Connect
from patchdesk.engine.remediate import (
    DEFAULT_WORK_CONCURRENCY,
    RunOptions,
    WorkProgress,
    WorkResult,
    run_works_blocking,
)

logger = logging.getLogger(__name__)

__all__ = ["RUN_STALE_AFTER", "work_runs_execute", "work_runs_recover"]

PROGRESS_INTERVAL_S: Final = 0.5
RUN_STALE_AFTER: Final = timedelta(hours=2)
"""A run with no progress for this long lost its job (the worker stopped): recorded failed."""


def _now() -> datetime:
    return timezone.now()  # looked up at each call (tests move the desk's clock)


def _claim(run_ids: Sequence[int] | None, now: datetime) -> list[WorkRun]:
    """The queued runs this job takes (each exactly once, even with jobs racing)."""
    queued = WorkRun.objects.filter(status=WorkRunStatus.QUEUED)
    if run_ids is not None:
        queued = queued.filter(pk__in=run_ids)
    claimed = []
    for pk in queued.order_by("pk").values_list("pk", flat=True):
        taken = WorkRun.objects.filter(pk=pk, status=WorkRunStatus.QUEUED).update(
            status=WorkRunStatus.RUNNING, started_at=now, progress_at=now
        )
        if taken:
            claimed.append(pk)
    return list(
        WorkRun.objects.select_related("order__server", "order__customer")
        .filter(pk__in=claimed)
        .order_by("pk")
    )


# --- running, with progress written from this thread --------------------------------------


def _write_progress(events: queue.Queue[tuple[int, WorkProgress]]) -> None:
    latest: dict[int, WorkProgress] = {}
    while True:
        try:
            pk, progress = events.get_nowait()
        except queue.Empty:
            break
        latest[pk] = progress
    for pk, progress in latest.items():
        WorkRun.objects.filter(pk=pk, status=WorkRunStatus.RUNNING).update(
            phase=str(progress.phase),
            progress=progress.message[:500],
            steps_done=progress.steps_done,
            progress_at=progress.at,
        )


def _run_jobs(
    prepared: list[PreparedRun], *, concurrency: int, clock: Callable[[], datetime], **engine: Any
) -> list[WorkResult]:
    """The engine in a worker thread (Django's ORM refuses calls from inside an event loop);
    this thread writes the progress it reports until every server is finished."""
    events: queue.Queue[tuple[int, WorkProgress]] = queue.Queue()

    def reporter(pk: int) -> Callable[[WorkProgress], None]:
        return lambda progress: events.put((pk, progress))

    jobs = [
        dataclasses.replace(p.job, on_progress=reporter(p.run.pk))
        for p in prepared
        if p.job is not None
    ]
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="work-runs") as pool:
        future = pool.submit(
            run_works_blocking, jobs, clock=clock, concurrency=concurrency, **engine
        )
        while True:
            finished = concurrent.futures.wait([future], timeout=PROGRESS_INTERVAL_S).done
            _write_progress(events)
            if finished:
                return future.result()


# --- recording ------------------------------------------------------------------------------


def _rescan(servers: list[Server]) -> None:
    """Scan the servers the work touched, so their findings show what is fixed now."""
    if servers:
        scans = scan_queue(servers, trigger="work", actor=None, enqueue=False)
        scans_execute([scan.pk for scan in scans])


def work_runs_execute(
    run_ids: Sequence[int] | None = None,
    *,
    concurrency: int = DEFAULT_WORK_CONCURRENCY,
    clock: Callable[[], datetime] | None = None,
    connect: Connect | None = None,
    options: RunOptions | None = None,
) -> list[WorkRun]:
    """Take the queued runs (``run_ids``, or every queued one) and carry them out: at most
    ``concurrency`` servers at once; one server's failure never stops the others."""
    clock = clock or _now
    claimed = _claim(run_ids, clock())
    prepared = [prepare_run_or_refuse(run) for run in claimed]
    ready = [p for p in prepared if p.job is not None]
    for p in prepared:
        if p.job is None:
            record_run(p, None, clock())
    if not ready:
        return [p.run for p in prepared]
    results = _run_jobs(
        ready, concurrency=concurrency, clock=clock, connect=connect, options=options
    )
    for p, result in zip(ready, results, strict=True):
        try:
            record_run(p, result, clock())
        except Exception:  # one result that cannot be recorded must not lose the others
            logger.exception("recording work run=%s failed", p.run.pk)
    touched = [p.run.order.server for p, r in zip(ready, results, strict=True) if r.is_changed]
    _rescan(touched)
    return [p.run for p in prepared]


def work_runs_recover(*, now: datetime | None = None) -> int:
    """Runs left running by a worker that stopped: recorded as failed so the countermeasures
    can be scheduled again (the engine's retry is idempotent)."""
    now = now or timezone.now()
    stale = WorkRun.objects.filter(
        status=WorkRunStatus.RUNNING, progress_at__lt=now - RUN_STALE_AFTER
    ).select_related("order__server", "order__customer")
    count = 0
    for run in stale:
        detail = "no progress since " + (run.progress_at or now).isoformat()
        record_run(
            PreparedRun.failed(run, WORKER_LOST, detail), None, now, status=WorkRunStatus.FAILED
        )
        count += 1
    return count
