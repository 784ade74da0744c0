"""Fetching advisory feeds over real HTTP (http.server on 127.0.0.1) and reading them."""

from __future__ import annotations

import gzip
import http.server
import shutil
import threading
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest

from patchdesk.engine.feeds.advisory_fetch import (
    build_csaf_file_url,
    build_osv_export_url,
    fetch_csaf_file,
    fetch_debian_tracker,
    fetch_osv_export,
    parse_csaf_changes,
    read_csaf_files,
    read_debian_tracker,
)
from patchdesk.engine.feeds.http import UrllibHttpClient
from patchdesk.engine.feeds.osv_files import read_osv_export
from patchdesk_testing.paths import shared_data

DATA = shared_data()
TRACKER = Path(__file__).parent / "data" / "debian_tracker_sample.json"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("www")
    with zipfile.ZipFile(root / "all.zip", "w") as archive:
        for path in sorted((DATA / "almalinux-osv" / "samples-almalinux9").glob("*.json")):
            archive.write(path, path.name)
    lines = TRACKER.read_bytes().splitlines(keepends=True)
    (root / "json").write_bytes(b"".join(line for line in lines if not line.startswith(b"#")))
    (root / "vex" / "2024").mkdir(parents=True)
    sample = DATA / "redhat-csaf-samples" / "cve-2024-0727-openssl.json.gz"
    (root / "vex" / "2024" / "cve-2024-0727.json").write_bytes(gzip.decompress(sample.read_bytes()))
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_osv_export(served: tuple[str, Path], tmp_path: Path) -> None:
    base, _ = served
    client = UrllibHttpClient(timeout_s=10)
    fetched = fetch_osv_export(client, tmp_path / "all.zip", url=f"{base}/all.zip")
    assert fetched.path is not None
    result = read_osv_export(fetched.path, source="osv:almalinux")
    assert len(result.records) == 11
    assert result.rejected == []
    again = fetch_osv_export(
        client, tmp_path / "all.zip", url=f"{base}/all.zip", last_modified=fetched.last_modified
    )
    assert again.not_modified  # http.server answers If-Modified-Since with 304


def test_debian_tracker(served: tuple[str, Path], tmp_path: Path) -> None:
    base, _ = served
    fetched = fetch_debian_tracker(
        UrllibHttpClient(), tmp_path / "tracker.json", url=f"{base}/json"
    )
    assert fetched.path is not None
    assert len(read_debian_tracker(fetched.path).records) == 6


def test_csaf_files(served: tuple[str, Path], tmp_path: Path) -> None:
    base, _ = served
    url = build_csaf_file_url("2024/cve-2024-0727.json", base=base)
    assert url == f"{base}/vex/2024/cve-2024-0727.json"
    fetched = fetch_csaf_file(UrllibHttpClient(), tmp_path / "cve-2024-0727.json", url=url)
    assert fetched.path is not None
    result = read_csaf_files([fetched.path])
    assert sorted(a.id for a in result.records) == [
        "CVE-2024-0727",
        "RHSA-2024:2447",
        "RHSA-2024:9088",
    ]


def test_read_csaf_files_merges_across_documents(tmp_path: Path) -> None:
    shutil.copytree(DATA / "redhat-csaf-samples", tmp_path / "csaf")
    result = read_csaf_files([tmp_path / "csaf"])
    assert result.rejected == []
    ids = [a.id for a in result.records]
    assert len(ids) == len(set(ids))
    assert "RHSA-2022:0011" in ids


def test_osv_export_url() -> None:
    assert build_osv_export_url("Rocky Linux") == (
        "https://osv-vulnerabilities.storage.googleapis.com/Rocky%20Linux/all.zip"
    )


def test_csaf_changes() -> None:
    text = (
        '"2026/cve-2026-0968.json","2026-03-01T10:00:00+00:00"\n'
        '"2024/cve-2024-0727.json","2025-11-21T14:32:00+00:00"\n'
        '"../etc/passwd.json","2026-01-01T00:00:00+00:00"\n'
        '"2023/cve-2023-4154.json","yesterday"\n'
        "\n"
        '"2022/rhsa-2022_0011.json","2022-03-23T20:31:00+00:00"\n'
    )
    result = parse_csaf_changes(text, since=datetime(2023, 1, 1, tzinfo=UTC))
    assert [c.path for c in result.records] == [
        "2026/cve-2026-0968.json",
        "2024/cve-2024-0727.json",
    ]
    assert [r.location for r in result.rejected] == ["changes.csv line 3", "changes.csv line 4"]
    assert len(parse_csaf_changes(text).records) == 3
