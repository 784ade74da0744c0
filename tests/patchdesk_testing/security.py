"""A small fleet with contracts, scans, advisories, CVE facts, verdicts and findings, built
through the real services, for the console and portal pages of servers and findings.

The example of SCENARIOS.md S2: Sakura's web1 has the Security Update Service, Kaede's app1 the
Standard plan; both run OpenSSL with a remote code execution (High) and a remote DoS (Medium)
fixed by advisories confirmed after their contracts started; a local privilege escalation in
the kernel is out of scope. legacy1 runs CentOS 7, past the vendor's end of support.
"""

from __future__ import annotations

from dataclasses import dataclass

from patchdesk.desk.accounts.models import User
from patchdesk.desk.advisories.services import (
    advisories_import,
    feed_source_get_or_create,
    vulnerabilities_import,
)
from patchdesk.desk.contracts.services import contract_accept, contract_apply
from patchdesk.desk.findings.classification import classifications_refresh
from patchdesk.desk.findings.refresh import findings_refresh
from patchdesk.desk.fleet.models import Server
from patchdesk.engine.feeds.result import ParseResult
from patchdesk.engine.model import (
    Advisory,
    AffectedPackage,
    CvssScore,
    FixStatus,
    PackageFormat,
    PackageNameKind,
    VendorSeverity,
    Vulnerability,
)
from patchdesk_testing.contracts import Clock, Fleet, fleet_make, user_make
from patchdesk_testing.fleet import scan_with
from patchdesk_testing.inventory import pkg

RCE_VECTOR = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
DOS_VECTOR = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"
LOCAL_VECTOR = "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"

CVE_RCE = "CVE-2027-1001"
CVE_DOS = "CVE-2027-1002"
CVE_LOCAL = "CVE-2027-1003"


def fact(cve_id: str, cwe: str, vector: str, *, description: str = "") -> Vulnerability:
    return Vulnerability(
        cve_id=cve_id,
        source="cve5",
        description=description or f"{cve_id} in a test package",
        cwe_ids=(cwe,),
        cwe_provider="cna:test",
        cvss=(CvssScore(version="3.1", vector=vector, base_score=7.5, provider="cna:test"),),
    )


def facts_import(*records: Vulnerability) -> None:
    source = feed_source_get_or_create("cve5", kind="cve5")
    vulnerabilities_import(source, ParseResult(records=list(records)))


def debian_advisory(
    advisory_id: str, package: str, fixed: str, *cve_ids: str, summary: str = ""
) -> Advisory:
    return Advisory(
        id=advisory_id,
        source="test",
        summary=summary or f"{package} security update",
        details=f"Fixes {', '.join(cve_ids)}.",
        vendor_severity=VendorSeverity.HIGH,
        cve_ids=cve_ids,
        references=(
            f"https://security-tracker.debian.org/tracker/{advisory_id}",
            "javascript:alert(1)",
        ),
        affected=(
            AffectedPackage(
                platform_key="debian:12",
                package=package,
                name_kind=PackageNameKind.SOURCE,
                version_format=PackageFormat.DPKG,
                status=FixStatus.FIXED,
                fixed_version=fixed,
            ),
        ),
    )


def advisories_confirm(clock: Clock, *advisories: Advisory) -> None:
    """Import advisories now (the clock's time is their "confirmed at")."""
    source = feed_source_get_or_create("test-feed", kind="native")
    advisories_import(source, ParseResult(records=list(advisories)), now=clock.now)


@dataclass(frozen=True, slots=True, kw_only=True)
class World:
    fleet: Fleet
    operator: User

    @property
    def web1(self) -> Server:
        return self.fleet.web1

    @property
    def app1(self) -> Server:
        return self.fleet.app1


def world_make(clock: Clock) -> World:
    """The S2 fleet on Thursday 2027-01-14: contracts started on the 12th, advisories confirmed
    on the 13th, scans done, verdicts and findings computed."""
    fleet = fleet_make()
    operator = user_make("ops-tanaka")
    clock.set(2027, 1, 8, 11, 0)
    (web1_contract,) = contract_apply(
        fleet.sakura, servers=[fleet.web1], plan="security_update", actor=fleet.sakura_admin
    )
    (app1_contract,) = contract_apply(
        fleet.kaede, servers=[fleet.app1], plan="standard", actor=fleet.kaede_admin
    )
    clock.set(2027, 1, 8, 15, 0)
    contract_accept(web1_contract, actor=operator)
    contract_accept(app1_contract, actor=operator)
    for server in (fleet.web1, fleet.app1):
        scan_with(
            server,
            pkg("libssl3", "3.0.11-1~deb12u1", source="openssl"),
            pkg("linux-image-6.1.0-18-amd64", "6.1.76-1", source="linux"),
            pkg("zsh", "5.9-4"),
        )
    clock.set(2027, 1, 13, 10, 0)
    facts_import(
        fact(CVE_RCE, "CWE-787", RCE_VECTOR, description="A heap overflow in OpenSSL."),
        fact(CVE_DOS, "CWE-400", DOS_VECTOR, description="Resource exhaustion in OpenSSL."),
        fact(CVE_LOCAL, "CWE-787", LOCAL_VECTOR, description="A local privilege escalation."),
    )
    advisories_confirm(
        clock,
        debian_advisory("DSA-9001-1", "openssl", "3.0.11-1~deb12u2", CVE_RCE),
        debian_advisory("DSA-9002-1", "openssl", "3.0.13-1~deb12u1", CVE_DOS),
        debian_advisory("DSA-9003-1", "linux", "6.1.90-1", CVE_LOCAL),
    )
    classifications_refresh()
    findings_refresh()
    clock.set(2027, 1, 14, 10, 0)
    return World(fleet=fleet, operator=operator)
