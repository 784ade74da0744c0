"""The default policy applied to the facts of one CVE (spec Table 1, R2)."""

from __future__ import annotations

from datetime import date

import pytest

from patchdesk.engine.model import CvssScore, KevEntry, VendorSeverity
from patchdesk.engine.model.classification import Certainty, ReasonKind, SecurityLevel
from patchdesk.engine.policy import (
    PolicyOverride,
    SourcedCwe,
    SourcedSeverity,
    VulnerabilityFacts,
    classify,
    load_default_policy,
)
from patchdesk_testing.cwe import CsvCweHierarchy

POLICY = load_default_policy()
CWE = CsvCweHierarchy()


def facts(
    *cwes: str,
    vector: str = "",
    provider: str = "cna:example",
    kev: bool = False,
    description: str = "",
    severity: VendorSeverity | None = None,
) -> VulnerabilityFacts:
    cvss = ()
    if vector:
        version = (
            vector.split("/", maxsplit=1)[0].removeprefix("CVSS:")
            if vector.startswith("CVSS")
            else "2.0"
        )
        cvss = (CvssScore(version=version, vector=vector, base_score=7.5, provider=provider),)
    return VulnerabilityFacts(
        cve_id="CVE-2099-0001",
        cwes=tuple(SourcedCwe(cwe_id=c, provider="cna:example") for c in cwes),
        cvss=cvss,
        kev=KevEntry(cve_id="CVE-2099-0001", added_on=date(2026, 1, 5)) if kev else None,
        description=description,
        vendor_severities=(SourcedSeverity(severity=severity, source="osv:almalinux"),)
        if severity
        else (),
    )


FULL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
DOS = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"
LEAK = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"


@pytest.mark.parametrize(
    ("cwes", "vector", "level", "category", "rule"),
    [
        (("CWE-787",), FULL, "high", "remote-code-execution", "rce-memory-corruption"),
        (("CWE-122",), FULL, "high", "remote-code-execution", "rce-memory-corruption"),
        (("CWE-787",), DOS, "medium", "denial-of-service", "dos-memory-corruption"),
        (
            ("CWE-78",),
            "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:L",
            "high",
            "remote-code-execution",
            "rce-code-injection",
        ),
        (("CWE-502",), FULL, "high", "remote-code-execution", "rce-code-injection"),
        (("CWE-400",), DOS, "medium", "denial-of-service", "dos-resource-exhaustion"),
        (("CWE-401",), DOS, "medium", "resource-management", "resource-management"),
        (("CWE-200",), LEAK, "medium", "information-leak", "information-leak"),
        (("CWE-125",), LEAK, "medium", "information-leak", "information-leak-read"),
        (("CWE-89",), FULL, "medium", "sql-injection", "sql-injection"),
        (
            ("CWE-295",),
            "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N",
            "medium",
            "improper-authentication",
            "improper-authentication",
        ),
        (("CWE-327",), LEAK, "medium", "cryptographic-issues", "cryptographic-issues"),
        (("CWE-328",), LEAK, "medium", "cryptographic-issues", "cryptographic-issues"),
        (("CWE-772",), DOS, "medium", "resource-management", "resource-management"),
    ],
)
def test_table_1_by_weakness(
    cwes: tuple[str, ...], vector: str, level: str, category: str, rule: str
) -> None:
    result = classify(facts(*cwes, vector=vector), POLICY, CWE)
    assert result.level == SecurityLevel(level)
    assert result.category == category
    assert result.certainty == Certainty.FIRM
    assert rule in {reason.rule_id for reason in result.reasons}
    assert any(r.vector_element == "AV:N" for r in result.reasons)
    assert result.policy_version == POLICY.version


def test_a_leak_of_file_descriptors_counts_as_resource_management_through_the_hierarchy() -> None:
    """CWE-775 (missing release of file descriptor) sits under CWE-772, in category CWE-399."""
    result = classify(facts("CWE-775", vector=DOS), POLICY, CWE)
    assert result.category == "resource-management"
    leak = next(r for r in result.reasons if r.rule_id == "resource-management")
    assert leak.cwe_id == "CWE-775"
    assert "through CWE-" in leak.detail


def test_local_attack_vector_is_out_of_scope_whatever_the_weakness() -> None:
    """S7: a local privilege escalation is out of scope, with its reason."""
    result = classify(
        facts("CWE-787", vector="CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"), POLICY, CWE
    )
    assert result.level == SecurityLevel.OUT_OF_SCOPE
    assert result.certainty == Certainty.FIRM
    assert result.reasons[0].rule_id == "local-attack-vector"
    assert result.reasons[0].vector_element == "AV:L"


def test_adjacent_network_counts_as_remote_by_default() -> None:
    result = classify(
        facts("CWE-787", vector="CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), POLICY, CWE
    )
    assert result.level == SecurityLevel.HIGH


def test_an_attack_on_the_sites_visitors_is_out_of_scope() -> None:
    """XSS is not an attack type of Table 1, even with a remote vector or on KEV."""
    for kev in (False, True):
        result = classify(
            facts("CWE-79", vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", kev=kev),
            POLICY,
            CWE,
        )
        assert (result.level, result.certainty) == (SecurityLevel.OUT_OF_SCOPE, Certainty.FIRM)
        assert result.reasons[0].rule_id == "not-a-service-attack-type"
        assert "CWE-79" in result.reasons[0].detail


def test_a_mechanism_cwe_lets_the_vector_tell_the_consequence() -> None:
    """CVE-2024-6387 (regreSSHion): a race condition (CWE-364) that gives a remote take-over."""
    result = classify(
        facts("CWE-364", vector="CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"), POLICY, CWE
    )
    assert (result.level, result.category) == (SecurityLevel.HIGH, "remote-code-execution")
    assert (result.certainty, result.reasons[0].rule_id) == (
        Certainty.TENTATIVE,
        "cvss-full-compromise",
    )


def test_generic_cwe_falls_back_to_the_vector_tentatively() -> None:
    result = classify(facts("NVD-CWE-noinfo", "CWE-20", vector=FULL), POLICY, CWE)
    assert (result.level, result.certainty) == (SecurityLevel.HIGH, Certainty.TENTATIVE)
    assert result.reasons[0].rule_id == "cvss-full-compromise"
    integrity_only = classify(
        facts("CWE-20", vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N"), POLICY, CWE
    )
    assert integrity_only.level == SecurityLevel.NEEDS_REVIEW
    assert integrity_only.reasons[0].rule_id == "insufficient-facts"
    specific = classify(
        facts("CWE-668", vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N"), POLICY, CWE
    )
    assert (specific.level, specific.certainty) == (SecurityLevel.OUT_OF_SCOPE, Certainty.TENTATIVE)
    assert specific.reasons[0].rule_id == "no-matching-rule"


def test_among_medium_rules_the_one_naming_the_cwe_wins() -> None:
    """CWE-770 is under CWE-400 (DoS) and named by the resource-management rule."""
    result = classify(facts("CWE-770", vector=DOS), POLICY, CWE)
    assert result.category == "resource-management"
    assert {r.rule_id for r in result.reasons} >= {"resource-management", "dos-resource-exhaustion"}


def test_without_a_vector_the_cwe_decides_tentatively_and_says_so() -> None:
    result = classify(facts("CWE-89"), POLICY, CWE)
    assert (result.level, result.certainty) == (SecurityLevel.MEDIUM, Certainty.TENTATIVE)
    assert "no-cvss-vector" in {r.rule_id for r in result.reasons}


def test_vendor_severity_and_description_are_the_last_fallbacks() -> None:
    critical = classify(facts(severity=VendorSeverity.CRITICAL), POLICY, CWE)
    assert (critical.level, critical.certainty) == (SecurityLevel.HIGH, Certainty.TENTATIVE)
    assert critical.reasons[0].kind == ReasonKind.VENDOR_SEVERITY
    important = classify(facts(severity=VendorSeverity.HIGH), POLICY, CWE)
    assert important.level == SecurityLevel.NEEDS_REVIEW
    text = classify(
        facts(description="A flaw allows a remote attacker to cause a denial of service."),
        POLICY,
        CWE,
    )
    assert (text.level, text.category) == (SecurityLevel.MEDIUM, "denial-of-service")
    assert text.reasons[0].kind == ReasonKind.TEXT


def test_nothing_known_needs_review() -> None:
    result = classify(facts(), POLICY, CWE)
    assert result.level == SecurityLevel.NEEDS_REVIEW
    assert result.reasons[0].kind == ReasonKind.MISSING


def test_known_exploitation_sends_an_undecided_remote_one_to_review_only() -> None:
    undecided = classify(
        facts("CWE-668", vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N", kev=True),
        POLICY,
        CWE,
    )
    assert undecided.level == SecurityLevel.NEEDS_REVIEW
    assert undecided.reasons[-1].kind == ReasonKind.KEV
    local = classify(
        facts("CWE-787", vector="CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", kev=True),
        POLICY,
        CWE,
    )
    assert local.level == SecurityLevel.OUT_OF_SCOPE
    assert local.reasons[-1].kind == ReasonKind.KEV
    high = classify(facts("CWE-787", vector=FULL, kev=True), POLICY, CWE)
    assert high.level == SecurityLevel.HIGH


def test_the_vendor_vector_wins_and_invalid_vectors_are_noted() -> None:
    both = VulnerabilityFacts(
        cve_id="CVE-2099-0002",
        cwes=(SourcedCwe(cwe_id="CWE-787", provider="nvd"),),
        cvss=(
            CvssScore(version="3.1", vector=FULL, base_score=9.8, provider="nvd"),
            CvssScore(version="3.1", vector="CVSS:3.1/AV:X", base_score=0, provider="cna:x"),
            CvssScore(
                version="3.1",
                vector="CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
                base_score=7.8,
                provider="vendor:redhat",
            ),
        ),
    )
    result = classify(both, POLICY, CWE)
    assert result.level == SecurityLevel.OUT_OF_SCOPE
    assert result.reasons[0].source == "vendor:redhat"
    assert "invalid-vector-ignored" not in {r.rule_id for r in result.reasons}
    only_invalid_then_nvd = classify(
        VulnerabilityFacts(cve_id="CVE-2099-0003", cvss=both.cvss[:2]), POLICY, CWE
    )
    assert {r.rule_id for r in only_invalid_then_nvd.reasons} >= {
        "invalid-vector-ignored",
        "cvss-full-compromise",
    }


def test_an_override_replaces_the_level_and_keeps_the_computed_one() -> None:
    override = PolicyOverride(
        level=SecurityLevel.HIGH, reason="exploit seen at a customer", decided_by="ops-tanaka"
    )
    result = classify(facts("CWE-79", vector=FULL), POLICY, CWE, override=override)
    assert result.level == SecurityLevel.HIGH
    assert result.computed_level == SecurityLevel.OUT_OF_SCOPE
    assert result.reasons[0].kind == ReasonKind.OVERRIDE


def test_the_same_facts_always_give_the_same_verdict() -> None:
    sample = facts("CWE-787", "CWE-401", vector=FULL, kev=True)
    assert classify(sample, POLICY, CWE) == classify(sample, POLICY, CWE)
