"""Vocabulary shared by the advisory parsers: vulnerability ids, vendor severity words, versions.

* :data:`CVE_ID` / :func:`sort_cve_ids` — CVE ids as they appear in ``aliases``, ``related``,
  CSAF ``cve`` fields (``CVE-2026-102633``: the number can have more than four digits).
* :data:`CHANGELOG_ID` / :func:`extract_changelog_ids` — the ids Debian changelogs cite for
  security fixes: CVE, the pre-2005 ``CAN-`` candidates, and GitHub ``GHSA`` ids.
* :func:`map_redhat_severity` / :func:`map_level_severity` — Red Hat's four-step scale
  (Critical/Important/Moderate/Low) and the high/medium/low scales of Debian urgencies and
  Ubuntu priorities, normalised to :class:`~patchdesk.engine.model.VendorSeverity`.
* :func:`check_version` — validation of a vendor version with the version engine (and, for
  rpm, which compares almost any text, the ``[epoch:]version[-release]`` shape).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from patchdesk.engine import versions
from patchdesk.engine.model.advisory import VendorSeverity
from patchdesk.engine.model.platform import PackageFormat

__all__ = [
    "CHANGELOG_ID",
    "CVE_ID",
    "check_version",
    "extract_changelog_ids",
    "map_level_severity",
    "map_redhat_severity",
    "pick_highest_severity",
    "sort_cve_ids",
]

CVE_ID: Final = re.compile(r"CVE-(\d{4})-(\d{4,})")
_RPM_EVR: Final = re.compile(r"(?:\d{1,10}:)?[A-Za-z0-9._+~^]+(?:-[A-Za-z0-9._+~^]+)?")
_NAMED_CVE: Final = re.compile(r"(?:[A-Z]{2,16}-)?(CVE-(\d{4})-(\d{4,}))")
CHANGELOG_ID: Final = re.compile(
    r"\b(?:CVE|CAN)-\d{4}-\d{4,}|\bGHSA(?:-[23456789cfghjmpqrvwx]{4}){3}"
)

_REDHAT_WORDS: Final = {
    "critical": VendorSeverity.CRITICAL,
    "important": VendorSeverity.HIGH,
    "moderate": VendorSeverity.MEDIUM,
    "low": VendorSeverity.LOW,
}
_LEVEL_WORDS: Final = {
    "critical": VendorSeverity.CRITICAL,
    "high": VendorSeverity.HIGH,
    "important": VendorSeverity.HIGH,
    "medium": VendorSeverity.MEDIUM,
    "moderate": VendorSeverity.MEDIUM,
    "low": VendorSeverity.LOW,
    "negligible": VendorSeverity.NEGLIGIBLE,
    "unimportant": VendorSeverity.NEGLIGIBLE,  # Debian urgency
}
_RANK: Final = {
    VendorSeverity.UNKNOWN: 0,
    VendorSeverity.NEGLIGIBLE: 1,
    VendorSeverity.LOW: 2,
    VendorSeverity.MEDIUM: 3,
    VendorSeverity.HIGH: 4,
    VendorSeverity.CRITICAL: 5,
}


def sort_cve_ids(values: Iterable[str]) -> tuple[str, ...]:
    """The distinct values that are CVE ids, in (year, number) order; other values are ignored.

    ``UBUNTU-CVE-2024-6387`` and ``DEBIAN-CVE-2024-6387`` name the CVE they are about and count.
    """
    found: dict[str, tuple[int, int]] = {}
    for value in values:
        match = _NAMED_CVE.fullmatch(value.strip())
        if match is not None:
            found[match.group(1)] = (int(match.group(2)), int(match.group(3)))
    return tuple(sorted(found, key=found.__getitem__))


def extract_changelog_ids(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(cve_ids, other_ids)`` cited in changelog text.

    ``CAN-`` candidate ids are given as the CVE id they became (same number); GHSA ids are the
    "other" ids. Both tuples are sorted and without duplicates.
    """
    cves: list[str] = []
    others: set[str] = set()
    for match in CHANGELOG_ID.finditer(text):
        value = match.group(0)
        if value.startswith("GHSA"):
            others.add(value)
        else:
            cves.append("CVE-" + value[4:])
    return sort_cve_ids(cves), tuple(sorted(others))


def map_redhat_severity(word: str) -> VendorSeverity:
    """Red Hat's impact words (also AlmaLinux, Rocky Linux); anything else is UNKNOWN."""
    return _REDHAT_WORDS.get(word.strip().lower(), VendorSeverity.UNKNOWN)


def map_level_severity(word: str) -> VendorSeverity:
    """critical/high/medium/low/negligible words (Ubuntu priority, Debian urgency ``high**``)."""
    return _LEVEL_WORDS.get(word.strip().lower().rstrip("*"), VendorSeverity.UNKNOWN)


def pick_highest_severity(*severities: VendorSeverity) -> VendorSeverity:
    return max(severities, key=_RANK.__getitem__, default=VendorSeverity.UNKNOWN)


def check_version(version_format: PackageFormat, version: str) -> str | None:
    """Why ``version`` is not a valid version of ``version_format``, or None when it is."""
    if len(version) > 256:
        return f"{version_format} version is {len(version)} characters long"
    if version_format is PackageFormat.RPM and not _RPM_EVR.fullmatch(version):
        # rpm itself compares almost any text; an advisory's version must still be an EVR.
        return f"invalid rpm version {version!r}: not [epoch:]version[-release]"
    try:
        versions.sort_key(version_format, version)
    except versions.InvalidVersion as error:
        return f"invalid {version_format} version {version!r}: {error}"
    return None
