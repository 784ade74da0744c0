"""The periodic feed sync and fleet rescan: declared, and harmless when nothing is enabled."""

from __future__ import annotations

import pytest
from django.conf import settings

from patchdesk.desk.advisories import tasks
from patchdesk.desk.advisories.models import FeedSource, FeedSync
from patchdesk.desk.advisories.sync import feed_source_set, feed_sources_ensure

pytestmark = pytest.mark.django_db


def test_feed_sync_and_fleet_rescan_are_periodic_jobs() -> None:
    jobs = {name: (path, interval) for name, path, interval in settings.PATCHDESK_PERIODIC_JOBS}
    assert jobs["feeds-sync"] == ("patchdesk.desk.advisories.tasks.feeds_sync_enabled", 6 * 3600)
    assert jobs["fleet-rescan"] == ("patchdesk.desk.fleet.tasks.fleet_rescan", 24 * 3600)


def test_with_no_enabled_source_the_feed_sync_does_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed_sources_ensure()
    assert FeedSource.objects.exists()
    assert not FeedSource.objects.filter(is_enabled=True).exists()

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("nothing may be fetched or refreshed")

    monkeypatch.setattr(tasks, "feed_source_sync", refused)
    monkeypatch.setattr("patchdesk.desk.findings.refresh.findings_refresh_after_feeds", refused)
    assert tasks.feeds_sync_enabled.call() == 0
    assert not FeedSync.objects.exists()


def test_the_feed_sync_never_raises_into_the_scheduler(monkeypatch: pytest.MonkeyPatch) -> None:
    feed_sources_ensure()
    feed_source_set("kev", is_enabled=True, url="http://127.0.0.1:9/kev.json")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(tasks, "feed_source_sync", broken)
    assert tasks.feeds_sync_enabled.call() == 0
    monkeypatch.setattr(tasks, "feed_sources_enabled", broken)
    assert tasks.feeds_sync_enabled.call() == 0


def test_an_enabled_source_is_synced_and_a_failed_download_is_reported() -> None:
    feed_sources_ensure()
    feed_source_set("kev", is_enabled=True, url="http://127.0.0.1:9/kev.json")  # nobody listens
    assert tasks.feeds_sync_enabled.call() == 0
    (run,) = FeedSync.objects.filter(source__name="kev")
    assert run.status == FeedSync.Status.FAILED
