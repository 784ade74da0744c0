"""What the policy looks at: the facts known about one CVE, from every source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from patchdesk.engine.model.advisory import VendorSeverity
from patchdesk.engine.model.vulnerability import CvssScore, KevEntry

__all__ = ["CweHierarchy", "SourcedCwe", "SourcedSeverity", "VulnerabilityFacts"]


class CweHierarchy(Protocol):
    """The CWE catalogue's answer to "is this weakness that one, below it, or in it?"."""

    def is_a(self, cwe_id: str, target: str) -> bool:
        """True if ``cwe_id`` is ``target``, a descendant of it (view 1000), or a member of the
        category ``target`` (directly or through an ancestor)."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class SourcedCwe:
    cwe_id: str
    provider: str  # "cna:redhat", "adp:cisa", "nvd", "vendor:redhat", "kev"


@dataclass(frozen=True, slots=True, kw_only=True)
class SourcedSeverity:
    severity: VendorSeverity
    source: str  # "osv:almalinux", "debian-tracker" ...


@dataclass(frozen=True, slots=True, kw_only=True)
class VulnerabilityFacts:
    """Everything known about one CVE; empty fields are simply unknown."""

    cve_id: str
    cwes: tuple[SourcedCwe, ...] = ()
    cvss: tuple[CvssScore, ...] = ()
    vendor_severities: tuple[SourcedSeverity, ...] = ()
    kev: KevEntry | None = None
    description: str = ""
