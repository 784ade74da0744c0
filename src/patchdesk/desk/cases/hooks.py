"""Hooks other apps call: a scan's login result pauses or resumes the service (R14); a quote
answered in the billing app is followed by its case items at once (R4, R8)."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction

from patchdesk.desk.billing.models import Quote
from patchdesk.desk.cases.choices import PauseReason
from patchdesk.desk.cases.models import ServerServiceState
from patchdesk.desk.fleet.models import Scan
from patchdesk.engine.model.inventory import ScanErrorCode

logger = logging.getLogger(__name__)

__all__ = ["quote_answered", "scan_login_result"]


def scan_login_result(scan: Scan) -> None:
    """After a scan over SSH: "authentication rejected" pauses the server's service and tells
    both sides; a successful login lifts a pause. Never raises into the scan job."""
    from patchdesk.desk.cases.services.service_state import server_pause, server_resume

    try:
        if scan.status == Scan.Status.FAILED and scan.error_code == ScanErrorCode.AUTH_REJECTED:
            server_pause(scan.server, reason=PauseReason.AUTH_REJECTED, source="scanner")
        elif (
            scan.status == Scan.Status.SUCCEEDED
            and ServerServiceState.objects.filter(
                server_id=scan.server_id, paused_at__isnull=False
            ).exists()
        ):
            server_resume(scan.server, actor=None, source="scanner")
    except Exception:
        logger.exception("service state after scan=%s failed", scan.pk)


def quote_answered(quote: Quote, *, now: datetime) -> None:
    """Inside the transaction of a quote's answer (accepted, declined or expired, wherever it
    was given): the case items waiting for it follow in the same transaction, the window
    booked or the items back to waiting for a request. Never raises into billing: a failure
    is rolled back to a savepoint and logged, the answer stands, and the job
    ``cases-deadlines`` follows the quote later (following twice changes nothing)."""
    from patchdesk.desk.cases.services.quotes import quote_items_follow

    try:
        with transaction.atomic():
            quote_items_follow(quote.pk, now=now)
    except Exception:
        logger.exception("following the answer to quote=%s failed", quote.pk)
