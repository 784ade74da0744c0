"""Debian changelogs: entries, ids and fixed versions, on the real Debian 12 changelog entries."""

from __future__ import annotations

import gzip
import json
import re
from collections import defaultdict
from datetime import datetime
from email.utils import format_datetime
from functools import cache
from typing import Any

import pytest

from patchdesk.engine.feeds.debian_changelog import (
    ChangelogEntry,
    build_changelog_advisories,
    parse_debian_changelog,
)
from patchdesk.engine.model import AdvisoryKind, Confidence, FixStatus, PackageNameKind
from patchdesk_testing.paths import shared_data

DATA = shared_data() / "debian12-changelog-cves"


@cache
def real_entries() -> dict[str, list[dict[str, Any]]]:
    """The 667 real changelog entries that cite a CVE, per source package, in file order."""
    by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with gzip.open(DATA / "changelog_entries_with_cves.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            entry = json.loads(line)
            by_source[entry["source"]].append(entry)
    return dict(by_source)


def as_changelog(entries: list[dict[str, Any]]) -> str:
    """The entries written back in changelog syntax (the extract keeps no e-mail address)."""
    blocks = []
    for e in entries:
        date = format_datetime(datetime.fromisoformat(e["date"]))
        blocks.append(
            f"{e['source']} ({e['version']}) {e['distributions']}; urgency={e['urgency']}\n\n"
            f"{e['changes']}\n\n -- {e['maintainer']} <maintainer@example.invalid>  {date}\n"
        )
    return "\n".join(blocks)


def test_every_real_entry_is_read_with_its_ids() -> None:
    total = 0
    differences = []
    for source, entries in sorted(real_entries().items()):
        result = parse_debian_changelog(as_changelog(entries), location=source)
        assert result.rejected == [], source
        assert [(e.source, e.version) for e in result.records] == [
            (source, e["version"]) for e in entries
        ]
        for parsed, raw in zip(result.records, entries, strict=True):
            assert parsed.distributions == tuple(raw["distributions"].split())
            assert parsed.date == datetime.fromisoformat(raw["date"])
            assert set(parsed.cve_ids) <= set(raw["cves"]), (source, raw["version"])
            if set(parsed.cve_ids) != set(raw["cves"]):
                differences.append((source, raw["version"], set(raw["cves"]) - set(parsed.cve_ids)))
        total += len(entries)
    assert total == 667
    # The extract matched CVE ids anywhere; the \\b of the id pattern skips ids glued into patch
    # file names ("Drop 01_CVE-2016-4425.patch"): mentions of removed patches, not fixes.
    assert len(differences) == 4
    for source, version, missing in differences:
        changes = next(e["changes"] for e in real_entries()[source] if e["version"] == version)
        for cve in missing:
            assert re.search(rf"\w{cve}", changes), (source, version, cve)


def test_entries_newer_than_the_installed_version() -> None:
    glibc = real_entries()["glibc"]
    result = parse_debian_changelog(as_changelog(glibc), newer_than="2.36-9+deb12u2")
    versions = [e.version for e in result.records]
    assert "2.36-9+deb12u3" in versions
    assert "2.36-9+deb12u2" not in versions
    assert all(v.startswith("2.36-9+deb12u") for v in versions)
    looney = next(e for e in result.records if e.version == "2.36-9+deb12u3")
    assert looney.cve_ids == ("CVE-2023-4911",)
    assert looney.is_security_upload  # bookworm-security
    assert parse_debian_changelog(as_changelog(glibc), newer_than="99").records == []


TESTBED_STYLE = """expat (2.5.0-1+deb12u5) bookworm-security; urgency=medium

  * Backport upstream security patches:
    - CVE-2026-56132: Fix out-of-bound scaffolding index store in doProlog.
    - CVE-2026-102633: Add runtime overflow check in expat_realloc.
  * Fix GHSA-5qpq-xqfv-j9pg and CAN-2026-2034440. Closes: #1142904, #1142906

 -- Pd Test <pdtest@example.invalid>  Mon, 23 Nov 2026 10:00:00 +0100

expat (2.5.0-1+deb12u4) bookworm; urgency=medium

  * Point release update, also fixing CVE-2026-24515.

 -- Pd Test <pdtest@example.invalid>  Sun, 01 Nov 2026 10:00:00 +0100

expat (2.5.0-1+deb12u2) bookworm-security; urgency=high

  * Installed already.

 -- Pd Test <pdtest@example.invalid>  Sat, 01 Aug 2026 10:00:00 +0200
"""


def test_ids_six_digit_cves_can_and_ghsa() -> None:
    result = parse_debian_changelog(TESTBED_STYLE, newer_than="2.5.0-1+deb12u2")
    newest, point = result.records
    assert newest.cve_ids == ("CVE-2026-56132", "CVE-2026-102633", "CVE-2026-2034440")
    assert newest.other_ids == ("GHSA-5qpq-xqfv-j9pg",)
    assert newest.closes == (1142904, 1142906)
    assert point.cve_ids == ("CVE-2026-24515",)
    assert not point.is_security_upload


def test_advisories_kind_from_the_suite_not_from_cve_ids() -> None:
    entries = parse_debian_changelog(TESTBED_STYLE, newer_than="2.5.0-1+deb12u2").records
    newest, point = build_changelog_advisories(entries, platform_key="debian:12")
    assert newest.id == "expat/2.5.0-1+deb12u5"
    assert newest.kind is AdvisoryKind.SECURITY  # uploaded to bookworm-security
    assert point.kind is AdvisoryKind.BUGFIX  # names a CVE, but a point release upload
    assert newest.confidence is Confidence.CHANGELOG
    assert newest.aliases == ("GHSA-5qpq-xqfv-j9pg",)
    assert newest.references == (
        "https://bugs.debian.org/1142904",
        "https://bugs.debian.org/1142906",
    )
    [package] = newest.affected
    assert (package.platform_key, package.package, package.name_kind) == (
        "debian:12",
        "expat",
        PackageNameKind.SOURCE,
    )
    assert (package.status, package.fixed_version) == (FixStatus.FIXED, "2.5.0-1+deb12u5")
    assert newest.summary == "Backport upstream security patches:"
    no_cve = ChangelogEntry(
        source="xz-utils", version="5.4.1-1+deb12u2", distributions=("bookworm",)
    )
    [from_security_index] = build_changelog_advisories(
        [no_cve], platform_key="debian:12", from_security_suite=True
    )
    assert from_security_index.kind is AdvisoryKind.SECURITY
    assert from_security_index.cve_ids == ()


BAD_ENTRY = (
    "expat ({version}) unstable; urgency=low\n\n  * x\n\n"
    " -- A <a@b.c>  Mon, 1 Jan 2024 00:00:00 +0000\n"
)


@pytest.mark.parametrize(
    ("text", "newer_than", "reason"),
    [
        (BAD_ENTRY.format(version="2.5.0 -1"), None, "invalid dpkg version"),
        (BAD_ENTRY.format(version=":1"), None, "invalid dpkg version"),
        (TESTBED_STYLE, "not a version!", "installed version"),
    ],
)
def test_bad_entries_are_rejected(text: str, newer_than: str | None, reason: str) -> None:
    result = parse_debian_changelog(text, newer_than=newer_than, location="changelog")
    assert result.records == []
    assert reason in result.rejected[0].reason


def test_garbage_and_huge_text_do_not_crash() -> None:
    assert parse_debian_changelog(b"\xff\xfe\x00 garbage\n" * 1000).records == []
    long_line = "  * " + "CVE-2099-1234 " * 50_000
    text = TESTBED_STYLE.replace("  * Installed already.", long_line)
    [*_, last] = parse_debian_changelog(text).records
    assert last.cve_ids == ("CVE-2099-1234",)


def test_determinism() -> None:
    text = as_changelog(real_entries()["openssl"])
    assert parse_debian_changelog(text) == parse_debian_changelog(text)
