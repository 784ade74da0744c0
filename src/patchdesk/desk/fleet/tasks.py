"""Background jobs of the fleet: run queued scans with a bounded pool, then refresh findings."""

from __future__ import annotations

import asyncio
import logging

from django.utils import timezone
from django_tasks import task

from patchdesk.desk.fleet.mappers import MissingCredentialsError, scan_target_for
from patchdesk.desk.fleet.models import Scan, Server
from patchdesk.desk.fleet.services import scan_fail, scan_queue, scan_record
from patchdesk.engine.collect import scan_hosts
from patchdesk.engine.collect.pool import ScanTarget

logger = logging.getLogger(__name__)

__all__ = ["SCAN_CONCURRENCY", "fleet_rescan", "scans_execute", "scans_run"]

SCAN_CONCURRENCY = 50


def scans_execute(scan_ids: list[int], *, concurrency: int = SCAN_CONCURRENCY) -> list[Scan]:
    """Run these queued scans (at most ``concurrency`` hosts at once) and record each result."""
    scans = list(
        Scan.objects.select_related("server")
        .filter(pk__in=scan_ids, status=Scan.Status.QUEUED)
        .order_by("pk")
    )
    Scan.objects.filter(pk__in=[s.pk for s in scans]).update(
        status=Scan.Status.RUNNING, started_at=timezone.now()
    )
    targets: list[tuple[Scan, ScanTarget]] = []
    for scan in scans:
        try:
            targets.append((scan, scan_target_for(scan.server)))
        except MissingCredentialsError:
            scan_fail(scan, code="no_credentials", message=f"{scan.server}: no credentials on file")
    inventories = asyncio.run(
        scan_hosts([target for _, target in targets], clock=timezone.now, concurrency=concurrency)
    )
    from patchdesk.desk.cases.hooks import scan_login_result

    for (scan, _target), inventory in zip(targets, inventories, strict=True):
        scan_record(scan, inventory)
        scan_login_result(scan)  # R14: a rejected login pauses the service, a good one resumes
        logger.info("scan=%s server=%s %s", scan.pk, scan.server_id, scan.status)
    from patchdesk.desk.findings.refresh import findings_refresh

    findings_refresh(server_ids=[scan.server_id for scan in scans])
    return scans


@task()
def scans_run(scan_ids: list[int]) -> int:
    return len(scans_execute(scan_ids))


@task()
def fleet_rescan() -> int:
    """Periodic: rescan every managed server."""
    servers = list(Server.objects.filter(is_managed=True))
    return len(scan_queue(servers, trigger="scheduled", actor=None))
