"""Debian security tracker JSON -> advisories (a hand-written fixture in the documented format)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patchdesk.engine.feeds.debian_tracker import (
    DEBIAN_RELEASES,
    parse_debian_tracker,
    parse_debian_tracker_document,
)
from patchdesk.engine.model import Advisory, FixStatus, PackageNameKind, VendorSeverity

FIXTURE = Path(__file__).parent / "data" / "debian_tracker_sample.json"


def fixture_bytes() -> bytes:
    """The fixture without its "#" provenance header."""
    lines = FIXTURE.read_bytes().splitlines(keepends=True)
    return b"".join(line for line in lines if not line.startswith(b"#"))


def advisories() -> dict[str, Advisory]:
    return {a.id: a for a in parse_debian_tracker(fixture_bytes()).records}


def statuses(advisory: Advisory) -> dict[tuple[str, str], tuple[FixStatus, str | None]]:
    return {(p.platform_key, p.package): (p.status, p.fixed_version) for p in advisory.affected}


def test_one_advisory_per_issue() -> None:
    result = parse_debian_tracker(fixture_bytes())
    assert sorted(a.id for a in result.records) == [
        "DEBIAN-CVE-2023-38545",
        "DEBIAN-CVE-2023-4911",
        "DEBIAN-CVE-2024-0727",
        "DEBIAN-CVE-2099-0001",
        "DEBIAN-CVE-2099-0002",
        "DEBIAN-TEMP-0000000-A1B2C3",
    ]
    # linux CVE-2099-0003 names only "hamm" (unknown) and "sid" (skipped): reported, not imported
    assert [(r.record_id, r.reason) for r in result.rejected] == [
        ("hamm", "unknown Debian release codename: 1 entries skipped")
    ]


def test_resolved_issues_and_not_affected_releases() -> None:
    glibc = advisories()["DEBIAN-CVE-2023-4911"]
    assert glibc.cve_ids == ("CVE-2023-4911",)
    assert statuses(glibc) == {
        ("debian:12", "glibc"): (FixStatus.FIXED, "2.36-9+deb12u3"),
        ("debian:11", "glibc"): (FixStatus.NOT_AFFECTED, None),  # fixed_version "0"
        ("debian:13", "glibc"): (FixStatus.FIXED, "2.37-12"),
    }
    assert glibc.vendor_severity is VendorSeverity.MEDIUM  # "medium**" (set from NVD)
    assert {p.name_kind for p in glibc.affected} == {PackageNameKind.SOURCE}
    curl = advisories()["DEBIAN-CVE-2023-38545"]
    assert curl.vendor_severity is VendorSeverity.HIGH
    assert curl.references == (
        "https://security-tracker.debian.org/tracker/CVE-2023-38545",
        "https://bugs.debian.org/1053693",
    )
    assert ("debian:12", "curl") in statuses(curl)
    assert not any(p.platform_key == "debian:sid" for p in curl.affected)


def test_open_issues() -> None:
    found = advisories()
    openssl = statuses(found["DEBIAN-CVE-2024-0727"])
    assert openssl[("debian:11", "openssl")] == (FixStatus.NO_FIX_YET, None)  # no-dsa, postponed
    assert openssl[("debian:10", "openssl")] == (FixStatus.WONT_FIX, None)  # end-of-life
    assert statuses(found["DEBIAN-CVE-2099-0001"]) == {
        ("debian:12", "imagemagick"): (FixStatus.WONT_FIX, None)  # nodsa_reason "ignored"
    }
    assert found["DEBIAN-CVE-2099-0001"].vendor_severity is VendorSeverity.NEGLIGIBLE
    assert statuses(found["DEBIAN-CVE-2099-0002"]) == {
        ("debian:12", "imagemagick"): (FixStatus.NO_FIX_YET, None)
    }
    temp = found["DEBIAN-TEMP-0000000-A1B2C3"]
    assert temp.cve_ids == ()
    assert statuses(temp) == {("debian:12", "glibc"): (FixStatus.UNKNOWN, None)}


def test_release_mapping_can_be_extended() -> None:
    result = parse_debian_tracker(fixture_bytes(), releases={**DEBIAN_RELEASES, "hamm": "2"})
    assert "DEBIAN-CVE-2099-0003" in {a.id for a in result.records}
    assert result.rejected == []
    only_hamm = parse_debian_tracker(fixture_bytes(), releases={"hamm": "2"})
    assert [a.id for a in only_hamm.records] == ["DEBIAN-CVE-2099-0003"]
    assert {r.record_id for r in only_hamm.rejected} == {"bookworm", "bullseye", "buster", "trixie"}


def test_determinism() -> None:
    assert parse_debian_tracker(fixture_bytes()) == parse_debian_tracker(fixture_bytes())


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"glibc": {"CVE-2023-4911": {"releases": {"bookw', "not valid JSON"),
        (b"[1, 2]", "must be an object of source packages"),
        (b"", "not valid JSON"),
    ],
)
def test_unreadable_documents(data: bytes, reason: str) -> None:
    result = parse_debian_tracker(data, location="json")
    assert result.records == []
    assert reason in result.rejected[0].reason


def test_bad_entries_are_rejected_one_by_one() -> None:
    good = {"releases": {"bookworm": {"status": "resolved", "fixed_version": "1.0-1"}}}
    document = {
        "ok": {"CVE-2099-1": good},
        "not-an-object": ["CVE-2099-2"],
        "pkg": {
            "CVE-2099-3": "resolved",
            "CVE-2099-4": {"releases": []},
            "CVE-2099-5": {"releases": {"bookworm": {"status": "resolved"}}},
            "CVE-2099-6": {
                "releases": {"bookworm": {"status": "resolved", "fixed_version": "1 .0"}}
            },
            "CVE-2099-7": {"releases": {"bookworm": {"status": "fixed"}}},
            "CVE-2099-8": {"releases": {"bookworm": {"status": "open", "urgency": 3}}},
            "cve 2099 9": good,
            "CVE-" + "9" * 100: good,
            "CVE-2099-10": {
                "releases": {
                    "bookworm": "open",
                    "trixie": {"status": "resolved", "fixed_version": "2.0-1"},
                }
            },
        },
    }
    result = parse_debian_tracker_document(document)
    assert sorted(a.id for a in result.records) == ["DEBIAN-CVE-2099-1", "DEBIAN-CVE-2099-10"]
    reasons = {r.record_id: r.reason for r in result.rejected}
    assert reasons["not-an-object"] == "a source package entry must be an object of issues"
    assert reasons["CVE-2099-3 (pkg)"] == "an issue entry must be an object"
    assert reasons["CVE-2099-4 (pkg)"] == "'releases' must be an object, got an array"
    assert reasons["CVE-2099-5 (pkg)"] == "bookworm: resolved without a fixed_version"
    assert "invalid dpkg version '1 .0'" in reasons["CVE-2099-6 (pkg)"]
    assert reasons["CVE-2099-7 (pkg)"] == "bookworm: unknown status 'fixed' for pkg"
    assert reasons["CVE-2099-8 (pkg)"] == "bookworm: 'urgency' must be a string, got a number"
    assert "an issue id must look like" in reasons["cve 2099 9 (pkg)"]
    assert reasons["CVE-2099-10 (pkg)"] == "bookworm: a release entry must be an object"
    assert len(result.rejected) == 10
    assert json.dumps([r.reason for r in result.rejected])  # plain strings for the sync report


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "glibc",
                    "CVE-2099-1",
                    "releases",
                    "bookworm",
                    "sid",
                    "status",
                    "resolved",
                    "open",
                    "fixed_version",
                    "urgency",
                    "nodsa_reason",
                    "x",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_value_is_parsed_or_rejected_never_raises(value: object) -> None:
    result = parse_debian_tracker_document(value)
    assert all(isinstance(r.reason, str) and r.reason for r in result.rejected)
    assert all(a.affected for a in result.records)
