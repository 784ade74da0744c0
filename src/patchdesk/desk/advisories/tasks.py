"""Background jobs of the advisories: sync feed sources, then refresh verdicts and findings."""

from __future__ import annotations

import logging

from django_tasks import task

from patchdesk.desk.advisories.models import FeedSource, FeedSync
from patchdesk.desk.advisories.sync import feed_source_sync

logger = logging.getLogger(__name__)

__all__ = ["feeds_sync_task"]


@task()
def feeds_sync_task(names: list[str]) -> int:
    """Sync each named source (a failed one does not stop the others), then reclassify what
    changed and re-match every server. Returns the number of runs that imported something."""
    from patchdesk.desk.findings.refresh import findings_refresh_after_feeds

    imported = 0
    for source in FeedSource.objects.filter(name__in=names).order_by("name"):
        try:
            runs = feed_source_sync(source)
        except Exception:  # recorded in the run; the next source still syncs
            logger.exception("feed %s: sync failed", source.name)
            continue
        imported += sum(1 for run in runs if run.status == FeedSync.Status.SUCCEEDED)
    if imported:
        findings_refresh_after_feeds()
    return imported
