"""Findings follow the inventories and the advisories: opened, kept, fixed, reopened."""

from __future__ import annotations

import pytest

from patchdesk.desk.advisories.services import feed_source_get_or_create, vulnerabilities_import
from patchdesk.desk.findings.classification import classifications_refresh
from patchdesk.desk.findings.models import Classification, Finding, FindingState
from patchdesk.desk.findings.refresh import findings_refresh
from patchdesk.engine.feeds.result import ParseResult
from patchdesk.engine.model import CvssScore, Vulnerability
from patchdesk_testing.fleet import advisories_make, scan_with, server_make
from patchdesk_testing.inventory import fix, pkg

pytestmark = pytest.mark.django_db

RCE = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
DOS = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"


def facts(cve: str, cwe: str, vector: str) -> None:
    source = feed_source_get_or_create("cve5", kind="cve5")
    version = vector.split("/", 1)[0].removeprefix("CVSS:")
    vulnerabilities_import(
        source,
        ParseResult(
            records=[
                Vulnerability(
                    cve_id=cve,
                    source="cve5",
                    cwe_ids=(cwe,),
                    cwe_provider="cna:test",
                    cvss=(
                        CvssScore(
                            version=version, vector=vector, base_score=9.8, provider="cna:test"
                        ),
                    ),
                )
            ]
        ),
    )


def test_findings_are_opened_with_the_highest_level_of_their_cves() -> None:
    server = server_make()
    scan_with(server, pkg("libssl3", "3.0.11-1~deb12u1", source="openssl"))
    advisories_make(
        fix("DSA-RCE", "openssl", "3.0.11-1~deb12u2"), fix("DSA-DOS", "openssl", "3.0.13-1~deb12u1")
    )
    facts("CVE-DSA-RCE", "CWE-787", RCE)
    facts("CVE-DSA-DOS", "CWE-400", DOS)
    assert classifications_refresh() == 2
    assert classifications_refresh() == 0, "unchanged facts are not reclassified"
    report = findings_refresh()
    assert (report.servers, report.opened) == (1, 2)
    levels = dict(Finding.objects.values_list("advisory__advisory_id", "level"))
    assert levels == {"DSA-RCE": "high", "DSA-DOS": "medium"}
    finding = Finding.objects.get(advisory__advisory_id="DSA-RCE")
    assert (finding.package, finding.installed_version, finding.fixed_version) == (
        "libssl3",
        "3.0.11-1~deb12u1",
        "3.0.11-1~deb12u2",
    )
    assert finding.match_method == "source_name"
    reasons = Classification.objects.get(cve_id="CVE-DSA-RCE").reasons
    assert reasons[0]["rule_id"] == "rce-memory-corruption"


def test_an_updated_package_fixes_the_finding_and_a_downgrade_reopens_it() -> None:
    server = server_make()
    advisories_make(fix("DSA-1", "expat", "2.5.0-1+deb12u2"))
    classifications_refresh()
    scan_with(server, pkg("libexpat1", "2.5.0-1+deb12u1", source="expat"))
    findings_refresh()
    finding = Finding.objects.get()
    assert finding.state == FindingState.OPEN
    scan_with(server, pkg("libexpat1", "2.5.0-1+deb12u2", source="expat"))
    assert findings_refresh().fixed == 1
    finding.refresh_from_db()
    assert finding.state == FindingState.FIXED
    assert finding.fixed_at is not None
    scan_with(server, pkg("libexpat1", "2.5.0-1+deb12u1", source="expat"))
    findings_refresh()
    finding.refresh_from_db()
    assert (finding.state, finding.fixed_at) == (FindingState.OPEN, None)


def test_a_risk_accepted_finding_keeps_its_state_while_it_is_still_found() -> None:
    server = server_make()
    advisories_make(fix("DSA-1", "expat", "2.5.0-1+deb12u2"))
    classifications_refresh()
    scan_with(server, pkg("libexpat1", "2.5.0-1+deb12u1", source="expat"))
    findings_refresh()
    Finding.objects.update(state=FindingState.RISK_ACCEPTED)
    findings_refresh()
    assert Finding.objects.get().state == FindingState.RISK_ACCEPTED


def test_an_advisory_without_cves_is_classified_under_its_own_id() -> None:
    server = server_make()
    advisory = fix("expat/2.5.0-1+deb12u2", "expat", "2.5.0-1+deb12u2")
    from dataclasses import replace

    advisories_make(replace(advisory, cve_ids=()))
    classifications_refresh()
    scan_with(server, pkg("libexpat1", "2.5.0-1+deb12u1", source="expat"))
    findings_refresh()
    assert Classification.objects.filter(cve_id="expat/2.5.0-1+deb12u2").exists()
    assert Finding.objects.get().level == "needs_review"


def test_servers_without_a_successful_scan_are_left_alone() -> None:
    server_make()
    advisories_make(fix("DSA-1", "expat", "2.5.0-1+deb12u2"))
    assert findings_refresh().servers == 0
