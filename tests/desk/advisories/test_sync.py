"""Syncing a source over HTTP: conditional requests, not-modified runs, failed downloads."""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from patchdesk.desk.advisories.models import FeedSync, Vulnerability
from patchdesk.desk.advisories.sync import feed_source_set, feed_source_sync, feed_sources_ensure
from patchdesk.engine.feeds.detect import FeedFormat
from patchdesk_testing.paths import shared_data

pytestmark = pytest.mark.django_db(transaction=True)

KEV = shared_data("cisa-kev", "known_exploited_vulnerabilities.json")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def feed_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


def test_second_sync_is_not_modified_and_a_failed_download_changes_nothing(
    feed_server: tuple[str, Path],
) -> None:
    base, root = feed_server
    shutil.copyfile(KEV, root / "kev.json")
    feed_sources_ensure()
    source = feed_source_set("kev", is_enabled=True, url=f"{base}/kev.json")
    (first,) = feed_source_sync(source)
    assert (first.status, first.changed) == (FeedSync.Status.SUCCEEDED, 1404)
    source.refresh_from_db()
    assert source.last_modified, "the server's Last-Modified is kept for the next request"
    (second,) = feed_source_sync(source)
    assert second.status == FeedSync.Status.NOT_MODIFIED
    feed_source_set("kev", url=f"{base}/missing.json")
    source.refresh_from_db()
    (failed,) = feed_source_sync(source)
    assert failed.status == FeedSync.Status.FAILED
    assert "404" in failed.error
    assert Vulnerability.objects.filter(kev_added_on__isnull=False).count() == 1404


def test_a_new_source_needs_a_known_kind(feed_server: tuple[str, Path]) -> None:
    base, root = feed_server
    (root / "kev.json").write_bytes(KEV.read_bytes())
    source = feed_source_set(
        "kev-mirror", is_enabled=True, url=f"{base}/kev.json", kind=FeedFormat.KEV
    )
    (run,) = feed_source_sync(source)
    assert run.status == FeedSync.Status.SUCCEEDED
