"""Import feed files and sync configured sources, one report (``FeedSync``) per source run."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.accounts.models import User
from patchdesk.desk.advisories.feeds import (
    DEBIAN_MIRROR_KIND,
    DEFAULT_SOURCES,
    FEED_KINDS,
    Yields,
)
from patchdesk.desk.advisories.models import FeedSource, FeedSync
from patchdesk.desk.advisories.services import (
    advisories_import,
    epss_import,
    kev_import,
    vulnerabilities_import,
)
from patchdesk.desk.core.errors import PatchdeskError
from patchdesk.desk.core.services import audit_record
from patchdesk.desk.platforms.services import platform_eol_import
from patchdesk.engine.feeds.detect import FeedFormat, detect_feed_format
from patchdesk.engine.feeds.http import FetchError, HttpClient, UrllibHttpClient
from patchdesk.engine.feeds.result import ParseResult, Rejection

logger = logging.getLogger(__name__)

__all__ = [
    "FeedSourceUnknownError",
    "feed_file_import",
    "feed_source_set",
    "feed_source_sync",
    "feed_sources_ensure",
]


class FeedSourceUnknownError(PatchdeskError):
    code = "feed_source_unknown"
    message_format = _("There is no feed source named %(name)s.")


def feed_sources_ensure() -> None:
    """Create the default sources that do not exist yet (disabled)."""
    for default in DEFAULT_SOURCES:
        FeedSource.objects.get_or_create(
            name=default.name,
            defaults={"kind": default.kind, "url": default.url, "is_enabled": False},
        )


@transaction.atomic
def feed_source_set(
    name: str,
    *,
    is_enabled: bool | None = None,
    url: str | None = None,
    kind: FeedFormat | str | None = None,
    options: dict[str, str] | None = None,
    actor: User | None = None,
) -> FeedSource:
    """Enable, disable or re-point a source (a new name with ``kind`` creates one); ``options``
    are merged into the source's (an empty value removes the key)."""
    source = FeedSource.objects.select_for_update().filter(name=name).first()
    if source is None:
        if kind is None:
            raise FeedSourceUnknownError(name=name)
        source = FeedSource.objects.create(name=name, kind=str(kind), url=url or "")
    before = {"is_enabled": source.is_enabled, "url": source.url, "options": source.options}
    if is_enabled is not None:
        source.is_enabled = is_enabled
    if url is not None:
        source.url = url
    if options is not None:
        merged = {**source.options, **options}
        source.options = {key: value for key, value in merged.items() if value}
    source.save()
    audit_record(
        actor=actor,
        action="feed.configure",
        obj=source,
        changes={key: [value, getattr(source, key)] for key, value in before.items()},
        actor_label="" if actor else "command line",
    )
    return source


def feed_file_import(
    path: Path | Sequence[Path],
    *,
    feed_format: FeedFormat | None = None,
    source_name: str = "",
    actor: User | None = None,
    trigger: str = "import",
) -> list[FeedSync]:
    """Read files (directories, zips) of one format and import them together, one report per
    record type. Give all files of one vendor database at once: an advisory listed in several
    files (one per release) is merged, not replaced by the last file read."""
    paths = [path] if isinstance(path, Path) else list(path)
    found = feed_format or detect_feed_format(paths[0])
    source = FeedSource.objects.filter(name=source_name or f"import-{found.value}").first()
    if source is None:
        source = FeedSource.objects.create(
            name=source_name or f"import-{found.value}", kind=found.value
        )
    return _import_readers(source, found, paths, actor=actor, trigger=trigger)


def _import_readers(
    source: FeedSource,
    found: FeedFormat,
    paths: Sequence[Path],
    *,
    actor: User | None,
    trigger: str,
) -> list[FeedSync]:
    runs = []
    for yields, read in FEED_KINDS[found].readers:
        parsed: ParseResult[Any] = ParseResult()
        for path in paths:
            parsed.extend(read(path))
        runs.append(_import(source, yields, parsed, actor=actor, trigger=trigger))
    return runs


def _import(
    source: FeedSource,
    yields: Yields,
    parsed: ParseResult[Any],
    *,
    actor: User | None,
    trigger: str,
) -> FeedSync:
    if yields == Yields.ADVISORIES:
        return advisories_import(source, parsed, trigger=trigger, actor=actor)
    if yields == Yields.VULNERABILITIES:
        return vulnerabilities_import(source, parsed, trigger=trigger, actor=actor)
    if yields == Yields.KEV:
        return kev_import(source, parsed, trigger=trigger, actor=actor)
    if yields == Yields.EPSS:
        return epss_import(source, parsed, trigger=trigger, actor=actor)
    return _eol_import(source, parsed, actor=actor, trigger=trigger)


def _eol_import(
    source: FeedSource, parsed: ParseResult[Any], *, actor: User | None, trigger: str
) -> FeedSync:
    sync = FeedSync.objects.create(source=source, trigger=trigger)
    report = platform_eol_import(parsed.records, source=source.name, actor=actor, add_missing=True)
    sync.status = FeedSync.Status.SUCCEEDED
    sync.finished_at = timezone.now()
    sync.added = len(report.added)
    sync.changed = len(report.updated)
    sync.unchanged = len(report.unchanged) + len(report.unknown)
    sync.rejected = len(parsed.rejected)
    sync.rejections = [_rejection_json(r) for r in parsed.rejected]
    sync.save()
    return sync


def _rejection_json(rejection: Rejection) -> dict[str, str]:
    return {
        "record_id": rejection.record_id,
        "reason": rejection.reason,
        "location": rejection.location,
    }


def feed_source_sync(
    source: FeedSource, *, client: HttpClient | None = None, actor: User | None = None
) -> list[FeedSync]:
    """Fetch one source (conditionally) and import it. A failed download changes nothing."""
    if source.kind == DEBIAN_MIRROR_KIND:
        from patchdesk.desk.advisories.mirror import debian_mirror_sync

        return debian_mirror_sync(source, client=client, actor=actor)
    found = FeedFormat(source.kind)
    directory = Path(settings.PATCHDESK_DATA_DIR) / "feeds" / source.name
    directory.mkdir(parents=True, exist_ok=True)
    destination = directory / FEED_KINDS[found].download_name
    fetcher = client or UrllibHttpClient()
    try:
        fetched = fetcher.fetch(
            source.url,
            destination=destination,
            etag=source.etag,
            last_modified=source.last_modified,
        )
    except FetchError as exc:
        failed = FeedSync.objects.create(
            source=source,
            trigger="sync",
            status=FeedSync.Status.FAILED,
            finished_at=timezone.now(),
            error=str(exc)[:2000],
        )
        logger.warning("feed %s: download failed: %s", source.name, exc)
        return [failed]
    if fetched.not_modified:
        unchanged = FeedSync.objects.create(
            source=source,
            trigger="sync",
            status=FeedSync.Status.NOT_MODIFIED,
            finished_at=timezone.now(),
        )
        FeedSource.objects.filter(pk=source.pk).update(last_synced_at=unchanged.finished_at)
        return [unchanged]
    runs = _import_readers(source, found, [destination], actor=actor, trigger="sync")
    FeedSource.objects.filter(pk=source.pk).update(
        etag=fetched.etag or "",
        last_modified=fetched.last_modified or "",
        content_sha256=fetched.sha256 or "",
    )
    return runs
