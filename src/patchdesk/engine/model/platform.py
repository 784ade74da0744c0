"""The OS release a server runs, as the service manages it: one announcement per platform."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["OsFamily", "PackageFormat", "Platform"]


class PackageFormat(enum.StrEnum):
    """The package manager's version scheme; ``patchdesk.engine.versions`` compares each."""

    DPKG = "dpkg"
    RPM = "rpm"
    APK = "apk"


class OsFamily(enum.StrEnum):
    DEBIAN = "debian"  # Debian, Ubuntu
    REDHAT = "redhat"  # RHEL, AlmaLinux, Rocky Linux, CentOS, Oracle Linux, Amazon Linux
    SUSE = "suse"  # SLES, openSUSE
    ALPINE = "alpine"


@dataclass(frozen=True, slots=True, kw_only=True)
class Platform:
    """An OS release on one architecture.

    ``distro`` is the os-release ``ID`` (``debian``, ``ubuntu``, ``almalinux``, ``rocky``,
    ``rhel``, ``centos``, ``ol``, ``amzn``, ``sles``, ``opensuse-leap`` ...). ``release`` is the
    release the vendor's advisories are published for: the major version for Debian and the
    RHEL family (``12``, ``9``), ``YY.MM`` for Ubuntu (``22.04``), ``15.5`` style for SUSE.
    """

    distro: str
    release: str
    family: OsFamily
    package_format: PackageFormat
    arch: str = ""
    codename: str = ""
    pretty_name: str = ""

    @property
    def key(self) -> str:
        """The OS release across architectures, e.g. ``debian:12``: the unit of announcements."""
        return f"{self.distro}:{self.release}"

    def __str__(self) -> str:
        return self.pretty_name or f"{self.distro} {self.release}"
