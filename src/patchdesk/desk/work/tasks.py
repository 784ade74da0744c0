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
    """Carry out every queued work run. Enqueued when an operator starts one, and periodic:
    orders booked by standing consent start when their window opens, a run whose job was
    lost is picked up, and one left running by a stopped worker is recorded as failed."""
    from patchdesk.desk.work.remediation import work_runs_execute, work_runs_recover
    from patchdesk.desk.work.services.runs import standing_consent_runs_queue

    work_runs_recover()
    standing_consent_runs_queue()
    return len(work_runs_execute())
