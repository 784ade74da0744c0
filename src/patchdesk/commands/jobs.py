"""Worker, scheduler and job-inspection subcommands."""

from __future__ import annotations

import threading
import time
import uuid

import click

from patchdesk.commands.desk import database_require_migrated, django_setup


def worker(*, with_scheduler: bool, burst: bool) -> None:
    config = django_setup()
    database_require_migrated()
    from django.core.management import call_command

    from patchdesk.desk.core.scheduler import scheduler_run

    stop = threading.Event()
    if with_scheduler:
        threading.Thread(
            target=scheduler_run, kwargs={"stop": stop}, name="scheduler", daemon=True
        ).start()
    try:
        if config.jobs_backend == "database":
            call_command("db_worker", queue_name="default", interval=1.0, batch=burst)
        else:
            call_command(
                "rqworker",
                "default",
                job_class="django_tasks_rq.Job",
                burst=burst,
                with_scheduler=True,
            )
    finally:
        stop.set()


def scheduler(*, poll_s: float) -> None:
    django_setup()
    database_require_migrated()
    from patchdesk.desk.core.scheduler import scheduler_run

    stop = threading.Event()
    try:
        scheduler_run(stop=stop, poll_s=poll_s)
    except KeyboardInterrupt:
        stop.set()


def ping(*, count: int, timeout_s: float) -> bool:
    """Enqueue ``count`` pings; True when every one was executed within the timeout."""
    django_setup()
    database_require_migrated()
    from patchdesk.desk.core.models import WorkerHeartbeat
    from patchdesk.desk.core.tasks import worker_ping

    started = time.monotonic()
    tokens = [f"ping-{uuid.uuid4().hex}" for _ in range(count)]
    for token in tokens:
        worker_ping.enqueue(token)
    seen: dict[str, str] = {}
    while time.monotonic() - started < timeout_s and len(seen) < count:
        for beat in WorkerHeartbeat.objects.filter(token__in=tokens):
            if beat.token not in seen:
                seen[beat.token] = beat.worker
                click.echo(
                    f"{beat.token}: executed by {beat.worker} "
                    f"after {time.monotonic() - started:.2f} s"
                )
        time.sleep(0.2)
    missing = count - len(seen)
    if missing:
        click.echo(
            f"{missing} of {count} ping(s) not executed within {timeout_s:.0f} s: "
            "is a worker running? (`patchdesk worker`)",
            err=True,
        )
        return False
    return True
