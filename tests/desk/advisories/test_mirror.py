"""The ``debian-mirror`` source: air-gapped Debian mode from the desk (a tiny local mirror on
loopback, and the real mirror this machine's APT is configured with)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from patchdesk.desk.advisories import mirror
from patchdesk.desk.advisories.feeds import DEBIAN_MIRROR_KIND
from patchdesk.desk.advisories.models import Advisory, FeedSource, FeedSync
from patchdesk.desk.advisories.selectors import (
    InstalledDebRow,
    debian_installed_packages,
    feed_sources_enabled,
)
from patchdesk.desk.advisories.sync import feed_source_set, feed_source_sync, feed_sources_ensure
from patchdesk.engine.feeds.debian_sources import read_apt_sources
from patchdesk.engine.feeds.http import FetchError, UrllibHttpClient, fetch_bytes
from patchdesk.engine.model import Platform
from patchdesk_testing.contracts import client_for, page, user_make
from patchdesk_testing.debian_repo import HOST, build_test_repository, served
from patchdesk_testing.fleet import scan_with, server_make
from patchdesk_testing.inventory import DEBIAN, host, pkg
from patchdesk_testing.plugin import require

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    repo = tmp_path_factory.mktemp("repo")
    build_test_repository(repo)
    with served(repo) as url:
        yield url


def _mirror(sources_list: str) -> FeedSource:
    feed_sources_ensure()
    return feed_source_set("debian-mirror", is_enabled=True, options={"sources_list": sources_list})


def _fake_fleet() -> None:
    """Two bookworm servers (the union of their packages counts) and one bullseye server."""
    one, two = server_make("web1"), server_make("web2")
    scan_with(one, *(pkg(p.name, p.version, source=p.source_name) for p in HOST[:2]))
    scan_with(two, *(pkg(p.name, p.version, source=p.source_name) for p in HOST[2:]))
    old = server_make("old1")
    bullseye = Platform(**{**{f: getattr(DEBIAN, f) for f in DEBIAN.__dataclass_fields__},
                           "release": "11"})  # fmt: skip
    scan_with(old, inventory=host(bullseye, pkg("pdtest-baz", "1.0-1"), target="ssh://old1"))


def test_the_default_mirror_source_is_disabled_and_needs_no_url() -> None:
    feed_sources_ensure()
    source = FeedSource.objects.get(name="debian-mirror")
    assert (source.kind, source.url, source.is_enabled) == (DEBIAN_MIRROR_KIND, "", False)
    assert source not in feed_sources_enabled()
    feed_source_set("debian-mirror", is_enabled=True)
    assert [s.name for s in feed_sources_enabled()] == ["debian-mirror"]


def test_the_managed_servers_packages_are_read_per_release() -> None:
    _fake_fleet()
    found = debian_installed_packages()
    assert sorted(found) == ["debian:11", "debian:12"]
    assert [p.name for p in found["debian:12"]] == sorted(p.name for p in HOST)
    assert found["debian:11"] == [
        InstalledDebRow(
            name="pdtest-baz",
            version="1.0-1",
            arch="amd64",
            source_name="pdtest-baz",
            source_version="1.0-1",
        )
    ]


def test_sync_derives_advisories_for_the_fleet_from_a_local_mirror(repository: str) -> None:
    _fake_fleet()
    source = _mirror(f"deb {repository} bookworm main\ndeb {repository} bookworm-security main\n")
    (run,) = feed_source_sync(source)
    assert run.status == FeedSync.Status.SUCCEEDED, run.error
    assert (run.added, run.changed) == (2, 0)
    reasons = {r["record_id"]: r["reason"] for r in run.rejections}
    assert "checksum_mismatch" in reasons["pdtest-qux/1.1-1"]  # the damaged .deb
    assert reasons["debian:11"] == "no APT source lists a bullseye suite"
    bar = Advisory.objects.get(advisory_id="pdtest-bar/1.0-1+deb12u1")
    assert (bar.source, bar.kind, bar.confidence) == ("debian-changelog", "security", "changelog")
    assert sorted(bar.cves.values_list("cve_id", flat=True)) == [
        "CVE-2099-1234",
        "CVE-2099-123456",
    ]
    assert list(bar.affected.values_list("platform_key", "package", "fixed_version")) == [
        ("debian:12", "pdtest-bar", "1.0-1+deb12u1")
    ]
    assert Advisory.objects.get(advisory_id="pdtest-baz/2.0-2").kind == "bugfix"
    (again,) = feed_source_sync(source)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 2)


def test_without_servers_this_machines_packages_are_used(
    repository: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [InstalledDebRow(**{f: getattr(p, f) for f in p.__dataclass_fields__}) for p in HOST]
    monkeypatch.setattr(mirror, "local_installed_packages", lambda: ("debian:12", rows))
    (run,) = feed_source_sync(_mirror(f"deb {repository} bookworm-security main\n"))
    assert (run.status, run.added) == (FeedSync.Status.SUCCEEDED, 1)


def test_this_machines_own_packages() -> None:
    local = mirror.local_installed_packages()
    require("a Debian machine", None if local else "this machine is not Debian")
    assert local is not None
    key, packages = local
    assert key.startswith("debian:")
    assert "dpkg" in {p.name for p in packages}


def test_an_unreachable_mirror_fails_and_changes_nothing() -> None:
    _fake_fleet()
    (run,) = feed_source_sync(_mirror("deb http://127.0.0.1:9/debian bookworm main\n"))
    assert run.status == FeedSync.Status.FAILED
    assert "no package index could be read" in run.error
    assert not Advisory.objects.exists()


def test_mirror_sources_from_a_file_url_or_this_machine(tmp_path: Path) -> None:
    feed_sources_ensure()
    listed = tmp_path / "mirror.list"
    listed.write_text("deb http://127.0.0.1:9/debian bookworm main\n", encoding="utf-8")
    source = feed_source_set("debian-mirror", url=listed.as_uri())
    assert [s.suites for s in mirror.mirror_apt_sources(source).records] == [("bookworm",)]
    source = feed_source_set("debian-mirror", url="")
    assert mirror.mirror_apt_sources(source).records == read_apt_sources().records
    missing = feed_source_set("debian-mirror", url=(tmp_path / "nope").as_uri())
    assert mirror.mirror_apt_sources(missing).rejected[0].reason == "no such file"


def test_the_console_enables_the_mirror_without_a_url() -> None:
    feed_sources_ensure()
    source = FeedSource.objects.get(name="debian-mirror")
    ops = client_for(user_make("ops-tanaka"), language="en")
    assert 'placeholder="this machine\'s /etc/apt"' in page(ops.get("/console/feeds/"))
    text = "deb http://127.0.0.1:9/debian bookworm-security main"
    saved = ops.post(
        f"/console/feeds/sources/{source.pk}/",
        {"is_enabled": "on", "url": "", "sources_list": text},
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200
    source.refresh_from_db()
    assert (source.is_enabled, source.url, source.options) == (True, "", {"sources_list": text})
    refused = ops.post(
        f"/console/feeds/sources/{source.pk}/",
        {"is_enabled": "on", "url": "https://example.invalid/debian"},
        HTTP_HX_REQUEST="true",
    )
    assert "Enter a file:/// path or leave it empty." in page(refused)


@pytest.mark.testbed
def test_the_real_mirror_for_three_packages_with_security_updates() -> None:
    """libexpat1, liblzma5 and libgcrypt20 at the versions bookworm released with, against the
    mirror this machine's APT is configured with (its /etc/apt, the source's default)."""
    sources = [s for s in read_apt_sources().records if "bookworm-security" in s.suites]
    require("a Debian mirror with bookworm-security", None if sources else "none in /etc/apt")
    try:
        release_url = sources[0].release_url("bookworm-security")
        fetch_bytes(UrllibHttpClient(timeout_s=30), release_url, max_bytes=1 << 24)
    except FetchError as error:
        require("the Debian mirror", str(error))
    server = server_make("web1")
    scan_with(
        server,
        pkg("libexpat1", "2.5.0-1", source="expat"),
        pkg("liblzma5", "5.4.1-1", source="xz-utils"),
        pkg("libgcrypt20", "1.10.1-3"),
    )
    feed_sources_ensure()
    source = feed_source_set("debian-mirror", is_enabled=True)
    started = time.monotonic()
    (run,) = feed_source_sync(source)
    elapsed_s = time.monotonic() - started
    assert run.status == FeedSync.Status.SUCCEEDED, run.error
    assert run.rejected == 0, run.rejections
    derived = Advisory.objects.filter(source="debian-changelog")
    assert run.added == derived.count() >= 3
    sources_seen = {a.advisory_id.split("/")[0] for a in derived}
    assert sources_seen == {"expat", "xz-utils", "libgcrypt20"}
    assert set(derived.values_list("confidence", flat=True)) == {"changelog"}
    assert derived.filter(kind="security").exists()
    cves = set(derived.values_list("cves__cve_id", flat=True))
    assert "CVE-2023-52425" in cves  # expat 2.5.0-1+deb12u2
    print(f"real mirror: 3 packages, {run.added} advisories in {elapsed_s:.1f} s")
