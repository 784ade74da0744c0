"""Fetching the advisory feeds, and reading what was fetched (OSV, Red Hat CSAF, Debian tracker).

Each ``fetch_*`` downloads one file through :class:`~patchdesk.engine.feeds.http.HttpClient`
(conditionally with the previous ``etag`` / ``last_modified``: a 304 comes back as
``not_modified`` and nothing is written; a ``file://`` URL serves an air-gapped copy). The desk
then reads the file with the matching ``read_*`` (pure). The default addresses are the vendors'
public ones; every one can be replaced by configuration.

Red Hat publishes one CSAF file per advisory and per CVE, and a ``changes.csv`` listing when
each file last changed: :func:`parse_csaf_changes` turns it into the files to fetch since the
previous sync (:func:`build_csaf_file_url`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final
from urllib.parse import quote

from patchdesk.engine.feeds.csaf import parse_csaf_advisories
from patchdesk.engine.feeds.debian_tracker import DEBIAN_RELEASES, parse_debian_tracker
from patchdesk.engine.feeds.http import FetchResult, HttpClient
from patchdesk.engine.feeds.json_fields import FieldError, parse_timestamp
from patchdesk.engine.feeds.merge import merge_advisories
from patchdesk.engine.feeds.result import ParseResult, Rejection
from patchdesk.engine.model.advisory import Advisory

__all__ = [
    "DEBIAN_TRACKER_URL",
    "OSV_EXPORT_URL",
    "REDHAT_CSAF_URL",
    "CsafChange",
    "build_csaf_file_url",
    "build_osv_export_url",
    "fetch_csaf_file",
    "fetch_debian_tracker",
    "fetch_osv_export",
    "parse_csaf_changes",
    "read_csaf_files",
    "read_debian_tracker",
]

OSV_EXPORT_URL: Final = "https://osv-vulnerabilities.storage.googleapis.com/{ecosystem}/all.zip"
DEBIAN_TRACKER_URL: Final = "https://security-tracker.debian.org/tracker/data/json"
REDHAT_CSAF_URL: Final = "https://security.access.redhat.com/data/csaf/v2"  # /advisories, /vex


@dataclass(frozen=True, slots=True, kw_only=True)
class CsafChange:
    """One line of a Red Hat ``changes.csv``: a file (``2024/cve-2024-0727.json``) and when."""

    path: str
    changed_at: datetime


def build_osv_export_url(ecosystem: str) -> str:
    """osv.dev's export of one ecosystem (``AlmaLinux``, ``Rocky Linux``, ``Debian`` …)."""
    return OSV_EXPORT_URL.format(ecosystem=quote(ecosystem, safe=""))


def fetch_osv_export(
    client: HttpClient,
    destination: Path,
    *,
    url: str,
    etag: str = "",
    last_modified: str = "",
    expected_sha256: str = "",
) -> FetchResult:
    """Download an OSV export (zip, JSON Lines …) to ``destination``; then
    :func:`~patchdesk.engine.feeds.osv_files.read_osv_export` it (name the file so its
    extension says the format: ``all.zip``, ``almalinux9.osv.jsonl.xz``)."""
    return client.fetch(
        url,
        destination=destination,
        etag=etag,
        last_modified=last_modified,
        expected_sha256=expected_sha256,
    )


def fetch_debian_tracker(
    client: HttpClient,
    destination: Path,
    *,
    url: str = DEBIAN_TRACKER_URL,
    etag: str = "",
    last_modified: str = "",
) -> FetchResult:
    """Download the tracker JSON (the tracker sends ``Last-Modified``); then
    :func:`read_debian_tracker` it."""
    return client.fetch(url, destination=destination, etag=etag, last_modified=last_modified)


def read_debian_tracker(
    path: Path, *, releases: dict[str, str] | None = None
) -> ParseResult[Advisory]:
    return parse_debian_tracker(
        path.read_bytes(), releases=releases or DEBIAN_RELEASES, location=path.name
    )


def build_csaf_file_url(path: str, *, kind: str = "vex", base: str = REDHAT_CSAF_URL) -> str:
    """``2024/cve-2024-0727.json`` -> its URL under ``base/vex`` (or ``base/advisories``)."""
    return f"{base.rstrip('/')}/{kind}/{path.lstrip('/')}"


def fetch_csaf_file(
    client: HttpClient,
    destination: Path,
    *,
    url: str,
    etag: str = "",
    last_modified: str = "",
) -> FetchResult:
    """Download one CSAF document; then :func:`read_csaf_files` it (with the others)."""
    return client.fetch(url, destination=destination, etag=etag, last_modified=last_modified)


def parse_csaf_changes(text: str, *, since: datetime | None = None) -> ParseResult[CsafChange]:
    """The files of a ``changes.csv`` (``"path","timestamp"`` per line), newest change first;
    with ``since``, only those changed after it."""
    result: ParseResult[CsafChange] = ParseResult()
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row:
            continue
        where = f"changes.csv line {number}"
        try:
            if len(row) != 2 or not row[0].endswith(".json") or ".." in row[0]:
                raise FieldError("expected a .json path and a timestamp")
            change = CsafChange(path=row[0], changed_at=parse_timestamp(row[1], field="timestamp"))
        except FieldError as error:
            result.rejected.append(
                Rejection(source="csaf:redhat", record_id=where, reason=str(error), location=where)
            )
            continue
        if since is None or change.changed_at > since:
            result.records.append(change)
    result.records.sort(key=lambda change: change.changed_at, reverse=True)
    return result


def read_csaf_files(paths: Iterable[Path], *, source: str = "csaf:redhat") -> ParseResult[Advisory]:
    """Advisories from CSAF files (``.json`` or ``.json.gz``; directories are walked), one per
    RHSA: the pieces of one RHSA from several VEX files are merged."""
    result: ParseResult[Advisory] = ParseResult()
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p for p in path.rglob("*") if p.is_file() and p.name.endswith((".json", ".json.gz"))
            )
        else:
            files.append(path)
    for file in files:
        result.extend(parse_csaf_advisories(file.read_bytes(), source=source, location=file.name))
    result.records = merge_advisories(result.records)
    return result
