"""Background jobs of the work app."""

from __future__ import annotations

from django_tasks import task

from patchdesk.desk.work.services import work_reminders_send

__all__ = ["work_reminders"]


@task()
def work_reminders() -> int:
    """The business day before the work, remind the customer."""
    return work_reminders_send()
