"""Air-gapped Debian mode end to end: a local repository made with dpkg-deb and apt-ftparchive,
served by http.server; and one download of a real package from the machine's own mirror."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from patchdesk.engine.feeds.debian_mirror import (
    fetch_changelog_advisories,
    fetch_mirror_indexes,
    select_update_candidates,
    sync_debian_mirror,
)
from patchdesk.engine.feeds.debian_sources import AptSource, read_apt_sources
from patchdesk.engine.feeds.http import UrllibHttpClient
from patchdesk.engine.model import AdvisoryKind, Confidence
from patchdesk_testing.debian_repo import HOST, Installed, build_test_repository, served
from patchdesk_testing.plugin import require


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    repo = tmp_path_factory.mktemp("repo")
    build_test_repository(repo)
    with served(repo) as url:
        yield url


def test_end_to_end_on_a_local_repository(repository: str) -> None:
    source = AptSource(
        uri=repository, suites=("bookworm", "bookworm-security"), components=("main",)
    )
    client = UrllibHttpClient(timeout_s=10)
    indexes = fetch_mirror_indexes(client, [source], architecture="amd64")
    assert indexes.rejected == []
    assert [(i.suite, i.security, len(i.entries)) for i in indexes.records] == [
        ("bookworm", False, 1),
        ("bookworm-security", True, 3),
    ]
    candidates = select_update_candidates(HOST, indexes.records)
    assert [(c.package, c.entry.version) for c in candidates] == [
        ("pdtest-bar-server", "1.0-1+deb12u1"),
        ("pdtest-baz", "2.0-2"),
        ("pdtest-libbar", "1.0-1+deb12u1"),
        ("pdtest-qux", "1.1-1"),
    ]
    result = sync_debian_mirror(
        client, sources=[source], installed=HOST, platform_key="debian:12", architecture="amd64"
    )
    found = {a.id: a for a in result.records}
    assert sorted(found) == ["pdtest-bar/1.0-1+deb12u1", "pdtest-baz/2.0-2"]
    bar = found["pdtest-bar/1.0-1+deb12u1"]  # read through pdtest-bar-server's doc symlink
    assert bar.cve_ids == ("CVE-2099-1234", "CVE-2099-123456")
    assert bar.kind is AdvisoryKind.SECURITY
    assert bar.confidence is Confidence.CHANGELOG
    assert [(p.package, p.fixed_version) for p in bar.affected] == [("pdtest-bar", "1.0-1+deb12u1")]
    baz = found["pdtest-baz/2.0-2"]
    assert baz.kind is AdvisoryKind.BUGFIX  # from the point release suite, CVE or not
    assert baz.cve_ids == ("CVE-2099-5555",)
    [rejection] = result.rejected
    assert rejection.record_id == "pdtest-qux/1.1-1"
    assert "checksum_mismatch" in rejection.reason


def test_missing_indexes_are_reported(repository: str) -> None:
    source = AptSource(uri=repository, suites=("trixie",), components=("main",))
    indexes = fetch_mirror_indexes(UrllibHttpClient(timeout_s=10), [source], architecture="amd64")
    assert indexes.records == []
    assert "404" in indexes.rejected[0].reason


def test_a_real_package_from_the_machines_mirror(tmp_path: Path) -> None:
    """libexpat1 from bookworm-security, from the mirror named in this machine's apt sources."""
    sources = [
        source
        for source in read_apt_sources().records
        if source.binary and "bookworm-security" in source.suites and source.uri.startswith("http")
    ]
    require("a Debian mirror with bookworm-security", None if sources else "none in /etc/apt")
    security = AptSource(uri=sources[0].uri, suites=("bookworm-security",), components=("main",))
    client = UrllibHttpClient(timeout_s=60)
    indexes = fetch_mirror_indexes(client, [security], architecture="amd64")
    require("the Debian mirror", "; ".join(r.reason for r in indexes.rejected) or None)
    [index] = indexes.records
    assert index.security
    assert index.release is not None
    assert index.release.label == "Debian-Security"
    expat = [
        Installed(
            name="libexpat1",
            version="2.5.0-1",
            arch="amd64",
            source_name="expat",
            source_version="2.5.0-1",
        )
    ]
    candidates = select_update_candidates(expat, [index])
    [candidate] = candidates
    result = fetch_changelog_advisories(client, candidates, platform_key="debian:12")
    assert result.rejected == []
    newest = result.records[0]
    assert newest.id == f"expat/{candidate.entry.version}"
    assert newest.kind is AdvisoryKind.SECURITY
    assert all(a.id.startswith("expat/2.5.0-1+deb12u") for a in result.records)
    cves = {cve for advisory in result.records for cve in advisory.cve_ids}
    assert "CVE-2023-52425" in cves  # named by the 2.5.0-1+deb12u2 entry
