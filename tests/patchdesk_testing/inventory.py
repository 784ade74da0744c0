"""Inventories and advisories for matching tests."""

from __future__ import annotations

from datetime import UTC, datetime

from patchdesk.engine.model import (
    Advisory,
    AffectedPackage,
    FixStatus,
    OsFamily,
    PackageFormat,
    PackageNameKind,
    Platform,
)
from patchdesk.engine.model.inventory import (
    HostInventory,
    InstalledPackage,
    KernelInfo,
    OriginClass,
    PackageOrigin,
)

NOW = datetime(2026, 11, 25, tzinfo=UTC)
DEBIAN = Platform(
    distro="debian",
    release="12",
    family=OsFamily.DEBIAN,
    package_format=PackageFormat.DPKG,
    arch="amd64",
)
ALMA = Platform(
    distro="almalinux",
    release="9",
    family=OsFamily.REDHAT,
    package_format=PackageFormat.RPM,
    arch="x86_64",
)


def pkg(
    name: str,
    version: str,
    *,
    source: str = "",
    source_version: str = "",
    arch: str = "amd64",
    origin: OriginClass = OriginClass.OS_VENDOR,
) -> InstalledPackage:
    return InstalledPackage(
        name=name,
        version=version,
        arch=arch,
        source_name=source or name,
        source_version=source_version or version,
        origin=PackageOrigin(kind=origin),
    )


def host(
    platform: Platform | None,
    *packages: InstalledPackage,
    kernel: KernelInfo | None = None,
    target: str = "ssh://web1",
) -> HostInventory:
    return HostInventory(
        target=target,
        started_at=NOW,
        finished_at=NOW,
        platform=platform,
        packages=packages,
        kernel=kernel,
    )


def fix(
    advisory_id: str,
    package: str,
    fixed: str | None,
    *,
    platform: str = "debian:12",
    kind: PackageNameKind = PackageNameKind.SOURCE,
    fmt: PackageFormat = PackageFormat.DPKG,
    status: FixStatus | None = None,
    arches: tuple[str, ...] = (),
    introduced: str | None = None,
) -> Advisory:
    return Advisory(
        id=advisory_id,
        source="test",
        summary=advisory_id,
        cve_ids=(f"CVE-{advisory_id}",),
        affected=(
            AffectedPackage(
                platform_key=platform,
                package=package,
                name_kind=kind,
                version_format=fmt,
                status=status or (FixStatus.FIXED if fixed else FixStatus.NO_FIX_YET),
                fixed_version=fixed,
                arches=arches,
                introduced_version=introduced,
            ),
        ),
    )
