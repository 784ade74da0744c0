"""The complete AlmaLinux 8/9/10 OSV export parses completely (real data, 5,680 records)."""

from __future__ import annotations

import json
import lzma
from collections import Counter
from functools import cache

import pytest

from patchdesk.engine.feeds.osv_files import read_osv_export
from patchdesk.engine.feeds.result import ParseResult
from patchdesk.engine.model import Advisory, AdvisoryKind, FixStatus, VendorSeverity
from patchdesk_testing.paths import shared_data

ALMA = shared_data() / "almalinux-osv"

# Record counts, distinct CVEs and affected entries of each release's export (data README).
EXPECTED = {8: (3237, 5426, 40838), 9: (1783, 4145, 24012), 10: (660, 1682, 6479)}


@cache
def export(release: int) -> ParseResult[Advisory]:
    return read_osv_export(ALMA / f"almalinux{release}.osv.jsonl.xz", source="osv:almalinux")


@cache
def raw(release: int) -> dict[str, dict[str, object]]:
    with lzma.open(ALMA / f"almalinux{release}.osv.jsonl.xz", "rt", encoding="utf-8") as lines:
        return {record["id"]: record for record in map(json.loads, lines)}


@pytest.mark.parametrize("release", [8, 9, 10])
def test_every_record_is_imported(release: int) -> None:
    records, cves, entries = EXPECTED[release]
    result = export(release)
    assert result.rejected == []
    assert len(result.records) == records == len(raw(release))
    assert len({advisory.id for advisory in result.records}) == records
    assert len({cve for advisory in result.records for cve in advisory.cve_ids}) == cves
    assert sum(len(advisory.affected) for advisory in result.records) == entries


@pytest.mark.parametrize("release", [8, 9, 10])
def test_fixed_versions_are_the_raw_ones(release: int) -> None:
    """Every affected entry, compared with the raw file: same package, release and fix."""
    by_id = {advisory.id: advisory for advisory in export(release).records}
    for record_id, record in raw(release).items():
        expected = Counter()
        for entry in record["affected"]:
            ecosystem = entry["package"]["ecosystem"]
            [range_] = entry["ranges"]
            [introduced, fixed] = range_["events"]
            assert introduced == {"introduced": "0"}
            key = "almalinux:" + ecosystem.split(":")[1]
            expected[key, entry["package"]["name"], fixed["fixed"]] += 1
        got = Counter(
            (package.platform_key, package.package, package.fixed_version)
            for package in by_id[record_id].affected
        )
        assert got == expected, record_id


def test_openssh_regresshion_on_almalinux_9() -> None:
    advisory = {a.id: a for a in export(9).records}["ALSA-2024:4312"]
    assert advisory.cve_ids == ("CVE-2024-6387",)  # from "related": AlmaLinux has no aliases
    assert advisory.vendor_severity is VendorSeverity.HIGH  # "Important: openssh security update"
    assert advisory.aliases == ("RHSA-2024:4312",)
    assert advisory.kind is AdvisoryKind.SECURITY
    openssh = [p for p in advisory.affected if p.package == "openssh"]
    assert [(p.platform_key, p.fixed_version, p.status) for p in openssh] == [
        ("almalinux:9", "8.7p1-38.el9_4.1", FixStatus.FIXED)
    ]
    assert advisory.published_at is not None
    assert advisory.published_at.isoformat() == "2024-07-03T00:00:00+00:00"


def test_cross_release_entries_keep_their_release() -> None:
    """The almalinux9 export also carries AlmaLinux:8 and :10 entries: kept, mapped to them."""
    keys = Counter(p.platform_key for a in export(9).records for p in a.affected)
    assert keys == {"almalinux:9": 23051, "almalinux:8": 745, "almalinux:10": 216}
    java = {a.id: a for a in export(9).records}["ALSA-2024:0265"]
    assert ("almalinux:8", "java-1.8.0-openjdk", "1:1.8.0.402.b06-2.el8") in {
        (p.platform_key, p.package, p.fixed_version) for p in java.affected
    }


def test_severity_and_kind_from_the_summary_and_id() -> None:
    alma8 = {a.id: a for a in export(8).records}
    counts = Counter(a.vendor_severity for a in alma8.values() if a.kind is AdvisoryKind.SECURITY)
    # Every ALSA names Red Hat's rating (one at the end of its summary): 2,040 = 15+1,016+929+80.
    assert counts == {
        VendorSeverity.CRITICAL: 15,
        VendorSeverity.HIGH: 1016,
        VendorSeverity.MEDIUM: 929,
        VendorSeverity.LOW: 80,
    }
    assert alma8["ALSA-2022:5468"].vendor_severity is VendorSeverity.HIGH  # "… (Important)"
    assert alma8["ALBA-2026:47115"].vendor_severity is VendorSeverity.UNKNOWN  # "None: …"
    assert Counter(a.kind for a in alma8.values()) == {
        AdvisoryKind.SECURITY: 2040,
        AdvisoryKind.BUGFIX: 975,
        AdvisoryKind.ENHANCEMENT: 222,
    }


def test_parsing_twice_gives_equal_records() -> None:
    path = ALMA / "almalinux10.osv.jsonl.xz"
    first = read_osv_export(path, source="osv:almalinux")
    second = read_osv_export(path, source="osv:almalinux")
    assert first.records == second.records
    assert first.rejected == second.rejected
