"""Comparing installed versions with a requested minimum, on the request's basis (the binary
or the source version), in the platform's version order. Shared by the plan, the dry-run
review, the verification and the kernel items."""

from __future__ import annotations

from collections.abc import Sequence

from patchdesk.engine import versions
from patchdesk.engine.model.inventory import InstalledPackage
from patchdesk.engine.model.platform import PackageFormat
from patchdesk.engine.model.work import VersionBasis

__all__ = ["compared_version", "highest_version", "is_at_least", "lowest_version"]


def is_at_least(package_format: PackageFormat, version: str, minimum: str) -> bool:
    """``version >= minimum`` in the platform's version order (invalid: never)."""
    try:
        return versions.compare(str(package_format), version, minimum) >= 0
    except versions.InvalidVersion:
        return False


def compared_version(package: InstalledPackage, basis: VersionBasis) -> str:
    return package.source_version if basis is VersionBasis.SOURCE else package.version


def lowest_version(package_format: PackageFormat, texts: Sequence[str]) -> str:
    return min(texts, key=lambda text: versions.sort_key(str(package_format), text))


def highest_version(package_format: PackageFormat, texts: Sequence[str]) -> str:
    """The highest of ``texts`` ("" when there is none)."""
    return max(texts, key=lambda text: versions.sort_key(str(package_format), text), default="")
