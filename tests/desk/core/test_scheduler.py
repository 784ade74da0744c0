"""The periodic scheduler: declared jobs become rows; each due run is enqueued once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from patchdesk.desk.core.models import PeriodicJob, WorkerHeartbeat
from patchdesk.desk.core.scheduler import (
    due_jobs,
    job_claim_and_enqueue,
    periodic_jobs_sync,
    scheduler_tick,
)

pytestmark = pytest.mark.django_db

JOBS = [("heartbeat", "patchdesk.desk.core.tasks.worker_heartbeat", 60)]
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _now() -> datetime:
    return timezone.now().replace(microsecond=0)


@override_settings(PATCHDESK_PERIODIC_JOBS=JOBS, TASKS=IMMEDIATE)
def test_due_job_is_enqueued_and_rescheduled() -> None:
    now = _now()
    periodic_jobs_sync(now=now)
    assert scheduler_tick(now=now) == ["heartbeat"]
    job = PeriodicJob.objects.get(name="heartbeat")
    assert job.next_run_at == now + timedelta(seconds=60)
    assert job.last_task_id
    assert WorkerHeartbeat.objects.count() == 1  # the immediate backend ran it
    assert scheduler_tick(now=now + timedelta(seconds=59)) == []
    assert scheduler_tick(now=now + timedelta(seconds=60)) == ["heartbeat"]


@override_settings(PATCHDESK_PERIODIC_JOBS=JOBS, TASKS=IMMEDIATE)
def test_a_run_claimed_by_another_scheduler_is_not_enqueued_again() -> None:
    now = _now()
    periodic_jobs_sync(now=now)
    read_by_the_slow_scheduler = due_jobs(now=now)
    assert scheduler_tick(now=now) == ["heartbeat"]  # the fast scheduler claims the run
    assert [job_claim_and_enqueue(job, now=now) for job in read_by_the_slow_scheduler] == [False]
    assert WorkerHeartbeat.objects.count() == 1


@override_settings(PATCHDESK_PERIODIC_JOBS=JOBS, TASKS=IMMEDIATE)
def test_undeclared_jobs_are_disabled_and_broken_ones_do_not_stop_others() -> None:
    now = _now()
    PeriodicJob.objects.create(
        name="gone", task_path="patchdesk.nowhere.task", interval_s=10, next_run_at=now
    )
    periodic_jobs_sync(now=now)
    assert not PeriodicJob.objects.get(name="gone").is_enabled
    PeriodicJob.objects.filter(name="gone").update(is_enabled=True)
    assert scheduler_tick(now=now) == ["heartbeat"]


@override_settings(
    PATCHDESK_PERIODIC_JOBS=[("heartbeat", "patchdesk.desk.core.tasks.worker_heartbeat", 120)],
    TASKS=IMMEDIATE,
)
def test_changed_interval_is_applied() -> None:
    now = _now()
    PeriodicJob.objects.create(name="heartbeat", task_path="x", interval_s=60, next_run_at=now)
    periodic_jobs_sync(now=now)
    job = PeriodicJob.objects.get(name="heartbeat")
    assert (job.task_path, job.interval_s) == (JOBS[0][1], 120)
