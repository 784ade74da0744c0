"""``patchdesk feeds``: import advisory and enrichment files, sync the configured sources."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from patchdesk.commands.desk import database_require_migrated, django_setup


def _print_runs(label: str, runs: Sequence[object]) -> None:
    from patchdesk.desk.advisories.models import FeedSync

    for run in runs:
        assert isinstance(run, FeedSync)
        click.echo(
            f"{label}: {run.status} — added {run.added}, changed {run.changed}, "
            f"unchanged {run.unchanged}, rejected {run.rejected}"
            + (f" ({run.error})" if run.error else "")
        )
        for rejection in run.rejections[:10]:
            click.echo(f"  rejected {rejection['record_id']}: {rejection['reason']}", err=True)
        if run.rejected > 10:
            click.echo(f"  ... and {run.rejected - 10} more (patchdesk feeds report)", err=True)


def feeds_import(paths: Sequence[Path], *, kind: str | None, source: str) -> bool:
    """Import each path; True when every import succeeded."""
    django_setup()
    database_require_migrated()
    from patchdesk.desk.advisories.sync import feed_file_import
    from patchdesk.desk.findings.refresh import findings_refresh_after_feeds
    from patchdesk.engine.feeds.detect import FeedFormat, UnknownFeedFormat

    ok = True
    for path in paths:
        try:
            runs = feed_file_import(
                path, feed_format=FeedFormat(kind) if kind else None, source_name=source
            )
        except UnknownFeedFormat as exc:
            click.echo(f"patchdesk: {exc}", err=True)
            ok = False
            continue
        except Exception as exc:  # noqa: BLE001 - reported, the other files still import
            click.echo(f"patchdesk: {path}: import failed, nothing changed: {exc}", err=True)
            ok = False
            continue
        _print_runs(str(path), runs)
        ok = ok and all(run.status == "succeeded" for run in runs)
    findings_refresh_after_feeds()
    return ok


def feeds_sync(names: Sequence[str]) -> bool:
    django_setup()
    database_require_migrated()
    from patchdesk.desk.advisories.models import FeedSource
    from patchdesk.desk.advisories.selectors import feed_sources_enabled
    from patchdesk.desk.advisories.sync import feed_source_sync, feed_sources_ensure
    from patchdesk.desk.findings.refresh import findings_refresh_after_feeds

    feed_sources_ensure()
    sources = (
        list(FeedSource.objects.filter(name__in=names).order_by("name"))
        if names
        else feed_sources_enabled()
    )
    missing = set(names) - {s.name for s in sources}
    for name in sorted(missing):
        click.echo(f"patchdesk: no feed source named {name!r} (patchdesk feeds sources)", err=True)
    if not sources and not missing:
        click.echo("No source is enabled: patchdesk feeds enable NAME [--url URL]")
    ok = not missing
    for source in sources:
        click.echo(f"Syncing {source.name} from {_where(source)} ...")
        runs = feed_source_sync(source)
        _print_runs(source.name, runs)
        ok = ok and all(run.status in {"succeeded", "not_modified"} for run in runs)
    findings_refresh_after_feeds()
    return ok


def _where(source: object) -> str:
    from patchdesk.desk.advisories.feeds import DEBIAN_MIRROR_KIND
    from patchdesk.desk.advisories.models import FeedSource

    assert isinstance(source, FeedSource)
    if source.kind != DEBIAN_MIRROR_KIND:
        return source.url
    if source.options.get("sources_list"):
        return "the mirror in its stored APT sources"
    return "the mirror in " + (source.url or "this machine's /etc/apt")


def feeds_sources() -> None:
    django_setup()
    database_require_migrated()
    from patchdesk.desk.advisories.models import FeedSource
    from patchdesk.desk.advisories.sync import feed_sources_ensure

    feed_sources_ensure()
    for source in FeedSource.objects.order_by("name"):
        state = "enabled " if source.is_enabled else "disabled"
        synced = f"{source.last_synced_at:%Y-%m-%d %H:%M}" if source.last_synced_at else "never"
        click.echo(
            f"{state}  {source.name:<20} {source.kind:<15} last {synced:<16} {_where(source)}"
        )


def feeds_set(
    name: str,
    *,
    enable: bool | None,
    url: str | None,
    kind: str | None,
    sources_list: str | None = None,
) -> bool:
    django_setup()
    database_require_migrated()
    from patchdesk.desk.advisories.sync import feed_source_set, feed_sources_ensure
    from patchdesk.desk.core.errors import PatchdeskError

    feed_sources_ensure()
    try:
        source = feed_source_set(
            name,
            is_enabled=enable,
            url=url,
            kind=kind,
            options=None if sources_list is None else {"sources_list": sources_list},
        )
    except PatchdeskError as exc:
        click.echo(f"patchdesk: {exc.message}", err=True)
        return False
    click.echo(f"{source.name}: {'enabled' if source.is_enabled else 'disabled'} {_where(source)}")
    return True


def feeds_report(name: str | None, *, limit: int) -> None:
    django_setup()
    database_require_migrated()
    from patchdesk.desk.advisories.models import FeedSync

    runs = FeedSync.objects.select_related("source").order_by("-started_at")
    if name:
        runs = runs.filter(source__name=name)
    for run in runs[:limit]:
        click.echo(
            f"{run.started_at:%Y-%m-%d %H:%M} {run.source.name} {run.trigger} {run.status}: "
            f"+{run.added} ~{run.changed} ={run.unchanged} !{run.rejected}"
            + (f" {run.error}" if run.error else "")
        )
        for rejection in run.rejections:
            click.echo(f"    {rejection['record_id']}: {rejection['reason']}")
