"""Background jobs of the advisories: sync feed sources, then refresh verdicts and findings."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django_tasks import task

from patchdesk.desk.advisories.models import FeedSource, FeedSync
from patchdesk.desk.advisories.selectors import feed_sources_enabled
from patchdesk.desk.advisories.sync import feed_source_sync

logger = logging.getLogger(__name__)

__all__ = ["feeds_sync_enabled", "feeds_sync_task"]


def _sources_sync(sources: Iterable[FeedSource]) -> int:
    """Sync each source (a failed one does not stop the others), then reclassify what changed
    and re-match every server. Returns the number of runs that imported something."""
    from patchdesk.desk.findings.refresh import findings_refresh_after_feeds

    imported = 0
    for source in sources:
        try:
            runs = feed_source_sync(source)
        except Exception:  # recorded in the run; the next source still syncs
            logger.exception("feed %s: sync failed", source.name)
            continue
        imported += sum(1 for run in runs if run.status == FeedSync.Status.SUCCEEDED)
    if imported:
        findings_refresh_after_feeds()
    return imported


@task()
def feeds_sync_task(names: list[str]) -> int:
    """Sync each named source, then refresh (see :func:`_sources_sync`)."""
    return _sources_sync(FeedSource.objects.filter(name__in=names).order_by("name"))


@task()
def feeds_sync_enabled() -> int:
    """Periodic: sync every enabled source. Nothing enabled (the default, e.g. air-gapped
    without a mirror source): nothing happens and 0 is returned. Never raises: a failure is
    logged (and recorded in the source's run) and the next period tries again."""
    try:
        sources = feed_sources_enabled()
        if not sources:
            logger.debug("periodic feed sync: no source is enabled")
            return 0
        return _sources_sync(sources)
    except Exception:
        logger.exception("periodic feed sync failed; the next period tries again")
        return 0
