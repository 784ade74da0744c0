"""Value types shared by the engine's stages (frozen dataclasses and string enums)."""

from __future__ import annotations

from patchdesk.engine.model.advisory import (
    Advisory,
    AdvisoryKind,
    AffectedPackage,
    Confidence,
    FixStatus,
    PackageNameKind,
    VendorSeverity,
)
from patchdesk.engine.model.platform import OsFamily, PackageFormat, Platform
from patchdesk.engine.model.vulnerability import (
    CvssScore,
    EndOfLife,
    EpssScore,
    KevEntry,
    Vulnerability,
)

__all__ = [
    "Advisory",
    "AdvisoryKind",
    "AffectedPackage",
    "Confidence",
    "CvssScore",
    "EndOfLife",
    "EpssScore",
    "FixStatus",
    "KevEntry",
    "OsFamily",
    "PackageFormat",
    "PackageNameKind",
    "Platform",
    "VendorSeverity",
    "Vulnerability",
]
