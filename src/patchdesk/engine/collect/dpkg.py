"""Parse Debian package data: ``dpkg-query`` (installed packages) and ``apt-cache policy``
(where each installed version comes from). Pure functions over raw bytes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from patchdesk.engine import versions
from patchdesk.engine.collect.lines import Rejections, describe, iter_lines

__all__ = [
    "AptPolicy",
    "AptSource",
    "DpkgRecord",
    "parse_apt_policy",
    "parse_apt_policy_packages",
    "parse_dpkg_query",
]

DEB_NAME: Final = re.compile(r"[a-z0-9][a-z0-9+.-]{0,254}")
DEB_ARCH: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
DEB_VERSION: Final = re.compile(r"(?:\d{1,9}:)?[A-Za-z0-9][A-Za-z0-9.+~-]{0,254}")
_INSTALLED_STATES: Final = frozenset("iWt")  # installed, triggers awaited / pending
_SOURCE_FIELD: Final = re.compile(r"(?P<name>\S+)(?: \((?P<version>[^)]+)\))?")


@dataclass(frozen=True, slots=True, kw_only=True)
class DpkgRecord:
    name: str
    arch: str
    version: str
    source_name: str
    source_version: str


def _source_of(fields: list[str]) -> tuple[str, str] | None:
    """Source name and version: ``${source:*}``, else the raw ``Source`` field, else itself."""
    _, name, _, version, src_name, src_version, raw = fields
    if src_name:
        return src_name, src_version or version
    if not raw:
        return name, version
    match = _SOURCE_FIELD.fullmatch(raw)
    if match is None:
        return None
    return match.group("name"), match.group("version") or version


def _invalid_version(*texts: str) -> str | None:
    """Why dpkg would refuse one of the versions (``patchdesk.engine.versions``), or None."""
    for text in texts:
        try:
            versions.parse("dpkg", text)
        except versions.InvalidVersion as exc:
            return f"invalid version {describe(text)!r}: {exc.reason}"
    return None


def parse_dpkg_query(
    data: bytes, *, is_truncated: bool = False
) -> tuple[list[DpkgRecord], Rejections]:
    """Installed packages from :data:`~patchdesk.engine.collect.commands.DPKG_QUERY` output.

    Packages that are not installed (``rc`` config files, half-installed ...) are skipped;
    malformed lines are rejected and counted.
    """
    rejections = Rejections("dpkg-query")
    records: list[DpkgRecord] = []
    seen: set[tuple[str, str]] = set()
    for line_no, line in iter_lines(data, rejections, is_truncated=is_truncated):
        fields = line.split("\t")
        if len(fields) != 7:
            rejections.reject(line_no, f"expected 7 fields, got {len(fields)}")
            continue
        status, name, arch, version = fields[:4]
        if len(status) != 3 or status[1] not in _INSTALLED_STATES:
            continue
        source = _source_of(fields)
        problem = None
        if not DEB_NAME.fullmatch(name):
            problem = f"invalid package name {describe(name)!r}"
        elif not DEB_ARCH.fullmatch(arch):
            problem = f"invalid architecture {describe(arch)!r}"
        elif not DEB_VERSION.fullmatch(version):
            problem = f"invalid version {describe(version)!r} of {name}"
        elif source is None or not DEB_NAME.fullmatch(source[0]):
            problem = f"invalid source package of {name}"
        elif not DEB_VERSION.fullmatch(source[1]):
            problem = f"invalid source version {describe(source[1])!r} of {name}"
        elif (name, arch) in seen:
            problem = f"{name}:{arch} listed twice"
        else:
            problem = _invalid_version(version, source[1])
        if problem or source is None:
            rejections.reject(line_no, problem or "invalid")
            continue
        seen.add((name, arch))
        records.append(
            DpkgRecord(
                name=name,
                arch=arch,
                version=version,
                source_name=source[0],
                source_version=source[1],
            )
        )
    return records, rejections


@dataclass(frozen=True, slots=True, kw_only=True)
class AptSource:
    """One package index apt knows, as ``apt-cache policy`` prints it."""

    location: str  # "http://mirror/debian bookworm/main amd64 Packages", "/var/lib/dpkg/status"
    priority: int
    release: dict[str, str] = field(default_factory=dict)  # o=, l=, a=, n=, c=, v=, b=
    origin_host: str = ""

    @property
    def uri(self) -> str:
        return self.location.split(" ", 1)[0]

    @property
    def is_dpkg_status(self) -> bool:
        return self.location == "/var/lib/dpkg/status"


@dataclass(frozen=True, slots=True, kw_only=True)
class AptPolicy:
    """The per-package answer: which sources carry the installed version."""

    name: str
    installed: str
    sources: tuple[str, ...]  # locations, as in :attr:`AptSource.location`


_PRIORITY_LINE = re.compile(r"\s*(-?\d{1,5}) (\S.*)")
_RELEASE_LINE = re.compile(r"\s+release (.*)")
_ORIGIN_LINE = re.compile(r"\s+origin (\S*)")
_VERSION_LINE = re.compile(r"( \*\*\*|    ) (\S+) (-?\d{1,5})")
_PACKAGE_HEADER = re.compile(r"(\S+):")


def parse_apt_policy(data: bytes) -> tuple[dict[str, AptSource], Rejections]:
    """The package indexes from ``apt-cache policy`` (no arguments), by location."""
    rejections = Rejections("apt-cache policy")
    sources: dict[str, AptSource] = {}
    current: AptSource | None = None
    for line_no, line in iter_lines(data, rejections):
        if not line.startswith(" "):
            current = None  # "Package files:", "Pinned packages:"
            continue
        if (match := _RELEASE_LINE.fullmatch(line)) and current is not None:
            pairs = (item.partition("=") for item in match.group(1).split(","))
            release = {key: value for key, sep, value in pairs if sep}
            current = AptSource(
                location=current.location,
                priority=current.priority,
                release=release,
                origin_host=current.origin_host,
            )
            sources[current.location] = current
        elif (match := _ORIGIN_LINE.fullmatch(line)) and current is not None:
            current = AptSource(
                location=current.location,
                priority=current.priority,
                release=current.release,
                origin_host=match.group(1),
            )
            sources[current.location] = current
        elif match := _PRIORITY_LINE.fullmatch(line):
            current = AptSource(location=match.group(2), priority=int(match.group(1)))
            sources.setdefault(current.location, current)
        else:
            rejections.reject(line_no, f"unexpected line {describe(line)!r}")
    return sources, rejections


def parse_apt_policy_packages(
    data: bytes, *, is_truncated: bool = False
) -> tuple[dict[str, AptPolicy], Rejections]:
    """Per package: the installed version and its sources.

    Keys are the names as apt prints them: ``libssl3`` or, when apt qualifies it,
    ``libssl3:amd64``.
    """
    rejections = Rejections("apt-cache policy (packages)")
    result: dict[str, AptPolicy] = {}
    name = installed = ""
    sources: list[str] = []
    in_installed = False

    def flush() -> None:
        if name and installed:
            result[name] = AptPolicy(name=name, installed=installed, sources=tuple(sources))

    for line_no, line in iter_lines(data, rejections, is_truncated=is_truncated):
        if not line.startswith(" "):
            flush()
            match = _PACKAGE_HEADER.fullmatch(line)
            name = match.group(1) if match else ""
            installed, sources, in_installed = "", [], False
            if not match or not DEB_NAME.fullmatch(name.split(":", 1)[0]):
                rejections.reject(line_no, f"unexpected line {describe(line)!r}")
                name = ""
            continue
        if not name:
            continue
        stripped = line.strip()
        if stripped.startswith("Installed:"):
            value = stripped.removeprefix("Installed:").strip()
            installed = value if DEB_VERSION.fullmatch(value) else ""
        elif stripped.startswith(("Candidate:", "Version table:")):
            continue
        elif match := _VERSION_LINE.fullmatch(line):
            in_installed = match.group(2) == installed
        elif (match := _PRIORITY_LINE.fullmatch(line)) and in_installed:
            sources.append(match.group(2))
        elif not _PRIORITY_LINE.fullmatch(line):
            rejections.reject(line_no, f"unexpected line {describe(line)!r}")
    flush()
    return result, rejections
