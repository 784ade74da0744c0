"""The service policy's verdict on one vulnerability (R2), always with its reasons."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Certainty", "Classification", "Reason", "ReasonKind", "SecurityLevel"]


class SecurityLevel(enum.StrEnum):
    """Table 1 of the service specification, plus a level for what a person must decide."""

    HIGH = "high"  # remote code execution: patched on all managed servers
    MEDIUM = "medium"  # remote DoS, information leak, ...: Security Update Service only
    OUT_OF_SCOPE = "out_of_scope"
    NEEDS_REVIEW = "needs_review"  # the facts are missing or contradictory

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {
    SecurityLevel.OUT_OF_SCOPE: 0,
    SecurityLevel.NEEDS_REVIEW: 1,
    SecurityLevel.MEDIUM: 2,
    SecurityLevel.HIGH: 3,
}


class Certainty(enum.StrEnum):
    FIRM = "firm"  # CWE and CVSS vector agree with a rule
    TENTATIVE = "tentative"  # a fallback decided it (vector pattern, vendor severity, text)


class ReasonKind(enum.StrEnum):
    CWE = "cwe"
    CVSS = "cvss"
    VENDOR_SEVERITY = "vendor_severity"
    KEV = "kev"
    TEXT = "text"
    OVERRIDE = "override"
    MISSING = "missing"


@dataclass(frozen=True, slots=True, kw_only=True)
class Reason:
    """One fact that led to the verdict: which rule, which CWE, which vector element, from whom."""

    kind: ReasonKind
    rule_id: str  # the policy rule, or a built-in code such as "local-attack-vector"
    detail: str  # a short English sentence for logs and the JSON output
    cwe_id: str = ""
    vector_element: str = ""  # e.g. "AV:N"
    source: str = ""  # who provided the fact: "cna:redhat", "adp:cisa", "nvd", "kev" ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Classification:
    cve_id: str
    level: SecurityLevel
    category: str  # the policy category id, "" when none applies
    certainty: Certainty
    reasons: tuple[Reason, ...]
    policy_version: str
    computed_level: SecurityLevel | None = None  # set when an override replaced the verdict
