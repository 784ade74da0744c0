"""Hooks other apps call: a scan's login result pauses or resumes the service (R14)."""

from __future__ import annotations

import logging

from patchdesk.desk.cases.choices import PauseReason
from patchdesk.desk.cases.models import ServerServiceState
from patchdesk.desk.fleet.models import Scan
from patchdesk.engine.model.inventory import ScanErrorCode

logger = logging.getLogger(__name__)

__all__ = ["scan_login_result"]


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
