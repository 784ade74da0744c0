"""Parse rpm package data: ``rpm -qa`` (installed packages) and the repository each came from
(``dnf repoquery --installed``, yum-utils ``repoquery``, ``zypper search``). Pure functions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from patchdesk.engine import versions
from patchdesk.engine.collect.lines import Rejections, describe, iter_lines

__all__ = [
    "NO_REPOSITORY",
    "RpmRecord",
    "format_evr",
    "parse_repoquery",
    "parse_rpm_query",
    "parse_zypper_installed",
]

RPM_NAME: Final = re.compile(r"[A-Za-z0-9_+][A-Za-z0-9._+-]{0,254}")
RPM_VERSION: Final = re.compile(r"[A-Za-z0-9._+~^]{1,128}")
RPM_ARCH: Final = re.compile(r"[A-Za-z0-9_]{1,32}")
_EPOCH: Final = re.compile(r"\d{1,9}")
_SOURCE_RPM: Final = re.compile(
    r"(?P<name>[A-Za-z0-9_+][A-Za-z0-9._+-]*)-(?P<version>[^-]+)-(?P<release>[^-]+)"
    r"\.(?:no)?src\.rpm"
)
_PSEUDO_PACKAGES: Final = frozenset({"gpg-pubkey", "gpg-pubkey-release"})
_MAX_TEXT: Final = 256

NO_REPOSITORY: Final = frozenset(
    {"", "@system", "system", "<unknown>", "(none)", "installed", "@commandline", "commandline"}
)
"""Repository names that mean "installed from a file, not from a repository"."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RpmRecord:
    name: str
    epoch: int
    version: str
    release: str
    arch: str
    vendor: str
    source_rpm: str
    source_name: str


def format_evr(epoch: int, version: str, release: str) -> str:
    """``[epoch:]version-release``, the epoch written only when it is not 0."""
    evr = f"{version}-{release}"
    return f"{epoch}:{evr}" if epoch else evr


def _epoch(text: str) -> int | None:
    if text in ("(none)", ""):
        return 0
    return int(text) if _EPOCH.fullmatch(text) else None


def _printable(text: str) -> str:
    return "" if text == "(none)" else text[:_MAX_TEXT]


def parse_rpm_query(
    data: bytes, *, is_truncated: bool = False
) -> tuple[list[RpmRecord], Rejections]:
    """Installed packages from :data:`~patchdesk.engine.collect.commands.RPM_QUERY` output.

    ``gpg-pubkey`` entries (imported signing keys, not packages) are skipped.
    """
    rejections = Rejections("rpm -qa")
    records: list[RpmRecord] = []
    for line_no, line in iter_lines(data, rejections, is_truncated=is_truncated):
        fields = line.split("\t")
        if len(fields) != 7:
            rejections.reject(line_no, f"expected 7 fields, got {len(fields)}")
            continue
        name, epoch_text, version, release, arch, vendor, source_rpm = fields
        if name in _PSEUDO_PACKAGES:
            continue
        epoch = _epoch(epoch_text)
        source = _SOURCE_RPM.fullmatch(source_rpm)
        problem = None
        if not RPM_NAME.fullmatch(name):
            problem = f"invalid package name {describe(name)!r}"
        elif epoch is None:
            problem = f"invalid epoch {describe(epoch_text)!r} of {name}"
        elif not (RPM_VERSION.fullmatch(version) and RPM_VERSION.fullmatch(release)):
            problem = f"invalid version {describe(version + '-' + release)!r} of {name}"
        elif not RPM_ARCH.fullmatch(arch):
            problem = f"invalid architecture {describe(arch)!r} of {name}"
        elif source_rpm not in ("(none)", "") and source is None:
            problem = f"invalid source rpm {describe(source_rpm)!r} of {name}"
        else:
            try:
                versions.parse("rpm", format_evr(epoch, version, release))
            except versions.InvalidVersion as exc:
                problem = f"invalid version of {name}: {exc.reason}"
        if problem or epoch is None:
            rejections.reject(line_no, problem or "invalid")
            continue
        records.append(
            RpmRecord(
                name=name,
                epoch=epoch,
                version=version,
                release=release,
                arch=arch,
                vendor=_printable(vendor),
                source_rpm=_printable(source_rpm),
                source_name=source.group("name") if source else name,
            )
        )
    return records, rejections


def parse_repoquery(
    data: bytes, *, source: str, is_truncated: bool = False
) -> tuple[dict[tuple[str, str, str], str], Rejections]:
    """``(name, arch, evr) → repository`` from dnf or yum-utils ``repoquery``.

    The repository is lower-cased without yum's ``@`` and ``/release`` decorations
    (``@anaconda/7.9`` → ``anaconda``); see :data:`NO_REPOSITORY` for "no repository".
    """
    rejections = Rejections(source)
    repos: dict[tuple[str, str, str], str] = {}
    for line_no, line in iter_lines(data, rejections, is_truncated=is_truncated):
        fields = line.split("\t")
        if len(fields) != 6:
            rejections.reject(line_no, f"expected 6 fields, got {len(fields)}")
            continue
        name, epoch_text, version, release, arch, repo = fields
        epoch = _epoch(epoch_text)
        if not RPM_NAME.fullmatch(name) or epoch is None or not RPM_ARCH.fullmatch(arch):
            rejections.reject(line_no, f"invalid package {describe(line)!r}")
            continue
        if not (RPM_VERSION.fullmatch(version) and RPM_VERSION.fullmatch(release)):
            rejections.reject(line_no, f"invalid version of {name}")
            continue
        repo = repo.strip().removeprefix("@").split("/", 1)[0].lower()[:_MAX_TEXT]
        repos[(name, arch, format_evr(epoch, version, release))] = repo
    return repos, rejections


def parse_zypper_installed(
    data: bytes, *, is_truncated: bool = False
) -> tuple[dict[tuple[str, str, str], str], Rejections]:
    """``(name, arch, evr) → repository alias`` from ``zypper search -i -s -t package``.

    ``(System Packages)`` (installed from a file) becomes ``@system``.
    """
    rejections = Rejections("zypper search")
    repos: dict[tuple[str, str, str], str] = {}
    for line_no, line in iter_lines(data, rejections, is_truncated=is_truncated):
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) != 6 or cells[0] in ("S", "") or set(line) <= set("-+"):
            continue
        _, name, kind, evr, arch, repo = cells
        if kind != "package":
            continue
        if not RPM_NAME.fullmatch(name) or not RPM_ARCH.fullmatch(arch):
            rejections.reject(line_no, f"invalid package {describe(line)!r}")
            continue
        repo = "@system" if repo == "(System Packages)" else repo.lower()[:_MAX_TEXT]
        repos[(name, arch, evr)] = repo
    return repos, rejections
