"""Vendor security advisories, normalised across sources (OSV, CSAF, Debian tracker, changelogs).

An :class:`Advisory` says which package versions on which OS releases fix which CVEs. Matching
(``engine/match``) compares installed versions against :attr:`AffectedPackage.fixed_version`
with the version engine of the platform's package format.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from patchdesk.engine.model.platform import PackageFormat

__all__ = [
    "Advisory",
    "AdvisoryKind",
    "AffectedPackage",
    "Confidence",
    "FixStatus",
    "PackageNameKind",
    "VendorSeverity",
]


class FixStatus(enum.StrEnum):
    FIXED = "fixed"  # fixed_version fixes it; older versions are affected
    NO_FIX_YET = "no_fix_yet"  # affected, the vendor has not released a fix
    WONT_FIX = "wont_fix"  # affected, the vendor will not fix it (e.g. Debian "ignored")
    NOT_AFFECTED = "not_affected"
    UNKNOWN = "unknown"


class PackageNameKind(enum.StrEnum):
    """Whether an advisory names the source package (Debian, Ubuntu) or a binary one."""

    SOURCE = "source"
    BINARY = "binary"


class VendorSeverity(enum.StrEnum):
    """The vendor's own rating, normalised (Red Hat, AlmaLinux, Debian urgency, Ubuntu priority)."""

    CRITICAL = "critical"
    HIGH = "high"  # Red Hat "Important", Debian urgency high, Ubuntu priority high
    MEDIUM = "medium"  # Red Hat "Moderate"
    LOW = "low"
    NEGLIGIBLE = "negligible"
    UNKNOWN = "unknown"


class AdvisoryKind(enum.StrEnum):
    """What the vendor says the update is for (``ALSA``/``RHSA`` vs ``ALBA``/``RHBA``/``ALEA``...).

    For Debian changelogs the kind comes from the archive suite the update was published in
    (``bookworm-security`` is SECURITY), never from whether a CVE id is mentioned.
    """

    SECURITY = "security"
    BUGFIX = "bugfix"
    ENHANCEMENT = "enhancement"


class Confidence(enum.StrEnum):
    """How much the fix data can be trusted; shown with every finding."""

    VENDOR = "vendor"  # the vendor's advisory or tracker
    CHANGELOG = "changelog"  # derived from a package changelog (air-gapped mode): lower


@dataclass(frozen=True, slots=True, kw_only=True)
class AffectedPackage:
    """One package on one OS release, and the version that fixes it (if any)."""

    platform_key: str  # Platform.key, e.g. "debian:12", "almalinux:9"
    package: str
    name_kind: PackageNameKind
    version_format: PackageFormat
    status: FixStatus
    fixed_version: str | None = None  # required when status is FIXED
    introduced_version: str | None = None  # None: affected since the beginning
    arches: tuple[str, ...] = ()  # empty: every architecture
    # Where the fix ships when that is more than the release's standard archive: "ubuntu-pro"
    # (Ubuntu Pro / ESM, needs a subscription). Empty: the release's own updates.
    channel: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Advisory:
    """A vendor advisory (``ALSA-2024:4312``, ``DSA-5500-1``, ``USN-6859-1``, ``DEBIAN-CVE-…``)."""

    id: str
    source: str  # the feed it came from, e.g. "osv:almalinux", "csaf:redhat", "debian-changelog"
    summary: str
    details: str = ""
    published_at: datetime | None = None
    modified_at: datetime | None = None
    vendor_severity: VendorSeverity = VendorSeverity.UNKNOWN
    cve_ids: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    affected: tuple[AffectedPackage, ...] = ()
    confidence: Confidence = Confidence.VENDOR
    aliases: tuple[str, ...] = field(default=())  # other ids of the same advisory (RHSA for ALSA)
    kind: AdvisoryKind = AdvisoryKind.SECURITY

    @property
    def platform_keys(self) -> frozenset[str]:
        return frozenset(package.platform_key for package in self.affected)
