"""Classify one vulnerability by the service policy (R2): level, category, reasons."""

from __future__ import annotations

from dataclasses import dataclass

from patchdesk.engine.model.classification import (
    Certainty,
    Classification,
    Reason,
    ReasonKind,
    SecurityLevel,
)
from patchdesk.engine.model.vulnerability import CvssScore
from patchdesk.engine.policy.cvss import CvssMetrics, InvalidVector, parse_cvss_vector
from patchdesk.engine.policy.document import REVIEW, ImpactCondition, Policy
from patchdesk.engine.policy.facts import CweHierarchy, SourcedCwe, VulnerabilityFacts

__all__ = ["PolicyOverride", "classify"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyOverride:
    """An operator's decision for one CVE, which replaces the computed level."""

    level: SecurityLevel
    reason: str
    decided_by: str
    category: str = ""


@dataclass(frozen=True, slots=True)
class _Match:
    category: str
    level: SecurityLevel
    reason: Reason


@dataclass(frozen=True, slots=True)
class _Vector:
    metrics: CvssMetrics
    score: CvssScore


def classify(
    facts: VulnerabilityFacts,
    policy: Policy,
    cwe_hierarchy: CweHierarchy,
    *,
    override: PolicyOverride | None = None,
) -> Classification:
    """The verdict for ``facts`` under ``policy``; deterministic for the same inputs."""
    computed = _classify(facts, policy, cwe_hierarchy)
    if override is None:
        return computed
    reason = Reason(
        kind=ReasonKind.OVERRIDE,
        rule_id="operator-override",
        detail=f"set to {override.level} by {override.decided_by}: {override.reason}",
        source=override.decided_by,
    )
    return Classification(
        cve_id=facts.cve_id,
        level=override.level,
        category=override.category or computed.category,
        certainty=Certainty.FIRM,
        reasons=(reason, *computed.reasons),
        policy_version=policy.version,
        computed_level=computed.level,
    )


def _classify(facts: VulnerabilityFacts, policy: Policy, hierarchy: CweHierarchy) -> Classification:
    notes: list[Reason] = []
    vector = _choose_vector(facts.cvss, policy, notes)

    def verdict(
        level: SecurityLevel, category: str, certainty: Certainty, reasons: list[Reason]
    ) -> Classification:
        return Classification(
            cve_id=facts.cve_id,
            level=level,
            category=category,
            certainty=certainty,
            reasons=tuple(reasons + notes),
            policy_version=policy.version,
        )

    if vector is not None and vector.metrics.attack_vector not in policy.remote_attack_vectors:
        reason = _vector_reason(vector, "local-attack-vector", "the attack vector is not remote")
        return _kev_review(
            facts,
            policy,
            verdict(SecurityLevel.OUT_OF_SCOPE, "", Certainty.FIRM, [reason]),
            remote=False,
        )

    specific_cwes = [c for c in facts.cwes if c.cwe_id not in policy.generic_cwes]
    matches = _cwe_matches(specific_cwes, vector, policy, hierarchy)
    certainty = Certainty.FIRM if vector is not None else Certainty.TENTATIVE
    if vector is None and matches:
        notes.append(_missing("no-cvss-vector", "no CVSS vector: assumed remote"))
    if not matches and vector is not None and not specific_cwes:
        matches = _cvss_matches(vector, policy)
        certainty = Certainty.TENTATIVE
    if not matches and vector is None:
        matches = _fallback_matches(facts, policy)
        certainty = Certainty.TENTATIVE
    if matches:
        best = max(matches, key=lambda m: m.level.rank)
        reasons = [m.reason for m in matches]
        if vector is not None:
            reasons.append(_vector_reason(vector, "remote-attack-vector", "remote attack vector"))
        return _kev_review(facts, policy, verdict(best.level, best.category, certainty, reasons))
    if specific_cwes and vector is not None:
        names = ", ".join(c.cwe_id for c in specific_cwes)
        reasons = [
            Reason(
                kind=ReasonKind.CWE,
                rule_id="no-matching-rule",
                detail=f"{names}: not an attack type of the service",
                cwe_id=specific_cwes[0].cwe_id,
                source=specific_cwes[0].provider,
            ),
            _vector_reason(vector, "remote-attack-vector", "remote attack vector"),
        ]
        return _kev_review(
            facts, policy, verdict(SecurityLevel.OUT_OF_SCOPE, "", Certainty.FIRM, reasons)
        )
    missing = _missing("insufficient-facts", _what_is_missing(specific_cwes, vector))
    return verdict(SecurityLevel.NEEDS_REVIEW, "", Certainty.TENTATIVE, [missing])


def _choose_vector(
    scores: tuple[CvssScore, ...], policy: Policy, notes: list[Reason]
) -> _Vector | None:
    """The vector of the first provider kind in the policy's order that gave a valid one."""

    def rank(score: CvssScore) -> tuple[int, int]:
        kind = score.provider.split(":", 1)[0]
        order = policy.cvss_provider_order
        position = order.index(kind) if kind in order else len(order)
        return position, -_version_rank(score.version)

    for score in sorted(scores, key=rank):
        try:
            return _Vector(parse_cvss_vector(score.vector), score)
        except InvalidVector as exc:
            notes.append(
                Reason(
                    kind=ReasonKind.CVSS,
                    rule_id="invalid-vector-ignored",
                    detail=exc.reason,
                    source=score.provider,
                )
            )
    return None


def _version_rank(version: str) -> int:
    return {"4.0": 4, "3.1": 3, "3.0": 2, "2.0": 1}.get(version, 0)


def _impact_holds(condition: ImpactCondition | None, metrics: CvssMetrics | None) -> bool:
    if condition is None or metrics is None:
        return True  # without a vector the impact is unknown: the rule may apply (tentative)
    return all(
        allowed is None or value in allowed
        for allowed, value in (
            (condition.confidentiality, metrics.confidentiality),
            (condition.integrity, metrics.integrity),
            (condition.availability, metrics.availability),
        )
    )


def _cwe_matches(
    cwes: list[SourcedCwe], vector: _Vector | None, policy: Policy, hierarchy: CweHierarchy
) -> list[_Match]:
    metrics = vector.metrics if vector else None
    matches: list[_Match] = []
    for cwe in cwes:
        for rule in policy.rules:
            target = next((t for t in rule.cwe if hierarchy.is_a(cwe.cwe_id, t)), None)
            if target is None or not _impact_holds(rule.when, metrics):
                continue
            via = "" if target == cwe.cwe_id else f" (through {target})"
            impact = f" with {rule.when.describe()}" if rule.when and metrics else ""
            category = policy.categories[rule.category]
            matches.append(
                _Match(
                    rule.category,
                    category.level,
                    Reason(
                        kind=ReasonKind.CWE,
                        rule_id=rule.id,
                        detail=f"{cwe.cwe_id}{via}{impact}: {category.name_en}",
                        cwe_id=cwe.cwe_id,
                        source=cwe.provider,
                    ),
                )
            )
    return matches


def _cvss_matches(vector: _Vector, policy: Policy) -> list[_Match]:
    matches = []
    for rule in policy.cvss_rules:
        if _impact_holds(rule.when, vector.metrics):
            category = policy.categories[rule.category]
            matches.append(
                _Match(
                    rule.category,
                    category.level,
                    _vector_reason(vector, rule.id, f"{rule.when.describe()}: {category.name_en}"),
                )
            )
    return matches


def _fallback_matches(facts: VulnerabilityFacts, policy: Policy) -> list[_Match]:
    """Without a vector: the vendor's severity, then the description's words."""
    matches: list[_Match] = []
    for sourced in facts.vendor_severities:
        target = policy.vendor_severity.get(sourced.severity)
        if target and target != REVIEW:
            category = policy.categories[target]
            matches.append(
                _Match(
                    target,
                    category.level,
                    Reason(
                        kind=ReasonKind.VENDOR_SEVERITY,
                        rule_id=f"vendor-severity-{sourced.severity}",
                        detail=f"vendor severity {sourced.severity}: {category.name_en}",
                        source=sourced.source,
                    ),
                )
            )
    for rule in policy.text_rules:
        found = rule.pattern.search(facts.description)
        if found:
            category = policy.categories[rule.category]
            matches.append(
                _Match(
                    rule.category,
                    category.level,
                    Reason(
                        kind=ReasonKind.TEXT,
                        rule_id=rule.id,
                        detail=f"description says {found.group(0)!r}: {category.name_en}",
                    ),
                )
            )
    return matches


def _kev_review(
    facts: VulnerabilityFacts, policy: Policy, result: Classification, *, remote: bool = True
) -> Classification:
    """Known exploitation never lowers a verdict; it sends a remote out-of-scope one to review."""
    if facts.kev is None:
        return result
    kev_reason = Reason(
        kind=ReasonKind.KEV,
        rule_id="known-exploited",
        detail=f"on CISA's KEV list since {facts.kev.added_on.isoformat()}",
        source="kev",
    )
    escalate = (
        remote
        and policy.kev_review_when_out_of_scope
        and result.level == SecurityLevel.OUT_OF_SCOPE
    )
    return Classification(
        cve_id=result.cve_id,
        level=SecurityLevel.NEEDS_REVIEW if escalate else result.level,
        category=result.category,
        certainty=Certainty.TENTATIVE if escalate else result.certainty,
        reasons=(*result.reasons, kev_reason),
        policy_version=result.policy_version,
    )


def _vector_reason(vector: _Vector, rule_id: str, detail: str) -> Reason:
    return Reason(
        kind=ReasonKind.CVSS,
        rule_id=rule_id,
        detail=f"{detail} ({vector.score.vector})",
        vector_element=f"AV:{vector.metrics.attack_vector}",
        source=vector.score.provider,
    )


def _missing(rule_id: str, detail: str) -> Reason:
    return Reason(kind=ReasonKind.MISSING, rule_id=rule_id, detail=detail)


def _what_is_missing(cwes: list[SourcedCwe], vector: _Vector | None) -> str:
    if vector is None and not cwes:
        return "no CWE, no CVSS vector and no decisive vendor severity or description"
    if vector is None:
        return "no CVSS vector, and no rule matches the CWE"
    return "no specific CWE and the CVSS vector fits no rule"
