"""Classify every known vulnerability with the active policy; store verdicts with reasons.

Facts per CVE come from every source (CWE, CVSS, KEV, the description) plus the vendors'
severities of the advisories naming it. An advisory that names no CVE is classified under its
own id from its severity and text. A verdict is recomputed only when its facts, the policy
version or an override changed (``facts_hash``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from patchdesk.desk.advisories.models import (
    Advisory,
    AdvisoryCve,
    CvssAssessment,
    Vulnerability,
    VulnerabilityCwe,
)
from patchdesk.desk.findings.models import Classification, PolicyOverride
from patchdesk.desk.findings.policy import policy_active
from patchdesk.engine.feeds.cwe import get_cwe_catalog
from patchdesk.engine.model import CvssScore, KevEntry, VendorSeverity
from patchdesk.engine.model.classification import Classification as EngineClassification
from patchdesk.engine.model.classification import SecurityLevel
from patchdesk.engine.policy import (
    PolicyOverride as EngineOverride,
)
from patchdesk.engine.policy import (
    SourcedCwe,
    SourcedSeverity,
    VulnerabilityFacts,
    classify,
)

__all__ = ["classifications_refresh", "facts_collect", "reasons_json"]

_BATCH = 1000
_FIELDS = [
    "level",
    "category",
    "certainty",
    "reasons",
    "computed_level",
    "policy_version",
    "facts_hash",
    "classified_at",
]


def facts_collect(ids: Iterable[str]) -> dict[str, VulnerabilityFacts]:
    """The facts known for these CVE ids (and advisory ids of advisories without CVEs)."""
    wanted = sorted(set(ids))
    cwes: dict[str, list[SourcedCwe]] = defaultdict(list)
    scores: dict[str, list[CvssScore]] = defaultdict(list)
    severities: dict[str, list[SourcedSeverity]] = defaultdict(list)
    rows: dict[str, Vulnerability] = {}
    for start in range(0, len(wanted), _BATCH):
        chunk = wanted[start : start + _BATCH]
        rows.update((v.cve_id, v) for v in Vulnerability.objects.filter(cve_id__in=chunk))
        for cve, cwe, provider in VulnerabilityCwe.objects.filter(
            vulnerability__cve_id__in=chunk
        ).values_list("vulnerability__cve_id", "cwe_id", "provider"):
            cwes[cve].append(SourcedCwe(cwe_id=cwe, provider=provider))
        for cve, version, vector, score, provider in CvssAssessment.objects.filter(
            vulnerability__cve_id__in=chunk
        ).values_list("vulnerability__cve_id", "version", "vector", "base_score", "provider"):
            scores[cve].append(
                CvssScore(version=version, vector=vector, base_score=score, provider=provider)
            )
        for cve, severity, source in AdvisoryCve.objects.filter(cve_id__in=chunk).values_list(
            "cve_id", "advisory__vendor_severity", "advisory__source"
        ):
            if severity != VendorSeverity.UNKNOWN:
                severities[cve].append(
                    SourcedSeverity(severity=VendorSeverity(severity), source=source)
                )
        for advisory in Advisory.objects.filter(advisory_id__in=chunk, cves__isnull=True):
            if advisory.vendor_severity != VendorSeverity.UNKNOWN:
                severities[advisory.advisory_id].append(
                    SourcedSeverity(
                        severity=VendorSeverity(advisory.vendor_severity), source=advisory.source
                    )
                )
            rows.setdefault(
                advisory.advisory_id,
                Vulnerability(cve_id=advisory.advisory_id, description=advisory.details),
            )
    facts: dict[str, VulnerabilityFacts] = {}
    for identifier in wanted:
        row = rows.get(identifier)
        kev = (
            KevEntry(cve_id=identifier, added_on=row.kev_added_on)
            if row is not None and row.kev_added_on
            else None
        )
        facts[identifier] = VulnerabilityFacts(
            cve_id=identifier,
            cwes=tuple(sorted(set(cwes[identifier]), key=lambda c: (c.provider, c.cwe_id))),
            cvss=tuple(sorted(set(scores[identifier]), key=lambda s: (s.provider, s.version))),
            vendor_severities=tuple(
                sorted(set(severities[identifier]), key=lambda s: (s.source, s.severity))
            ),
            kev=kev,
            description=row.description if row is not None else "",
        )
    return facts


def reasons_json(result: EngineClassification) -> list[dict[str, str]]:
    return [
        {key: str(value) for key, value in dataclasses.asdict(reason).items()}
        for reason in result.reasons
    ]


def _hash(facts: VulnerabilityFacts, policy_version: str, override: PolicyOverride | None) -> str:
    payload = {
        "facts": dataclasses.asdict(facts),
        "policy": policy_version,
        "override": [override.level, override.reason, override.decided_by_id] if override else None,
    }
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _known_ids() -> set[str]:
    ids = set(AdvisoryCve.objects.values_list("cve_id", flat=True).distinct())
    ids.update(Advisory.objects.filter(cves__isnull=True).values_list("advisory_id", flat=True))
    return ids


@transaction.atomic
def classifications_refresh(ids: Iterable[str] | None = None) -> int:
    """Reclassify ``ids`` (default: every CVE an advisory names); return how many changed."""
    policy = policy_active()
    catalogue = get_cwe_catalog()
    wanted = sorted(set(ids) if ids is not None else _known_ids())
    overrides = {
        o.cve_id: o
        for o in PolicyOverride.objects.select_related("decided_by").filter(cve_id__in=wanted)
    }
    changed = 0
    now = timezone.now()
    for start in range(0, len(wanted), _BATCH):
        chunk = wanted[start : start + _BATCH]
        facts = facts_collect(chunk)
        existing = {c.cve_id: c for c in Classification.objects.filter(cve_id__in=chunk)}
        creates: list[Classification] = []
        updates: list[Classification] = []
        for identifier in chunk:
            override = overrides.get(identifier)
            digest = _hash(facts[identifier], policy.version, override)
            row = existing.get(identifier)
            if row is not None and row.facts_hash == digest:
                continue
            engine_override = (
                EngineOverride(
                    level=SecurityLevel(override.level),
                    reason=override.reason,
                    decided_by=override.decided_by.get_username(),
                )
                if override
                else None
            )
            result = classify(facts[identifier], policy, catalogue, override=engine_override)
            values = {
                "level": result.level.value,
                "category": result.category,
                "certainty": result.certainty.value,
                "reasons": reasons_json(result),
                "computed_level": result.computed_level.value if result.computed_level else "",
                "policy_version": result.policy_version,
                "facts_hash": digest,
                "classified_at": now,
            }
            if row is None:
                creates.append(Classification(cve_id=identifier, **values))
            else:
                for name, value in values.items():
                    setattr(row, name, value)
                updates.append(row)
        Classification.objects.bulk_create(creates, batch_size=_BATCH)
        if updates:
            Classification.objects.bulk_update(updates, _FIELDS, batch_size=_BATCH)
        changed += len(creates) + len(updates)
    return changed
