"""The feed kinds the desk imports and the sources it knows out of the box.

A *kind* says how a file is read (an engine reader) and what it yields; a *source* is a
configured place to fetch one kind from (a ``FeedSource`` row: name, URL, enabled). Sources are
disabled until an operator enables them, since many installations have no internet access;
``patchdesk feeds import`` reads the same formats from files.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from patchdesk.engine.feeds.advisory_fetch import (
    DEBIAN_TRACKER_URL,
    build_osv_export_url,
    read_csaf_files,
    read_debian_tracker,
)
from patchdesk.engine.feeds.csaf_vulnerability import read_csaf_vulnerabilities
from patchdesk.engine.feeds.cve5 import read_cve5
from patchdesk.engine.feeds.detect import FeedFormat
from patchdesk.engine.feeds.eol import read_end_of_life
from patchdesk.engine.feeds.epss import EPSS_CURRENT_URL, read_epss
from patchdesk.engine.feeds.kev import KEV_JSON_URL, read_kev
from patchdesk.engine.feeds.native import read_native_advisories
from patchdesk.engine.feeds.nvd import read_nvd
from patchdesk.engine.feeds.osv_files import read_osv_export
from patchdesk.engine.feeds.result import ParseResult

__all__ = [
    "DEBIAN_MIRROR_KIND",
    "DEFAULT_SOURCES",
    "FEED_KINDS",
    "DefaultSource",
    "FeedKind",
    "Yields",
    "source_is_syncable",
]

DEBIAN_MIRROR_KIND = "debian-mirror"
"""Not a file format: advisories derived from the changelogs of the candidate ``.deb`` files in
the APT mirror the desk is configured with (air-gapped Debian mode, ``mirror.py``). Its URL is
empty (this machine's ``/etc/apt``) or ``file:///PATH``; pasted sources go in
``options["sources_list"]``."""


class Yields(enum.StrEnum):
    ADVISORIES = "advisories"
    VULNERABILITIES = "vulnerabilities"
    KEV = "kev"
    EPSS = "epss"
    END_OF_LIFE = "end_of_life"


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedKind:
    """How one format is read. CSAF yields both advisories and vulnerability facts."""

    format: FeedFormat
    readers: tuple[tuple[Yields, Callable[[Path], ParseResult[Any]]], ...]
    download_name: str  # a file name whose extension tells the reader the format


FEED_KINDS: dict[FeedFormat, FeedKind] = {
    kind.format: kind
    for kind in (
        FeedKind(
            format=FeedFormat.OSV,
            readers=((Yields.ADVISORIES, lambda path: read_osv_export(path, source="osv")),),
            download_name="all.zip",
        ),
        FeedKind(
            format=FeedFormat.NATIVE,
            readers=((Yields.ADVISORIES, read_native_advisories),),
            download_name="advisories.jsonl.xz",
        ),
        FeedKind(
            format=FeedFormat.CSAF,
            readers=(
                (Yields.ADVISORIES, lambda path: read_csaf_files([path])),
                (Yields.VULNERABILITIES, read_csaf_vulnerabilities),
            ),
            download_name="document.json",
        ),
        FeedKind(
            format=FeedFormat.DEBIAN_TRACKER,
            readers=((Yields.ADVISORIES, read_debian_tracker),),
            download_name="tracker.json",
        ),
        FeedKind(
            format=FeedFormat.CVE5,
            readers=((Yields.VULNERABILITIES, read_cve5),),
            download_name="cves.zip",
        ),
        FeedKind(
            format=FeedFormat.NVD,
            readers=((Yields.VULNERABILITIES, read_nvd),),
            download_name="nvd.json.gz",
        ),
        FeedKind(
            format=FeedFormat.KEV, readers=((Yields.KEV, read_kev),), download_name="kev.json"
        ),
        FeedKind(
            format=FeedFormat.EPSS, readers=((Yields.EPSS, read_epss),), download_name="epss.csv.gz"
        ),
        FeedKind(
            format=FeedFormat.EOL,
            readers=((Yields.END_OF_LIFE, read_end_of_life),),
            download_name="eol.csv",
        ),
    )
}


@dataclass(frozen=True, slots=True, kw_only=True)
class DefaultSource:
    name: str
    kind: str  # a FeedFormat value, or DEBIAN_MIRROR_KIND
    url: str


def source_is_syncable(kind: str, url: str) -> bool:
    """A source can be synced when it has a URL, or is a mirror source (default: /etc/apt)."""
    return bool(url) or kind == DEBIAN_MIRROR_KIND


DEFAULT_SOURCES: tuple[DefaultSource, ...] = (
    *(
        DefaultSource(
            name=f"{name}-osv", kind=FeedFormat.OSV.value, url=build_osv_export_url(ecosystem)
        )
        for name, ecosystem in (
            ("almalinux", "AlmaLinux"),
            ("rocky", "Rocky Linux"),
            ("redhat", "Red Hat"),
            ("debian", "Debian"),
            ("ubuntu", "Ubuntu"),
            ("suse", "SUSE"),
            ("opensuse", "openSUSE"),
        )
    ),
    DefaultSource(
        name="debian-tracker", kind=FeedFormat.DEBIAN_TRACKER.value, url=DEBIAN_TRACKER_URL
    ),
    DefaultSource(name="kev", kind=FeedFormat.KEV.value, url=KEV_JSON_URL),
    DefaultSource(name="epss", kind=FeedFormat.EPSS.value, url=EPSS_CURRENT_URL),
    DefaultSource(name="debian-mirror", kind=DEBIAN_MIRROR_KIND, url=""),
)
