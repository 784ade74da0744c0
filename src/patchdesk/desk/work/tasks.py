"""Background jobs of the work app."""

from __future__ import annotations

from django_tasks import task

from patchdesk.desk.work.services import work_reminders_send

__all__ = ["work_reminders", "work_runs"]


@task()
def work_reminders() -> int:
    """The business day before the work, remind the customer."""
    return work_reminders_send()


@task()
def work_runs() -> int:
    """Carry out every queued work run (enqueued when an operator starts one, and periodic:
    a run whose job was lost is picked up, and one left running by a stopped worker is
    recorded as failed)."""
    from patchdesk.desk.work.remediation import work_runs_execute, work_runs_recover

    work_runs_recover()
    return len(work_runs_execute())
