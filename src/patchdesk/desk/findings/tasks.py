"""Background jobs of the findings: reclassify every CVE and re-match every server."""

from __future__ import annotations

import logging

from django_tasks import task

from patchdesk.desk.findings.refresh import findings_refresh_after_feeds

logger = logging.getLogger(__name__)

__all__ = ["findings_reclassify"]


@task()
def findings_reclassify() -> int:
    """After a new policy version: every verdict, then every server's findings."""
    report = findings_refresh_after_feeds()
    logger.info("reclassified: servers=%s opened=%s", report.servers, report.opened)
    return report.servers
