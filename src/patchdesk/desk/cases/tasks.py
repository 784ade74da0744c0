"""Background jobs of the service flow (periodic ones are in settings.PATCHDESK_PERIODIC_JOBS)."""

from __future__ import annotations

from django_tasks import task

from patchdesk.desk.cases.digest import digests_send_due
from patchdesk.desk.cases.outbox import outbox_send_due
from patchdesk.desk.cases.services import (
    announcements_discover,
    announcements_follow_late_findings,
    quotes_sync,
    requests_expire_due,
    verifications_close_due,
)

__all__ = ["cases_deadlines", "cases_discover", "outbox_digest", "outbox_send"]


@task()
def outbox_send() -> int:
    """Deliver due mail and webhook posts (also enqueued after each change that queues one)."""
    return outbox_send_due()


@task()
def outbox_digest() -> int:
    return digests_send_due()


@task()
def cases_discover() -> int:
    """New High/Medium advisories for releases in service: listed for review (or announced);
    servers found affected after an announcement get their countermeasure to request."""
    listed = len(announcements_discover())
    announcements_follow_late_findings()
    return listed


@task()
def cases_deadlines() -> dict[str, int]:
    """Unanswered requests expire, unanswered verifications close, answered quotes act."""
    return {
        "quotes": quotes_sync(),
        "expired": requests_expire_due(),
        "verified": verifications_close_due(),
    }
