"""The CSAF document-walking helpers, on real Red Hat CSAF documents."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

import pytest

from patchdesk.engine.feeds.csaf_common import (
    find_note_text,
    iter_vulnerabilities,
    load_csaf_document,
    map_rhel_cpe,
    parse_purl,
    read_product_tree,
    read_tracking,
)
from patchdesk.engine.feeds.json_fields import FieldError
from patchdesk_testing.paths import shared_data

CSAF = shared_data() / "redhat-csaf-samples"


def test_tracking_of_a_security_advisory() -> None:
    document = load_csaf_document((CSAF / "rhsa-2022-0011.json.gz").read_bytes())
    tracking = read_tracking(document)
    assert tracking.id == "RHSA-2022:0011"
    assert tracking.category == "csaf_security_advisory"
    assert tracking.aggregate_severity == "Important"
    assert tracking.initial_release_at == datetime(2022, 1, 4, 8, 38, tzinfo=UTC)
    assert tracking.title == "Red Hat Security Advisory: telnet security update"


def test_product_tree_resolves_relationships() -> None:
    document = load_csaf_document((CSAF / "cve-2024-0727-openssl.json.gz").read_bytes())
    tree = read_product_tree(document)
    product_id = "BaseOS-9.4.0.GA:openssl-1:3.0.7-27.el9.x86_64"
    component = tree.component_of(product_id)
    platform = tree.platform_of(product_id)
    assert component is not None
    assert platform is not None
    assert component.purl == "pkg:rpm/redhat/openssl@3.0.7-27.el9?arch=x86_64&epoch=1"
    assert platform.cpe == "cpe:/o:redhat:enterprise_linux:9::baseos"
    assert tree.component_of("no-such-product") is None


def test_vulnerabilities_and_notes() -> None:
    document = load_csaf_document((CSAF / "rhsa-2022-0011.json.gz").read_bytes())
    [(index, vulnerability)] = list(iter_vulnerabilities(document))
    assert index == 0
    assert vulnerability["cve"] == "CVE-2020-10188"
    assert find_note_text(vulnerability, "general").startswith("telnet-server: no bounds checks")
    assert find_note_text(vulnerability, "summary") == ""


def test_plain_json_is_accepted_and_garbage_is_refused() -> None:
    raw = gzip.decompress((CSAF / "cve-2026-0968.json.gz").read_bytes())
    assert read_tracking(load_csaf_document(raw)).id == "CVE-2026-0968"
    for bad in (raw[: len(raw) // 2], b"[1, 2]", b'{"document": 3}', b"\x1f\x8bnot gzip"):
        with pytest.raises(FieldError):
            load_csaf_document(bad)
    with pytest.raises(FieldError, match="'id' must be a string"):
        read_tracking({"document": {"category": "csaf_vex", "tracking": {"id": 7}}})


def test_bad_vulnerability_entry_is_refused() -> None:
    with pytest.raises(FieldError, match=r"vulnerabilities\[1\]"):
        list(iter_vulnerabilities({"vulnerabilities": [{}, "x"]}))
    assert json.dumps(list(iter_vulnerabilities({}))) == "[]"


def test_parse_purl() -> None:
    purl = parse_purl(
        "pkg:rpm/redhat/perl-FCGI@0.78-11.module%2Bel8.6.0%2B23193%2B83e23a7a.1"
        "?arch=src&epoch=1&rpmmod=perl-FCGI:0.78:8060020250604201935:513b2a65"
    )
    assert (purl.type, purl.namespace, purl.name) == ("rpm", "redhat", "perl-FCGI")
    assert purl.version == "0.78-11.module+el8.6.0+23193+83e23a7a.1"
    assert purl.qualifiers["epoch"] == "1"
    assert purl.qualifiers["arch"] == "src"
    assert parse_purl("pkg:rpm/redhat/openssl?arch=src").version == ""
    for bad in ("openssl", "pkg:rpm", "pkg:/x"):
        with pytest.raises(FieldError):
            parse_purl(bad)


@pytest.mark.parametrize(
    ("cpe", "key"),
    [
        ("cpe:/o:redhat:enterprise_linux:9::baseos", "rhel:9"),
        ("cpe:/a:redhat:enterprise_linux:8::appstream", "rhel:8"),
        ("cpe:/o:redhat:enterprise_linux:10", "rhel:10"),
        ("cpe:/o:redhat:enterprise_linux:10.1", "rhel:10"),
        ("cpe:/o:redhat:enterprise_linux_eus:10.0", "rhel:10.0"),
        ("cpe:/o:redhat:rhel_els:7", "rhel:7"),
        ("cpe:/a:redhat:enterprise_linux_ai:3", None),
        ("cpe:/a:redhat:rhel_eus:9.2::appstream", "rhel:9.2"),
        ("cpe:/o:redhat:rhel_aus:7.6::server", "rhel:7.6"),
        ("enterprise_linux:9::appstream", "rhel:9"),
        ("rhel_e4s:8.6::baseos", "rhel:8.6"),
        ("cpe:/a:redhat:openshift:4.12::el8", None),
        ("cpe:/a:redhat:rhel_software_collections:3::el7", None),
        ("cpe:/o:suse:sles:15:sp5", None),
        ("enterprise_linux:nine", None),
    ],
)
def test_rhel_platform_key(cpe: str, key: str | None) -> None:
    assert map_rhel_cpe(cpe) == key
