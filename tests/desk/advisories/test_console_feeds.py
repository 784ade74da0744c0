"""The console's feeds page: sources (enable, URL), sync now in a job, a file imported from
the browser, runs with their rejections."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from patchdesk.desk.advisories.models import Advisory, FeedSource, FeedSync
from patchdesk.desk.advisories.sync import feed_source_set
from patchdesk.desk.advisories.tasks import feeds_sync_task
from patchdesk.desk.core.models import AuditEntry
from patchdesk.desk.findings.models import Finding
from patchdesk.engine.feeds.detect import FeedFormat
from patchdesk.engine.feeds.native import write_native_advisories
from patchdesk_testing.contracts import client_for, page
from patchdesk_testing.security import World, debian_advisory

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def ops(world: World) -> Client:
    return client_for(world.operator, language="en")


@pytest.fixture
def sources(world: World) -> dict[str, FeedSource]:
    return {
        name: feed_source_set(name, kind=kind, url=url, is_enabled=False)
        for name, kind, url in (
            (
                "debian-tracker",
                FeedFormat.DEBIAN_TRACKER,
                "https://security-tracker.debian.org/tracker/data/json",
            ),
            ("kev", FeedFormat.KEV, "https://www.cisa.gov/kev.json"),
        )
    }


def _native_file(path: Path, *advisories: object) -> Path:
    write_native_advisories(advisories, path)  # type: ignore[arg-type]
    return path


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["<h1>Feeds</h1>", "Sources", "Import a file", "Recent runs"]),
        ("ja", ["<h1>フィード</h1>", "取得元", "ファイルの取り込み", "最近の実行"]),
    ],
)
def test_the_feeds_page_renders_in_both_languages(
    world: World, sources: dict[str, FeedSource], language: str, words: list[str]
) -> None:
    html = page(client_for(world.operator, language=language).get("/console/feeds/"))
    for word in words:
        assert word in html
    assert 'data-source="debian-tracker"' in html
    assert 'data-source="test-feed"' in html
    assert "https://www.cisa.gov/kev.json" in html


def test_a_source_is_enabled_and_repointed(
    world: World, sources: dict[str, FeedSource], ops: Client
) -> None:
    kev = sources["kev"]
    url = f"/console/feeds/sources/{kev.pk}/"
    row = ops.post(
        url, {"is_enabled": "on", "url": "file:///srv/mirror/kev.json"}, HTTP_HX_REQUEST="true"
    )
    html = page(row)
    assert html.startswith(f'<tr id="source-{kev.pk}"')
    assert "The source kev has been saved." in html
    kev.refresh_from_db()
    assert (kev.is_enabled, kev.url) == (True, "file:///srv/mirror/kev.json")
    entry = AuditEntry.objects.filter(action="feed.configure", object_id=str(kev.pk)).latest("pk")
    assert entry.actor == world.operator


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"is_enabled": "on", "url": ""}, "An enabled source needs a URL."),
        ({"url": "ftp://mirror.example/kev.json"}, "Enter an http://, https:// or file:/// URL."),
        ({"url": "javascript:alert(1)"}, "Enter an http://, https:// or file:/// URL."),
    ],
)
def test_bad_source_settings_change_nothing(
    world: World, sources: dict[str, FeedSource], ops: Client, data: dict[str, str], error: str
) -> None:
    kev = sources["kev"]
    response = ops.post(f"/console/feeds/sources/{kev.pk}/", data)
    assert response.status_code == 200
    assert error in page(response)
    kev.refresh_from_db()
    assert (kev.is_enabled, kev.url) == (False, "https://www.cisa.gov/kev.json")
    with_htmx = ops.post(f"/console/feeds/sources/{kev.pk}/", data, HTTP_HX_REQUEST="true")
    assert error in page(with_htmx)


def test_sync_now_queues_one_job_after_commit(
    world: World,
    sources: dict[str, FeedSource],
    ops: Client,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        response = ops.post(
            "/console/feeds/sync/",
            {"scope": "selected", "sources": [sources["kev"].pk, sources["debian-tracker"].pk]},
            follow=True,
        )
    assert "Sync queued for: debian-tracker, kev." in page(response)
    assert len(callbacks) == 1
    assert AuditEntry.objects.filter(action="feed.sync_request").count() == 2
    nothing = ops.post("/console/feeds/sync/", {"scope": "enabled"})
    assert nothing.status_code == 400
    assert "No selected source has a URL to download from." in page(nothing)
    none_ticked = ops.post("/console/feeds/sync/", {"scope": "selected"})
    assert "Select at least one source." in page(none_ticked)


def test_the_sync_job_imports_each_source_then_refreshes_findings(
    world: World, tmp_path: Path
) -> None:
    newer = debian_advisory("DSA-9100-1", "zsh", "5.9-5", "CVE-2027-1100")
    path = _native_file(tmp_path / "advisories.jsonl.xz", newer)
    feed_source_set("mirror", kind=FeedFormat.NATIVE, url=path.as_uri(), is_enabled=True)
    feed_source_set("broken", kind=FeedFormat.KEV, url="file:///nonexistent/kev.json")
    assert feeds_sync_task.call(["broken", "mirror"]) == 1
    assert FeedSync.objects.get(source__name="broken").status == FeedSync.Status.FAILED
    assert Advisory.objects.filter(advisory_id="DSA-9100-1").exists()
    assert Finding.objects.filter(advisory__advisory_id="DSA-9100-1", package="zsh").count() == 2


@override_settings(TASKS=IMMEDIATE)
def test_a_file_is_imported_from_the_browser(
    world: World,
    ops: Client,
    tmp_path: Path,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    good = debian_advisory("DSA-9200-1", "zsh", "5.9-5", "CVE-2027-1200")
    bad = debian_advisory("DSA-9201-1", "zsh", "not a version!", "CVE-2027-1201")
    path = _native_file(tmp_path / "advisories.jsonl", good, bad)
    upload = SimpleUploadedFile("advisories.jsonl", path.read_bytes())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = ops.post(
            "/console/feeds/upload/", {"upload": upload, "source_name": "usb-stick"}
        )
    html = page(response)
    assert response.status_code == 200
    assert "Imported into usb-stick:" in html
    assert len(callbacks) == 1, "verdicts and findings are refreshed by a job"
    assert Finding.objects.filter(advisory__advisory_id="DSA-9200-1").count() == 2
    run = FeedSync.objects.get(source__name="usb-stick")
    detail = page(ops.get(f"/console/feeds/runs/{run.pk}/"))
    assert "Feed run of usb-stick" in detail
    assert run.rejected == 1
    assert "DSA-9201-1" in detail
    assert AuditEntry.objects.filter(action="feed.import", actor=world.operator).exists()


def test_an_unrecognised_file_is_refused_with_a_field_error(world: World, ops: Client) -> None:
    before = FeedSync.objects.count()
    upload = SimpleUploadedFile("notes.txt", b"just some notes\n")
    response = ops.post("/console/feeds/upload/", {"upload": upload})
    assert "The file's format was not recognised: choose it in the list." in page(response)
    assert FeedSync.objects.count() == before
    broken = SimpleUploadedFile("advisories.jsonl.xz", b"not xz at all")
    response = ops.post("/console/feeds/upload/", {"upload": broken, "feed_format": "native"})
    assert "The file could not be imported (nothing was changed)" in page(response)
    assert FeedSync.objects.count() == before


def test_an_unknown_source_or_run_is_a_404(world: World, ops: Client) -> None:
    assert ops.post("/console/feeds/sources/999999/", {"url": ""}).status_code == 404
    assert ops.get("/console/feeds/runs/999999/").status_code == 404
