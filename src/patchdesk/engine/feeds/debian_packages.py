"""Debian archive metadata: ``Release`` / ``InRelease`` files and ``Packages`` indexes (pure).

* :func:`parse_release_file` — a suite's ``Origin``, ``Label``, ``Suite``, ``Codename`` and the
  SHA-256 of every index it lists (used to verify the downloaded ``Packages`` file);
* :func:`parse_packages_index` — one :class:`PackageIndexEntry` per binary package, with its
  source package and source version (``Source: openssl (3.0.11-1~deb12u2)`` for a binNMU);
* :func:`is_security_suite` — whether a suite carries security updates. This decides whether an
  update is a security update; whether its changelog names a CVE does not.

Parsing uses python-debian's deb822 reader, as apt-ftparchive and dak write these files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final

from debian.deb822 import Deb822

from patchdesk.engine.feeds.advisory_terms import check_version
from patchdesk.engine.feeds.result import ParseResult, Rejection
from patchdesk.engine.model.platform import PackageFormat

__all__ = [
    "DebianRelease",
    "PackageIndexEntry",
    "is_security_suite",
    "parse_packages_index",
    "parse_release_file",
]

_SOURCE_FIELD: Final = re.compile(r"(\S+)(?:\s+\((\S+)\))?")
_PACKAGE_NAME: Final = re.compile(r"[a-z0-9][a-z0-9.+-]*")


@dataclass(frozen=True, slots=True, kw_only=True)
class DebianRelease:
    """The header of a suite's ``Release`` file."""

    origin: str = ""
    label: str = ""
    suite: str = ""
    codename: str = ""
    version: str = ""
    date: datetime | None = None
    sha256: Mapping[str, tuple[str, int]] = field(default_factory=dict)  # path -> (hex, size)


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageIndexEntry:
    """One binary package of a ``Packages`` index."""

    package: str
    version: str
    architecture: str
    source: str  # the source package (the binary's own name when the field is absent)
    source_version: str  # the source version (the binary's version unless Source names one)
    filename: str  # relative to the repository root: "pool/updates/main/e/expat/…deb"
    size: int = 0
    sha256: str = ""


def _strip_signature(text: str) -> str:
    """The signed text of an ``InRelease`` file (OpenPGP clear-signed), or ``text`` itself."""
    if not text.startswith("-----BEGIN PGP SIGNED MESSAGE-----"):
        return text
    body = text.split("\n\n", 1)[1] if "\n\n" in text else ""
    return body.split("\n-----BEGIN PGP SIGNATURE-----", 1)[0]


def _release_date(text: str) -> datetime | None:
    """``Date: Tue, 24 Nov 2026 00:34:33 UTC`` (RFC 2822), timezone-aware; None if unreadable."""
    if not text.strip():
        return None
    try:
        parsed: datetime = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def parse_release_file(text: str) -> DebianRelease:
    """Read a ``Release`` or ``InRelease`` file. Unreadable lines are ignored."""
    paragraphs = list(Deb822.iter_paragraphs(_strip_signature(text).splitlines()))
    if not paragraphs:
        return DebianRelease()
    fields = paragraphs[0]
    sha256: dict[str, tuple[str, int]] = {}
    for line in fields.get("SHA256", "").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1].isdigit() and re.fullmatch(r"[0-9a-f]{64}", parts[0]):
            sha256[parts[2]] = (parts[0], int(parts[1]))
    return DebianRelease(
        origin=fields.get("Origin", "").strip(),
        label=fields.get("Label", "").strip(),
        suite=fields.get("Suite", "").strip(),
        codename=fields.get("Codename", "").strip(),
        version=fields.get("Version", "").strip(),
        date=_release_date(str(fields.get("Date", ""))),
        sha256=sha256,
    )


def is_security_suite(suite: str, release: DebianRelease | None = None) -> bool:
    """``bookworm-security``, ``oldstable-security``, ``buster/updates``; or a Release file
    whose label says so (``Debian-Security``, as the security archive labels itself)."""
    names = [suite]
    if release is not None:
        names += [release.suite, release.codename]
        if release.label.lower().endswith("-security"):
            return True
    return any(name.endswith(("-security", "/updates")) for name in names if name)


def _stanza_problem(
    stanza: Mapping[str, str], name: str, version: str, source_match: re.Match[str] | None
) -> str:
    checks = (
        (bool(name), "no Package field"),
        (bool(_PACKAGE_NAME.fullmatch(name)) and len(name) <= 256, f"invalid name {name[:80]!r}"),
        (bool(version), "no Version field"),
        (bool(stanza.get("Filename", "").strip()), "no Filename field"),
        (source_match is not None, "invalid Source field"),
        (stanza.get("Size", "0").strip().isdigit(), "invalid Size field"),
    )
    for passed, reason in checks:
        if not passed:
            return reason
    if source_match is None:  # for the type checker; reported above
        return "invalid Source field"
    problem = check_version(PackageFormat.DPKG, version)
    if problem is None and source_match.group(2):
        problem = check_version(PackageFormat.DPKG, source_match.group(2))
    return problem or ""


def parse_packages_index(text: str, *, location: str = "") -> ParseResult[PackageIndexEntry]:
    """Every stanza of a ``Packages`` file; a stanza with a missing or invalid field is rejected."""
    result: ParseResult[PackageIndexEntry] = ParseResult()
    source = "debian-packages"
    for number, stanza in enumerate(Deb822.iter_paragraphs(text.splitlines()), start=1):
        name = stanza.get("Package", "").strip()
        version = stanza.get("Version", "").strip()
        record_id = f"{name or '?'} {version}".strip()
        where = f"{location} stanza {number}".strip()
        source_match = _SOURCE_FIELD.fullmatch(stanza.get("Source", "").strip() or name)
        problem = _stanza_problem(stanza, name, version, source_match)
        if problem or source_match is None:
            result.rejected.append(
                Rejection(source=source, record_id=record_id, reason=problem, location=where)
            )
            continue
        result.records.append(
            PackageIndexEntry(
                package=name,
                version=version,
                architecture=stanza.get("Architecture", "").strip(),
                source=source_match.group(1),
                source_version=source_match.group(2) or version,
                filename=stanza["Filename"].strip(),
                size=int(stanza.get("Size", "0").strip()),
                sha256=stanza.get("SHA256", "").strip().lower(),
            )
        )
    return result
