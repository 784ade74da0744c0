"""A tiny Debian repository for the air-gapped Debian mode: real ``.deb`` files built with
dpkg-deb, indexes and Release files made by apt-ftparchive, served by http.server on loopback.

Suites: ``bookworm-security`` (label Debian-Security) with pdtest-libbar and pdtest-bar-server
1.0-1+deb12u1 (source pdtest-bar; the server package's doc directory links to libbar's) naming
CVE-2099-1234 and CVE-2099-123456, and pdtest-qux 1.1-1 whose ``.deb`` was damaged after
indexing; ``bookworm`` (label Debian) with pdtest-baz 2.0-2, a point release naming
CVE-2099-5555. :data:`HOST` is a host with the older versions installed.
"""

from __future__ import annotations

import gzip
import http.server
import lzma
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from patchdesk_testing.plugin import require


@dataclass(frozen=True, slots=True, kw_only=True)
class Installed:
    name: str
    version: str
    arch: str
    source_name: str
    source_version: str


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


def build_test_repository(repo: Path) -> None:
    """The repository described in the module's docstring, written under ``repo``."""
    for tool in ("dpkg-deb", "apt-ftparchive"):
        require(tool, None if shutil.which(tool) else f"{tool} is not installed (apt-utils, dpkg)")
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


@contextmanager
def served(directory: Path) -> Iterator[str]:
    """``directory`` over HTTP on loopback; yields the base URL."""
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
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
