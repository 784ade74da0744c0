"""Validation of everything that ends up in a command: package names, versions, architectures,
advisory and CVE ids, service names. Only values that pass are ever quoted into a command.

The package-name and version rules are the collector's (``engine.collect.dpkg`` and
``engine.collect.rpm``) plus the version engine's own parser: what dpkg or rpm would refuse is
refused here too.
"""

from __future__ import annotations

import re
from typing import Final

from patchdesk.engine import versions
from patchdesk.engine.collect.dpkg import DEB_ARCH, DEB_NAME, DEB_VERSION
from patchdesk.engine.collect.lines import describe
from patchdesk.engine.collect.rpm import RPM_ARCH, RPM_NAME
from patchdesk.engine.model.platform import PackageFormat

__all__ = [
    "ADVISORY_ID",
    "CVE_ID",
    "SERVICE_NAME",
    "arch_problem",
    "name_problem",
    "version_problem",
]

RPM_EVR: Final = re.compile(r"(?:\d{1,9}:)?[A-Za-z0-9._+~^]{1,128}(?:-[A-Za-z0-9._+~^]{1,128})?")
"""``[epoch:]version[-release]`` as rpm advisories write a fixed version."""

ADVISORY_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9:._-]{0,99}")
CVE_ID: Final = re.compile(r"CVE-\d{4}-\d{4,9}")
SERVICE_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9:_.@-]{0,199}")
"""A systemd unit or init script name (no leading dash: never an option)."""


def name_problem(package_format: PackageFormat, name: str) -> str | None:
    """Why ``name`` is not a valid package name for the format, or None."""
    pattern = DEB_NAME if package_format is PackageFormat.DPKG else RPM_NAME
    if package_format is PackageFormat.APK or not pattern.fullmatch(name):
        return f"invalid package name {describe(name)!r}"
    return None


def version_problem(package_format: PackageFormat, version: str) -> str | None:
    """Why ``version`` is not a valid version for the format, or None."""
    pattern = DEB_VERSION if package_format is PackageFormat.DPKG else RPM_EVR
    if package_format is PackageFormat.APK or not pattern.fullmatch(version):
        return f"invalid version {describe(version)!r}"
    try:
        versions.parse(str(package_format), version)
    except versions.InvalidVersion as exc:
        return f"invalid version {describe(version)!r}: {exc.reason}"
    return None


def arch_problem(package_format: PackageFormat, arch: str) -> str | None:
    pattern = DEB_ARCH if package_format is PackageFormat.DPKG else RPM_ARCH
    if not pattern.fullmatch(arch):
        return f"invalid architecture {describe(arch)!r}"
    return None
