"""Red Hat CSAF documents -> advisories: RHSA ids, fixed RHEL packages per stream, bad input."""

from __future__ import annotations

import contextlib
import copy
import gzip
import json
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patchdesk.engine.feeds.csaf import parse_csaf_advisories, parse_csaf_document
from patchdesk.engine.feeds.merge import merge_advisories
from patchdesk.engine.model import (
    Advisory,
    AdvisoryKind,
    FixStatus,
    PackageNameKind,
    VendorSeverity,
)
from patchdesk_testing.paths import shared_data

CSAF = shared_data() / "redhat-csaf-samples"


@cache
def document(name: str) -> dict[str, Any]:
    return json.loads(gzip.decompress((CSAF / name).read_bytes()))


def advisories(name: str) -> dict[str, Advisory]:
    result = parse_csaf_advisories((CSAF / name).read_bytes(), location=name)
    assert result.rejected == []
    return {advisory.id: advisory for advisory in result.records}


def fixed(advisory: Advisory) -> set[tuple[str, str, str | None, PackageNameKind]]:
    return {
        (p.platform_key, p.package, p.fixed_version, p.name_kind)
        for p in advisory.affected
        if p.status is FixStatus.FIXED
    }


def test_security_advisory_document() -> None:
    [telnet] = advisories("rhsa-2022-0011.json.gz").values()
    assert telnet.id == "RHSA-2022:0011"
    assert telnet.summary == "telnet security update"
    assert telnet.cve_ids == ("CVE-2020-10188",)
    assert telnet.vendor_severity is VendorSeverity.HIGH  # "Important"
    assert telnet.kind is AdvisoryKind.SECURITY
    # 7Server-7.6.AUS/E4S/TUS: cpe:/o:redhat:rhel_aus:7.6 ... -> the fixed-minor stream rhel:7.6
    assert fixed(telnet) == {
        ("rhel:7.6", "telnet", "1:0.17-65.el7_6", PackageNameKind.SOURCE),
        ("rhel:7.6", "telnet", "1:0.17-65.el7_6", PackageNameKind.BINARY),
        ("rhel:7.6", "telnet-server", "1:0.17-65.el7_6", PackageNameKind.BINARY),
        ("rhel:7.6", "telnet-debuginfo", "1:0.17-65.el7_6", PackageNameKind.BINARY),
    }
    assert "https://access.redhat.com/errata/RHSA-2022:0011" in telnet.references


def test_vex_document_gives_one_advisory_per_rhsa_and_one_for_the_unfixed() -> None:
    found = advisories("cve-2024-0727-openssl.json.gz")
    assert sorted(found) == ["CVE-2024-0727", "RHSA-2024:2447", "RHSA-2024:9088"]
    openssl = found["RHSA-2024:2447"]
    assert openssl.cve_ids == ("CVE-2024-0727",)
    assert openssl.vendor_severity is VendorSeverity.LOW
    assert openssl.published_at is not None
    assert openssl.published_at.isoformat() == "2024-04-30T10:36:25+00:00"  # remediation date
    assert ("rhel:9", "openssl", "1:3.0.7-27.el9", PackageNameKind.SOURCE) in fixed(openssl)
    assert ("rhel:9", "openssl-libs", "1:3.0.7-27.el9", PackageNameKind.BINARY) in fixed(openssl)
    assert {p.platform_key for p in openssl.affected} == {"rhel:9"}  # AppStream + BaseOS folded
    edk2 = found["RHSA-2024:9088"]
    assert ("rhel:9", "edk2-ovmf", "20240524-6.el9_5", PackageNameKind.BINARY) in fixed(edk2)
    unfixed = found["CVE-2024-0727"]
    statuses = {(p.platform_key, p.package, p.status) for p in unfixed.affected}
    assert ("rhel:8", "openssl", FixStatus.NO_FIX_YET) in statuses  # none_available
    assert ("rhel:6", "openssl", FixStatus.WONT_FIX) in statuses  # no_fix_planned
    assert ("rhel:9", "shim-x64", FixStatus.NOT_AFFECTED) in statuses
    assert all(p.fixed_version is None for p in unfixed.affected)


def test_eus_and_module_streams() -> None:
    found = advisories("cve-2025-40907-perl.json.gz")
    source = PackageNameKind.SOURCE
    # AppStream-9.4.0.Z.EUS (cpe rhel_eus:9.4) and AppStream-9.6.0.Z.MAIN.EUS (enterprise_linux:9)
    assert ("rhel:9.4", "perl-FCGI", "1:0.79-8.el9_4.1", source) in fixed(found["RHSA-2025:8677"])
    assert ("rhel:9", "perl-FCGI", "1:0.79-8.1.el9_6", source) in fixed(found["RHSA-2025:8635"])
    module_fixes = {
        (p.platform_key, p.fixed_version)
        for advisory in found.values()
        for p in advisory.affected
        if p.package == "perl-FCGI" and p.name_kind is PackageNameKind.SOURCE
    }
    assert ("rhel:8", "1:0.78-12.module+el8.10.0+23147+20b7d289") in module_fixes
    assert ("rhel:7", "1:0.74-8.el7_9.1") in module_fixes  # 7Server-ELS: cpe rhel_els:7
    assert ("rhel:10", "1:0.82-13.1.el10_0") in module_fixes  # cpe enterprise_linux:10.0


def test_products_other_than_rhel_are_left_out() -> None:
    found = advisories("cve-2023-38545.json.gz")  # curl; also Satellite client products
    assert sorted(found) == [
        "CVE-2023-38545",
        "RHSA-2023:5700",
        "RHSA-2023:5763",
        "RHSA-2023:6745",
    ]
    assert all(p.platform_key.startswith("rhel:") for a in found.values() for p in a.affected)
    assert not any("puppet" in p.package for a in found.values() for p in a.affected)


def test_every_sample_parses_and_merging_is_order_independent() -> None:
    pieces = []
    for path in sorted(CSAF.glob("*.json.gz")):
        result = parse_csaf_advisories(path.read_bytes(), location=path.name)
        assert result.rejected == [], path.name
        assert result.records, path.name
        pieces += result.records
    merged = merge_advisories(pieces)
    assert merge_advisories(reversed(pieces)) == merged
    assert len(merged) == len({(a.source, a.id) for a in pieces})


def test_merge_folds_one_rhsa_from_several_vex_files() -> None:
    base = advisories("cve-2024-0727-openssl.json.gz")["RHSA-2024:2447"]
    other = copy.copy(base)
    object.__setattr__(other, "cve_ids", ("CVE-2024-0001",))
    object.__setattr__(other, "vendor_severity", VendorSeverity.HIGH)
    [merged] = merge_advisories([base, other])
    assert merged.cve_ids == ("CVE-2024-0001", "CVE-2024-0727")
    assert merged.vendor_severity is VendorSeverity.HIGH
    assert set(merged.affected) == set(base.affected)


def test_determinism() -> None:
    data = (CSAF / "cve-2025-6176.json.gz").read_bytes()
    assert parse_csaf_advisories(data).records == parse_csaf_advisories(data).records


# --- bad input ---------------------------------------------------------------------------------


def test_truncated_and_non_json_documents() -> None:
    raw = gzip.decompress((CSAF / "rhsa-2022-0011.json.gz").read_bytes())
    for bad in (raw[:1000], b"\x1f\x8b\x08garbage", b"[]", b""):
        result = parse_csaf_advisories(bad, location="bad.json")
        assert result.records == []
        assert len(result.rejected) == 1
        assert result.rejected[0].record_id == "bad.json"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d["document"]["tracking"].pop("id"), "'id' must be a string"),
        (lambda d: d["document"].update(category="csaf_base"), "unsupported CSAF document"),
        (lambda d: d.update(vulnerabilities={"cve": "x"}), "'vulnerabilities' must be an array"),
        (lambda d: d["vulnerabilities"][0]["product_status"].update(fixed="x"), "must be an array"),
        (
            lambda d: d["product_tree"].update(relationships=[{"product_reference": "x"}]),
            "'full_product_name' must be an object",
        ),
        (lambda d: d["document"]["tracking"].update(initial_release_date="soon"), "date-time"),
    ],
)
def test_malformed_documents_are_rejected_whole(change: Any, reason: str) -> None:
    broken = copy.deepcopy(document("rhsa-2022-0011.json.gz"))
    change(broken)
    result = parse_csaf_document(broken, location="x.json")
    assert result.records == []
    assert len(result.rejected) == 1
    assert reason in result.rejected[0].reason


def test_a_product_with_an_invalid_version_is_rejected_alone() -> None:
    broken = copy.deepcopy(document("rhsa-2022-0011.json.gz"))
    bad = "telnet-server-1:0.17 65.el7_6.x86_64"
    good = "telnet-server-1:0.17-65.el7_6.x86_64"
    broken = json.loads(json.dumps(broken).replace(good, bad))
    result = parse_csaf_document(broken, location="x.json")
    [telnet] = result.records
    assert "telnet-server" in {p.package for p in telnet.affected}  # the ppc64le build is fine
    assert len(result.rejected) == 3  # the x86_64 build in the AUS, E4S and TUS streams
    assert {r.record_id for r in result.rejected} == {"RHSA-2022:0011"}
    assert {r.reason for r in result.rejected} == {"fixed product names no version"}


def test_a_dangling_product_reference_is_rejected_alone() -> None:
    broken = copy.deepcopy(document("rhsa-2022-0011.json.gz"))
    broken["vulnerabilities"][0]["product_status"]["fixed"].append("7Server-7.6.AUS:nothing")
    relationship = broken["product_tree"]["relationships"][0]
    relationship["product_reference"] = "no-such-package-1.0-1.x86_64"
    result = parse_csaf_document(broken, location="x.json")
    assert len(result.records) == 1
    assert sorted(r.reason for r in result.rejected) == [
        "product id is not in the product tree",
        "relationship names a product that is not in the product tree",
    ]


def test_an_advisory_with_no_rhel_package_is_rejected() -> None:
    broken = copy.deepcopy(document("rhsa-2022-0011.json.gz"))
    broken["vulnerabilities"][0]["product_status"]["fixed"] = []
    result = parse_csaf_document(broken)
    assert result.records == []
    assert result.rejected[0].reason == "no fixed RHEL package in the advisory"


def test_huge_strings_are_bounded() -> None:
    broken = copy.deepcopy(document("rhsa-2022-0011.json.gz"))
    broken["document"]["tracking"]["id"] = "RHSA-" + "9" * 100_000
    result = parse_csaf_document(broken)
    assert result.records == []
    assert "limit 256" in result.rejected[0].reason


def mutations() -> st.SearchStrategy[tuple[list[str | int], object]]:
    """A path into the RHSA sample and a value to put there."""
    keys: st.SearchStrategy[str | int] = st.sampled_from(
        [
            "document",
            "tracking",
            "id",
            "category",
            "product_tree",
            "branches",
            "relationships",
            "vulnerabilities",
            "product_status",
            "fixed",
            "remediations",
            "url",
            "product_ids",
            "product",
            "product_reference",
            "relates_to_product_reference",
            0,
            1,
            2,
        ]
    )
    values = st.none() | st.integers() | st.text(max_size=10) | st.lists(st.text(max_size=5))
    return st.tuples(
        st.lists(keys, min_size=1, max_size=5), values | st.dictionaries(keys.map(str), values)
    )


@settings(max_examples=300, deadline=None)
@given(mutations())
def test_any_damage_is_parsed_or_rejected_never_raises(
    mutation: tuple[list[str | int], object],
) -> None:
    path, value = mutation
    broken: Any = copy.deepcopy(document("rhsa-2022-0011.json.gz"))
    target = broken
    for key in path[:-1]:
        try:
            target = target[key]
        except (KeyError, IndexError, TypeError):
            break
    with contextlib.suppress(KeyError, IndexError, TypeError):
        target[path[-1]] = value
    result = parse_csaf_document(broken)
    assert result.records or result.rejected
