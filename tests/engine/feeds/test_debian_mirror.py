"""Air-gapped Debian mode end to end: a local repository made with dpkg-deb and apt-ftparchive,
served by http.server; and one download of a real package from the machine's own mirror."""

from __future__ import annotations

import gzip
import http.server
import lzma
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
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
from patchdesk_testing.plugin import require


@dataclass(frozen=True, slots=True, kw_only=True)
class Installed:
    name: str
    version: str
    arch: str
    source_name: str
    source_version: str


def entry(source: str, version: str, suite: str, text: str) -> str:
    return (
        f"{source} ({version}) {suite}; urgency=medium\n\n  * {text}\n\n"
        " -- Pd Test <pdtest@example.invalid>  Mon, 23 Nov 2026 10:00:00 +0100\n"
    )


def build_deb(pool: Path, package: str, version: str, source: str, doc: dict[str, str]) -> None:
    """``doc``: {"changelog": text} or {"link": other package}."""
    root = pool / f"build-{package}-{version}"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text(
        f"Package: {package}\nSource: {source}\nVersion: {version}\nArchitecture: all\n"
        "Maintainer: Pd Test <pdtest@example.invalid>\nDescription: patchdesk test\n",
        encoding="utf-8",
    )
    doc_dir = root / "usr" / "share" / "doc" / package
    if "link" in doc:
        doc_dir.parent.mkdir(parents=True)
        doc_dir.symlink_to(doc["link"])
    else:
        doc_dir.mkdir(parents=True)
        (doc_dir / "changelog.Debian.gz").write_bytes(gzip.compress(doc["changelog"].encode()))
    subprocess.run(
        [
            "dpkg-deb",
            "-Zxz",
            "--root-owner-group",
            "-b",
            str(root),
            str(pool / f"{package}_{version}_all.deb"),
        ],
        check=True,
        capture_output=True,
    )
    shutil.rmtree(root)


def publish(repo: Path, suite: str, pool: str, label: str) -> None:
    index = repo / "dists" / suite / "main" / "binary-amd64"
    index.mkdir(parents=True)
    packages = subprocess.run(
        ["apt-ftparchive", "packages", pool], cwd=repo, check=True, capture_output=True
    ).stdout
    (index / "Packages").write_bytes(packages)
    (index / "Packages.xz").write_bytes(lzma.compress(packages))
    options = [
        f"-oAPT::FTPArchive::Release::{k}={v}"
        for k, v in {
            "Origin": "Debian",
            "Label": label,
            "Suite": suite,
            "Codename": suite,
            "Components": "main",
            "Architectures": "amd64",
        }.items()
    ]
    release = subprocess.run(
        ["apt-ftparchive", *options, "release", f"dists/{suite}"],
        cwd=repo,
        check=True,
        capture_output=True,
    ).stdout
    (repo / "dists" / suite / "Release").write_bytes(release)


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    for tool in ("dpkg-deb", "apt-ftparchive"):
        require(tool, None if shutil.which(tool) else f"{tool} is not installed (apt-utils, dpkg)")
    repo = tmp_path_factory.mktemp("repo")
    security, point = repo / "pool" / "security", repo / "pool" / "point"
    security.mkdir(parents=True)
    point.mkdir(parents=True)
    bar = entry(
        "pdtest-bar", "1.0-1+deb12u1", "bookworm-security", "Fix CVE-2099-1234, CVE-2099-123456."
    )
    bar += "\n" + entry("pdtest-bar", "1.0-1", "bookworm", "Initial release.")
    build_deb(security, "pdtest-libbar", "1.0-1+deb12u1", "pdtest-bar", {"changelog": bar})
    build_deb(
        security, "pdtest-bar-server", "1.0-1+deb12u1", "pdtest-bar", {"link": "pdtest-libbar"}
    )
    qux = entry("pdtest-qux", "1.1-1", "bookworm-security", "Fix CVE-2099-7.")
    build_deb(security, "pdtest-qux", "1.1-1", "pdtest-qux", {"changelog": qux})
    baz = entry("pdtest-baz", "2.0-2", "bookworm", "Point release, also fixing CVE-2099-5555.")
    build_deb(point, "pdtest-baz", "2.0-2", "pdtest-baz", {"changelog": baz})
    publish(repo, "bookworm-security", "pool/security", "Debian-Security")
    publish(repo, "bookworm", "pool/point", "Debian")
    # Damage pdtest-qux after the index recorded its checksum: the download must be refused.
    qux_deb = security / "pdtest-qux_1.1-1_all.deb"
    qux_deb.write_bytes(qux_deb.read_bytes()[:-10] + b"0123456789")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(repo))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def installed(name: str, version: str, source: str) -> Installed:
    return Installed(
        name=name, version=version, arch="amd64", source_name=source, source_version=version
    )


HOST = [
    installed("pdtest-libbar", "1.0-1", "pdtest-bar"),
    installed("pdtest-bar-server", "1.0-1", "pdtest-bar"),
    installed("pdtest-qux", "1.0-1", "pdtest-qux"),
    installed("pdtest-baz", "2.0-1", "pdtest-baz"),
    installed("pdtest-current", "1.0-1", "pdtest-current"),  # in no index: nothing to do
]


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
