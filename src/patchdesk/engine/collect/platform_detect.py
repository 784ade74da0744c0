"""Which OS release a server runs, from ``/etc/os-release`` (with the older release files as
fallbacks). An unknown or unsupported system gives an explicit :class:`UnsupportedOs`, never a
guess: ``ID_LIKE`` is not used, so a derivative (Linux Mint, Raspbian ...) is unsupported.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from patchdesk.engine.model.platform import OsFamily, PackageFormat, Platform

__all__ = ["SUPPORTED_DISTROS", "UnsupportedOs", "detect_platform", "parse_os_release"]

_KEY = re.compile(r"[A-Z][A-Z0-9_]{0,63}")
_MAJOR = re.compile(r"(\d{1,4})(?:\.\d+)*")
_YY_MM = re.compile(r"\d{2}\.\d{2}")
_NUMERIC = re.compile(r"\d{1,4}(?:\.\d{1,4})?")
_REDHAT_RELEASE = re.compile(
    r"^(?P<name>Red Hat Enterprise Linux|CentOS Stream|CentOS Linux|CentOS|Rocky Linux|"
    r"AlmaLinux|Oracle Linux)\b.*?\brelease (?P<major>\d+)"
)
_REDHAT_NAMES: Final = {
    "Red Hat Enterprise Linux": "rhel",
    "CentOS Stream": "centos",
    "CentOS Linux": "centos",
    "CentOS": "centos",
    "Rocky Linux": "rocky",
    "AlmaLinux": "almalinux",
    "Oracle Linux": "ol",
}
_AMAZON_AMI = re.compile(r"^Amazon Linux AMI release (\d{4}\.\d{2})")
_SUSE_VERSION = re.compile(r"^(VERSION|PATCHLEVEL)\s*=\s*(\d+)\s*$")


@dataclass(frozen=True, slots=True, kw_only=True)
class UnsupportedOs:
    """The server's OS is not one patchdesk manages (or could not be identified)."""

    reason: str
    os_id: str = ""
    version_id: str = ""
    pretty_name: str = ""


def _major(version_id: str) -> str | None:
    match = _MAJOR.fullmatch(version_id)
    return match.group(1) if match else None


def _year_month(version_id: str) -> str | None:
    return version_id if _YY_MM.fullmatch(version_id) else None


def _numeric(version_id: str) -> str | None:
    return version_id if _NUMERIC.fullmatch(version_id) else None


_Release = Callable[[str], str | None]

SUPPORTED_DISTROS: Final[Mapping[str, tuple[OsFamily, PackageFormat, _Release]]] = {
    "debian": (OsFamily.DEBIAN, PackageFormat.DPKG, _major),
    "ubuntu": (OsFamily.DEBIAN, PackageFormat.DPKG, _year_month),
    "rhel": (OsFamily.REDHAT, PackageFormat.RPM, _major),
    "almalinux": (OsFamily.REDHAT, PackageFormat.RPM, _major),
    "rocky": (OsFamily.REDHAT, PackageFormat.RPM, _major),
    "centos": (OsFamily.REDHAT, PackageFormat.RPM, _major),
    "ol": (OsFamily.REDHAT, PackageFormat.RPM, _major),
    "amzn": (OsFamily.REDHAT, PackageFormat.RPM, _numeric),
    "sles": (OsFamily.SUSE, PackageFormat.RPM, _numeric),
    "opensuse-leap": (OsFamily.SUSE, PackageFormat.RPM, _numeric),
    "opensuse": (OsFamily.SUSE, PackageFormat.RPM, _numeric),
}
"""os-release ``ID`` → family, package format, and how the advisory release is derived."""


def parse_os_release(lines: Iterable[str]) -> dict[str, str]:
    """``KEY=value`` pairs; quoted values are unquoted with shell rules, never evaluated.

    Lines that are not a valid assignment of one value are ignored (os-release(5) says so).
    """
    values: dict[str, str] = {}
    for line in lines:
        key, sep, raw = line.strip().partition("=")
        if not sep or not _KEY.fullmatch(key):
            continue
        try:
            words = shlex.split(raw, comments=False, posix=True)
        except ValueError:
            continue
        if len(words) <= 1:
            values[key] = words[0] if words else ""
    return values


def _from_fallbacks(files: Mapping[str, list[str]]) -> dict[str, str]:
    """An os-release-like mapping from the release files older systems have."""
    for line in files.get("redhat-release", [])[:1]:
        if match := _REDHAT_RELEASE.match(line.strip()):
            name = match.group("name")
            return {"ID": _REDHAT_NAMES[name], "VERSION_ID": match.group("major"), "NAME": name}
    for line in files.get("system-release", [])[:1]:
        if match := _AMAZON_AMI.match(line.strip()):
            return {"ID": "amzn", "VERSION_ID": match.group(1), "NAME": "Amazon Linux AMI"}
    lsb = parse_os_release(files.get("lsb-release", []))
    if lsb.get("DISTRIB_ID", "").lower() == "ubuntu":
        return {"ID": "ubuntu", "VERSION_ID": lsb.get("DISTRIB_RELEASE", ""), "NAME": "Ubuntu"}
    suse = files.get("SuSE-release", [])
    if suse and "SUSE Linux Enterprise Server" in suse[0]:
        parts: dict[str, str] = {}
        for line in suse:
            if match := _SUSE_VERSION.match(line.strip()):
                parts[match.group(1)] = match.group(2)
        version = parts.get("VERSION", "")
        if "PATCHLEVEL" in parts and parts["PATCHLEVEL"] != "0":
            version = f"{version}.{parts['PATCHLEVEL']}"
        return {"ID": "sles", "VERSION_ID": version, "NAME": "SUSE Linux Enterprise Server"}
    return {}


def detect_platform(
    os_release: Mapping[str, str], *, release_files: Mapping[str, list[str]], arch: str
) -> Platform | UnsupportedOs:
    """The :class:`Platform` (key ``debian:12``, ``almalinux:9``, ``sles:15.5`` ...), or why not.

    ``release_files`` holds the lines of ``/etc/debian_version``, ``redhat-release``,
    ``system-release``, ``lsb-release`` and ``SuSE-release`` (keys as in the identity script).
    """
    values = dict(os_release) if os_release.get("ID") else _from_fallbacks(release_files)
    os_id = values.get("ID", "").strip().lower()
    version_id = values.get("VERSION_ID", "").strip()
    pretty = values.get("PRETTY_NAME", "") or values.get("NAME", "")
    if not os_id:
        return UnsupportedOs(reason="no /etc/os-release and no known release file")
    rule = SUPPORTED_DISTROS.get(os_id)
    if rule is None:
        return UnsupportedOs(
            reason=f"unsupported distribution {os_id!r}",
            os_id=os_id,
            version_id=version_id,
            pretty_name=pretty,
        )
    family, package_format, release_of = rule
    if os_id == "debian" and not version_id:
        # Debian's os-release has no VERSION_ID on testing/unstable; /etc/debian_version
        # says "12.15" on a release and "trixie/sid" otherwise.
        version_id = next(iter(release_files.get("debian_version", [])), "").strip()
    release = release_of(version_id)
    if release is None:
        return UnsupportedOs(
            reason=f"{os_id}: no release in version {version_id!r} (rolling or testing?)",
            os_id=os_id,
            version_id=version_id,
            pretty_name=pretty,
        )
    codename = values.get("VERSION_CODENAME", "")
    if os_id == "centos" and "stream" in values.get("NAME", "").lower():
        codename = "stream"
    return Platform(
        distro=os_id,
        release=release,
        family=family,
        package_format=package_format,
        arch=arch,
        codename=codename,
        pretty_name=pretty,
    )
