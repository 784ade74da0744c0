"""OSV records -> advisories: real Debian/Ubuntu/AlmaLinux samples, vendor quirks, bad input."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patchdesk.engine.feeds.json_fields import FieldError
from patchdesk.engine.feeds.osv import parse_osv_record
from patchdesk.engine.feeds.osv_ecosystems import map_osv_ecosystem
from patchdesk.engine.model import (
    AdvisoryKind,
    FixStatus,
    PackageFormat,
    PackageNameKind,
    VendorSeverity,
)
from patchdesk_testing.paths import shared_data

DATA = shared_data()


def load(relative: str) -> dict[str, Any]:
    return json.loads((DATA / relative).read_text(encoding="utf-8"))


def parse_one(record: object, source: str = "osv:test") -> Any:
    result = parse_osv_record(record, source=source, location="test.json")
    assert len(result.records) == 1, result.rejected
    return result.records[0]


def record(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "ALSA-2099:0001",
        "summary": "Moderate: demo security update",
        "modified": "2099-01-02T03:04:05Z",
        "related": ["CVE-2099-12345"],
        "affected": [
            {
                "package": {"ecosystem": "AlmaLinux:9", "name": "demo"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0-1.el9"}]}
                ],
            }
        ],
    }
    base.update(changes)
    return base


# --- real records ---------------------------------------------------------------------------


def test_ubuntu_usn_lists_source_packages_per_release() -> None:
    advisory = parse_one(load("ubuntu-osv-samples/USN-7604-1.json"), "osv:ubuntu")
    assert advisory.id == "USN-7604-1"
    assert advisory.cve_ids == ("CVE-2025-32462", "CVE-2025-32463")  # from UBUNTU-CVE upstream ids
    assert [(p.platform_key, p.package, p.fixed_version) for p in advisory.affected] == [
        ("ubuntu:22.04", "sudo", "1.9.9-1ubuntu2.5"),
        ("ubuntu:24.04", "sudo", "1.9.15p5-3ubuntu5.24.04.1"),
        ("ubuntu:25.04", "sudo", "1.9.16p2-1ubuntu1.1"),
    ]
    assert {p.name_kind for p in advisory.affected} == {PackageNameKind.SOURCE}
    assert {p.version_format for p in advisory.affected} == {PackageFormat.DPKG}
    assert advisory.vendor_severity is VendorSeverity.UNKNOWN  # a USN carries no priority


def test_ubuntu_cve_record_priority_and_pro_channel() -> None:
    regresshion = parse_one(load("ubuntu-osv-samples/UBUNTU-CVE-2024-6387.json"))
    assert regresshion.cve_ids == ("CVE-2024-6387",)
    assert regresshion.vendor_severity is VendorSeverity.HIGH  # ecosystem_specific.ubuntu_priority
    assert ("ubuntu:24.04", "1:9.6p1-3ubuntu13.3") in {
        (p.platform_key, p.fixed_version) for p in regresshion.affected
    }
    kernel = parse_one(load("ubuntu-osv-samples/UBUNTU-CVE-2025-38094.json"))
    assert kernel.vendor_severity is VendorSeverity.MEDIUM  # severity type "Ubuntu"
    [entry] = kernel.affected
    assert (entry.platform_key, entry.channel, entry.status) == (
        "ubuntu:14.04",
        "ubuntu-pro",
        FixStatus.NO_FIX_YET,  # a range with "introduced" only
    )
    assert entry.fixed_version is None


def test_debian_dsa_and_dla() -> None:
    dsa = parse_one(load("debian-osv-samples/DSA-3029-1.json"), "osv:debian")
    assert dsa.cve_ids == ("CVE-2014-3616",)  # from aliases
    assert [(p.platform_key, p.package, p.fixed_version) for p in dsa.affected] == [
        ("debian:7", "nginx", "1.2.1-2.2+wheezy3")
    ]
    dla = parse_one(load("debian-osv-samples/DLA-3008-1.json"), "osv:debian")
    assert dla.cve_ids == ("CVE-2022-1292",)  # from "upstream" (CVE and DEBIAN-CVE ids)
    assert dla.affected[0].fixed_version == "1.1.0l-1~deb9u6"
    assert dla.summary == "openssl - security update"
    tzdata = parse_one(load("debian-osv-samples/DLA-3051-1.json"))
    assert tzdata.cve_ids == ()  # a non-security-bug update is still an advisory


def test_almalinux_sample_file_matches_the_export_record() -> None:
    advisory = parse_one(load("almalinux-osv/samples-almalinux9/ALSA-2023-5453.json"))
    assert advisory.id == "ALSA-2023:5453"
    assert "CVE-2023-4911" in advisory.cve_ids
    assert advisory.aliases == ("RHSA-2023:5453",)


# --- vendor quirks on small records ----------------------------------------------------------


def test_rocky_record_epoch_zero_and_source_advisory() -> None:
    advisory = parse_one(
        record(
            id="RLSA-2099:0002",
            summary="Important: python3.12-lxml security update",
            related=[],
            upstream=["CVE-2099-49825"],
            database_specific={"source_advisory": "RHSA-2099:0002"},
            affected=[
                {
                    "package": {"ecosystem": "Rocky Linux:9", "name": "python3.12-lxml"},
                    "ranges": [
                        {
                            "type": "ECOSYSTEM",
                            "events": [{"introduced": "0"}, {"fixed": "0:4.9.3-2.el9_8.1"}],
                        }
                    ],
                }
            ],
        )
    )
    assert advisory.vendor_severity is VendorSeverity.HIGH
    assert advisory.aliases == ("RHSA-2099:0002",)
    assert advisory.affected[0].platform_key == "rocky:9"
    assert advisory.affected[0].fixed_version == "4.9.3-2.el9_8.1"


@pytest.mark.parametrize(
    ("ecosystem", "purl", "key", "kind", "channel"),
    [
        ("Red Hat:enterprise_linux:9::appstream", "", "rhel:9", PackageNameKind.BINARY, ""),
        (
            "Red Hat:rhel_eus:9.2::appstream",
            "pkg:rpm/redhat/x?arch=src",
            "rhel:9.2",
            PackageNameKind.SOURCE,
            "",
        ),
        ("SUSE:Linux Enterprise Server 15 SP5", "", "sles:15.5", PackageNameKind.SOURCE, ""),
        (
            "SUSE:Linux Enterprise Module for Basesystem 15 SP7",
            "",
            "sles:15.7",
            PackageNameKind.SOURCE,
            "",
        ),
        (
            "SUSE:Linux Enterprise Server 15 SP4-LTSS",
            "",
            "sles:15.4",
            PackageNameKind.SOURCE,
            "suse-ltss",
        ),
        ("SUSE:Linux Enterprise Server 12 SP5", "", "sles:12.5", PackageNameKind.SOURCE, ""),
        ("SUSE:Linux Enterprise Micro 5.5", "", "sle-micro:5.5", PackageNameKind.SOURCE, ""),
        ("openSUSE:Leap 15.5", "", "opensuse-leap:15.5", PackageNameKind.SOURCE, ""),
        ("openSUSE:Leap Micro 5.5", "", "opensuse-leap-micro:5.5", PackageNameKind.SOURCE, ""),
        ("openSUSE:Tumbleweed", "", "opensuse-tumbleweed:rolling", PackageNameKind.SOURCE, ""),
        (
            "Ubuntu:Pro:FIPS:22.04:LTS",
            "",
            "ubuntu:22.04",
            PackageNameKind.SOURCE,
            "ubuntu-pro-fips",
        ),
        ("Debian:12", "", "debian:12", PackageNameKind.SOURCE, ""),
        ("AlmaLinux:10", "", "almalinux:10", PackageNameKind.BINARY, ""),
    ],
)
def test_ecosystems_map_to_platforms(
    ecosystem: str, purl: str, key: str, kind: PackageNameKind, channel: str
) -> None:
    target = map_osv_ecosystem(ecosystem, source_rpm="arch=src" in purl)
    assert (target.platform_key, target.name_kind, target.channel) == (key, kind, channel)


@pytest.mark.parametrize(
    "ecosystem",
    [
        "PyPI",
        "npm",
        "Debian",
        "Debian:sid",
        "Ubuntu:jammy",
        "Red Hat:openshift:4.12::el8",
        "SUSE:Manager Server 4.3",
        "openSUSE:Leap",
        "Alpine:v3.20",
        "AlmaLinux:nine",
        "",
    ],
)
def test_unsupported_ecosystems_are_refused(ecosystem: str) -> None:
    with pytest.raises(FieldError):
        map_osv_ecosystem(ecosystem)


def test_suse_record_with_binaries_and_kind() -> None:
    advisory = parse_one(
        record(
            id="SUSE-RU-2099:1234-1",
            summary="Recommended update for demo",
            affected=[
                {
                    "package": {
                        "ecosystem": "SUSE:Linux Enterprise Server 15 SP5",
                        "name": "demo",
                        "purl": "pkg:rpm/suse/demo&distro=SUSE%20Linux%20Enterprise",
                    },
                    "ranges": [
                        {
                            "type": "ECOSYSTEM",
                            "events": [{"introduced": "0"}, {"fixed": "1.2-150500.3.1"}],
                        }
                    ],
                    "ecosystem_specific": {"binaries": [{"demo": "1.2-150500.3.1"}]},
                }
            ],
        )
    )
    assert advisory.kind is AdvisoryKind.BUGFIX
    assert advisory.affected[0].platform_key == "sles:15.5"


def test_ranges_with_several_fixes_and_last_affected() -> None:
    advisory = parse_one(
        record(
            affected=[
                {
                    "package": {"ecosystem": "Debian:12", "name": "demo"},
                    "ranges": [
                        {
                            "type": "ECOSYSTEM",
                            "events": [
                                {"introduced": "1.0-1"},
                                {"fixed": "1.0-1+deb12u1"},
                                {"introduced": "2.0-1"},
                                {"last_affected": "2.0-3"},
                            ],
                        },
                        {
                            "type": "GIT",
                            "repo": "https://example.invalid/x",
                            "events": [{"introduced": "0"}],
                        },
                    ],
                }
            ]
        )
    )
    assert [(p.status, p.introduced_version, p.fixed_version) for p in advisory.affected] == [
        (FixStatus.FIXED, "1.0-1", "1.0-1+deb12u1"),
        (FixStatus.NO_FIX_YET, "2.0-1", None),
    ]


def test_cve_ids_come_from_every_id_field_and_are_sorted() -> None:
    advisory = parse_one(
        record(
            id="UBUNTU-CVE-2099-123456",
            aliases=["GHSA-abcd-efgh-ijkl", "CVE-2099-9999"],
            related=["CVE-2098-0001", "USN-1-1", "not an id"],
            upstream=["DEBIAN-CVE-2099-123456"],
        )
    )
    assert advisory.cve_ids == ("CVE-2098-0001", "CVE-2099-9999", "CVE-2099-123456")
    assert advisory.aliases == ("GHSA-abcd-efgh-ijkl",)


# --- bad input ---------------------------------------------------------------------------------


def first_entry(**changes: object) -> dict[str, object]:
    entry = copy.deepcopy(record()["affected"][0])  # type: ignore[index]
    entry.update(changes)
    return entry


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ([], "must be a JSON object"),
        ({"summary": "no id"}, "'id' must be a string"),
        (record(id=42), "'id' must be a string"),
        (record(id="A" * 300), "characters long"),
        (record(id="two words"), "white space"),
        (record(affected=[]), "no affected packages"),
        (record(affected="demo"), "'affected' must be an array"),
        (record(withdrawn="2099-01-01T00:00:00Z"), "withdrawn"),
        (record(modified="yesterday"), "not a date-time"),
        (record(modified=17), "must be a date-time string"),
        (record(related="CVE-2099-1"), "must be an array"),
        (record(related=[1, 2]), "array of strings"),
        (record(references=["https://example.invalid"]), "must be an object"),
        (record(summary=["x"]), "'summary' must be a string"),
    ],
)
def test_malformed_records_are_rejected_with_a_reason(bad: object, reason: str) -> None:
    result = parse_osv_record(bad, source="osv:test", location="bad.json")
    assert result.records == []
    assert len(result.rejected) == 1
    assert reason in result.rejected[0].reason
    assert result.rejected[0].location == "bad.json"


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        (first_entry(package={"ecosystem": "PyPI", "name": "demo"}), "unsupported ecosystem"),
        (first_entry(package={"ecosystem": "AlmaLinux:9"}), "'name' must be a string"),
        (first_entry(package={"ecosystem": "AlmaLinux:9", "name": "x" * 10_000}), "limit 256"),
        (first_entry(package="demo"), "'package' must be an object"),
        (
            first_entry(
                ranges=[{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0 -1"}]}]
            ),
            "invalid rpm version",
        ),
        (first_entry(ranges=[{"type": "ECOSYSTEM", "events": [{"fixed": 3}]}]), "non-empty string"),
        (
            first_entry(ranges=[{"type": "ECOSYSTEM", "events": [{"broken": "1"}]}]),
            "unknown range event",
        ),
        (
            first_entry(ranges=[{"type": "SEMVER", "events": [{"introduced": "0"}]}]),
            "no ECOSYSTEM range",
        ),
        (first_entry(ranges="1.0"), "'ranges' must be an array"),
        ("demo", "an affected entry must be an object"),
    ],
)
def test_a_bad_entry_is_rejected_and_the_rest_of_the_record_kept(
    entry: object, reason: str
) -> None:
    good = first_entry()
    result = parse_osv_record(record(affected=[good, entry]), source="osv:test", location="f.json")
    assert len(result.records) == 1
    assert len(result.records[0].affected) == 1
    [rejection] = result.rejected
    assert reason in rejection.reason
    assert rejection.record_id == "ALSA-2099:0001"
    assert rejection.location == "f.json affected[1]"


def test_a_record_whose_every_entry_is_bad_is_rejected_too() -> None:
    bad = first_entry(package={"ecosystem": "npm", "name": "left-pad"})
    result = parse_osv_record(record(affected=[bad]), source="osv:test")
    assert result.records == []
    assert [r.reason for r in result.rejected][-1] == "none of the 1 affected entries is usable"


def test_huge_free_text_is_cut_not_refused() -> None:
    advisory = parse_one(record(details="x" * 1_000_000))
    assert len(advisory.details) == 65_536


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "affected",
                    "package",
                    "ecosystem",
                    "name",
                    "ranges",
                    "type",
                    "events",
                    "introduced",
                    "fixed",
                    "summary",
                    "related",
                    "modified",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_value_is_parsed_or_rejected_never_raises(value: object) -> None:
    result = parse_osv_record(value, source="osv:fuzz")
    assert len(result.records) + len(result.rejected) >= 1
