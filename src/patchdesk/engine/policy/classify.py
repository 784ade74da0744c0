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
    is_direct: bool = False  # the rule names the CWE itself, not an ancestor or category
    order: int = 0  # the rule's position in the policy


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
        result = verdict(SecurityLevel.OUT_OF_SCOPE, "", Certainty.FIRM, [reason])
        return _kev_note(facts, policy, result, may_escalate=False)

    specific = [c for c in facts.cwes if c.cwe_id not in policy.generic_cwes]
    certainty = Certainty.FIRM if vector is not None else Certainty.TENTATIVE
    matches = _cwe_matches(specific, vector, policy, hierarchy)
    if matches and vector is None:
        notes.append(_missing("no-cvss-vector", "no CVSS vector: assumed remote"))
    excluded = [
        c for c in specific if any(hierarchy.is_a(c.cwe_id, t) for t in policy.out_of_scope_cwes)
    ]
    if not matches and excluded:
        reasons = [_excluded_reason(excluded)]
        if vector is not None:
            reasons.append(_remote_reason(vector))
        result = verdict(SecurityLevel.OUT_OF_SCOPE, "", certainty, reasons)
        return _kev_note(facts, policy, result, may_escalate=False)
    if not matches:
        certainty = Certainty.TENTATIVE
        matches = (
            _cvss_matches(vector, policy)
            if vector is not None
            else _fallback_matches(facts, policy)
        )
        if matches and specific:
            notes.insert(
                0,
                Reason(
                    kind=ReasonKind.CWE,
                    rule_id="cwe-without-attack-type",
                    detail=f"{specific[0].cwe_id} names no attack type of the service; "
                    "the impacts decide",
                    cwe_id=specific[0].cwe_id,
                    source=specific[0].provider,
                ),
            )
    if matches:
        best = max(matches, key=lambda m: (m.level.rank, m.is_direct, -m.order))
        reasons = [best.reason] + [m.reason for m in matches if m is not best]
        if vector is not None:
            reasons.append(_remote_reason(vector))
        result = verdict(best.level, best.category, certainty, reasons)
        return _kev_note(facts, policy, result, may_escalate=True)
    if vector is not None and specific:
        described = ", ".join(c.cwe_id for c in specific)
        reasons = [
            Reason(
                kind=ReasonKind.CVSS,
                rule_id="no-matching-rule",
                detail=f"{described}; the impacts fit no attack type of the service",
                cwe_id=specific[0].cwe_id,
                source=vector.score.provider,
            ),
            _remote_reason(vector),
        ]
        result = verdict(SecurityLevel.OUT_OF_SCOPE, "", Certainty.TENTATIVE, reasons)
        return _kev_note(facts, policy, result, may_escalate=True)
    missing = _missing("insufficient-facts", _what_is_missing(specific, vector))
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
        for order, rule in enumerate(policy.rules):
            target = (
                cwe.cwe_id
                if cwe.cwe_id in rule.cwe
                else next((t for t in rule.cwe if hierarchy.is_a(cwe.cwe_id, t)), None)
            )
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
                    is_direct=target == cwe.cwe_id,
                    order=order,
                )
            )
    return matches


def _cvss_matches(vector: _Vector, policy: Policy) -> list[_Match]:
    matches = []
    for order, rule in enumerate(policy.cvss_rules):
        if _impact_holds(rule.when, vector.metrics):
            category = policy.categories[rule.category]
            matches.append(
                _Match(
                    rule.category,
                    category.level,
                    _vector_reason(vector, rule.id, f"{rule.when.describe()}: {category.name_en}"),
                    order=order,
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


def _kev_note(
    facts: VulnerabilityFacts, policy: Policy, result: Classification, *, may_escalate: bool
) -> Classification:
    """Known exploitation never lowers a verdict; it sends an undecided out-of-scope one to
    review. Out of scope for a clear reason (local vector, a non-Table-1 attack type) stays."""
    if facts.kev is None:
        return result
    kev_reason = Reason(
        kind=ReasonKind.KEV,
        rule_id="known-exploited",
        detail=f"on CISA's KEV list since {facts.kev.added_on.isoformat()}",
        source="kev",
    )
    escalate = (
        may_escalate
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


def _excluded_reason(excluded: list[SourcedCwe]) -> Reason:
    first = excluded[0]
    return Reason(
        kind=ReasonKind.CWE,
        rule_id="not-a-service-attack-type",
        detail=f"{first.cwe_id}: an attack on the site's visitors, not in Table 1",
        cwe_id=first.cwe_id,
        source=first.provider,
    )


def _remote_reason(vector: _Vector) -> Reason:
    return _vector_reason(vector, "remote-attack-vector", "remote attack vector")


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
    if vector is not None:
        return "no specific CWE, and the CVSS impacts fit no attack type of the service"
    if cwes:
        return "no CVSS vector, and no rule matches the CWE"
    return "no CWE, no CVSS vector and no decisive vendor severity or description"
