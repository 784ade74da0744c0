"""Debian changelogs -> fixed versions and vulnerability ids (air-gapped mode, pure).

Without a vendor feed, the changelog shipped in a package (``changelog.Debian.gz``) still says
which upload fixed what. Each entry ("upload")::

    expat (2.5.0-1+deb12u5) bookworm-security; urgency=medium

      * Backport upstream security patches:
        - CVE-2026-56132: Fix out-of-bound scaffolding index store in doProlog.

     -- Maintainer <m@example.org>  Mon, 23 Nov 2026 10:00:00 +0100

becomes a :class:`ChangelogEntry` with the ids it cites (:data:`~patchdesk.engine.feeds.
advisory_terms.CHANGELOG_ID`: CVE numbers with 4+ digits, old ``CAN-`` ids given as the CVE
they became, GHSA ids) and the bugs it closes. :func:`parse_debian_changelog` keeps the entries
newer than the installed version (dpkg order, by the version engine), and
:func:`build_changelog_advisories` turns each into an advisory ``<source>/<version>`` with
:attr:`~patchdesk.engine.model.Confidence.CHANGELOG`: lower trust than a vendor feed, since a
mentioned CVE is usually, not always, fixed by that upload.

Whether an upload is a security update comes from the suite it was uploaded to
(``bookworm-security``) — or the security suite the candidate was found in — never from
whether a CVE id appears: xz-utils cites only a GHSA id, unzip only ``CAN-`` ids, and point
release uploads to ``bookworm`` often name CVEs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final

from patchdesk.engine import versions
from patchdesk.engine.feeds.advisory_terms import check_version, extract_changelog_ids
from patchdesk.engine.feeds.debian_packages import is_security_suite
from patchdesk.engine.feeds.result import ParseResult, Rejection
from patchdesk.engine.model.advisory import (
    Advisory,
    AdvisoryKind,
    AffectedPackage,
    Confidence,
    FixStatus,
    PackageNameKind,
)
from patchdesk.engine.model.platform import PackageFormat

__all__ = ["ChangelogEntry", "build_changelog_advisories", "parse_debian_changelog"]

SOURCE = "debian-changelog"


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangelogEntry:
    """One upload in a Debian changelog."""

    source: str  # the source package
    version: str
    distributions: tuple[str, ...]  # ("bookworm-security",)
    urgency: str = ""
    date: datetime | None = None
    maintainer: str = ""
    changes: str = ""
    cve_ids: tuple[str, ...] = ()
    other_ids: tuple[str, ...] = ()  # GHSA ids
    closes: tuple[int, ...] = ()  # Debian bugs closed

    @property
    def is_security_upload(self) -> bool:
        return any(is_security_suite(suite) for suite in self.distributions)


def _date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        parsed: datetime = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


# deb-changelog(5): "package (version) distributions; metadata", then change lines, then the
# trailer " -- maintainer <email>  date".
_HEADER: Final = re.compile(
    r"(?P<package>[a-z0-9][a-z0-9.+-]*) \((?P<version>[^()]*)\)(?P<dists>[^;]*);(?P<meta>.*)"
)
_TRAILER: Final = re.compile(r" -- (?P<maintainer>.*?)  (?P<date>.*)")
_URGENCY: Final = re.compile(r"\burgency=(\S+)", re.IGNORECASE)
_CLOSES: Final = re.compile(r"closes:\s*(?:bug)?#?\s?\d+(?:,\s*(?:bug)?#?\s?\d+)*", re.IGNORECASE)


@dataclass(slots=True)
class _Block:
    header: re.Match[str]
    number: int
    lines: list[str] = field(default_factory=list)
    trailer: re.Match[str] | None = None


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    for line in text.splitlines():
        if header := _HEADER.fullmatch(line.rstrip()):
            blocks.append(_Block(header=header, number=len(blocks) + 1))
        elif not blocks or blocks[-1].trailer is not None:
            continue  # text before the first entry, or between a trailer and the next header
        elif trailer := _TRAILER.fullmatch(line.rstrip()):
            blocks[-1].trailer = trailer
        else:
            blocks[-1].lines.append(line)
    return blocks


def _entry(block: _Block) -> ChangelogEntry:
    header, trailer = block.header, block.trailer
    changes = "\n".join(line.rstrip() for line in block.lines if line.strip())
    cve_ids, other_ids = extract_changelog_ids(changes)
    urgency = _URGENCY.search(header["meta"])
    closes = {
        int(bug) for match in _CLOSES.finditer(changes) for bug in re.findall(r"\d+", match[0])
    }
    return ChangelogEntry(
        source=header["package"],
        version=header["version"],
        distributions=tuple(header["dists"].split()),
        urgency=urgency[1].lower() if urgency else "",
        date=_date(trailer["date"]) if trailer else None,
        maintainer=trailer["maintainer"].strip() if trailer else "",
        changes=changes,
        cve_ids=cve_ids,
        other_ids=other_ids,
        closes=tuple(sorted(closes)),
    )


def parse_debian_changelog(
    text: str | bytes, *, newer_than: str | None = None, location: str = ""
) -> ParseResult[ChangelogEntry]:
    """The entries of a Debian changelog, newest first.

    ``newer_than``: the installed (source) version; entries up to and including it are left out
    (the first such entry ends the reading, as changelogs are newest first). An entry whose
    version is invalid is rejected; the entries after it are still read. Text that is no entry
    (an old-style trailer, an editor's local variables) is skipped.
    """
    result: ParseResult[ChangelogEntry] = ParseResult()
    if newer_than is not None and (problem := check_version(PackageFormat.DPKG, newer_than)):
        reason = f"installed version: {problem}"
        result.rejected.append(Rejection(source=SOURCE, record_id=location or "?", reason=reason))
        return result
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    for block in _blocks(text):
        package, version = block.header["package"], block.header["version"]
        if problem := check_version(PackageFormat.DPKG, version):
            where = f"{location} entry {block.number}".strip()
            result.rejected.append(
                Rejection(
                    source=SOURCE, record_id=f"{package}/{version}", reason=problem, location=where
                )
            )
            continue
        if newer_than is not None and versions.compare("dpkg", version, newer_than) <= 0:
            break
        result.records.append(_entry(block))
    return result


def _summary(entry: ChangelogEntry) -> str:
    for line in entry.changes.splitlines():
        stripped = line.strip().lstrip("*-+ ").strip()
        if stripped:
            return stripped[:200]
    return f"{entry.source} {entry.version}"


def build_changelog_advisories(
    entries: Sequence[ChangelogEntry],
    *,
    platform_key: str,
    from_security_suite: bool = False,
    source: str = SOURCE,
) -> list[Advisory]:
    """One advisory per entry: the source package is fixed at the entry's version.

    ``from_security_suite``: the newest entry is the candidate found in a security suite (the
    index's suite or Release label said so); it counts as a security update whatever its
    changelog line says. Older entries count as security updates when they were uploaded to a
    security suite.
    """
    advisories: list[Advisory] = []
    for index, entry in enumerate(entries):
        security = entry.is_security_upload or (from_security_suite and index == 0)
        references: Iterable[str] = (f"https://bugs.debian.org/{bug}" for bug in entry.closes)
        header = f"{entry.source} ({entry.version}) {' '.join(entry.distributions)}".strip()
        advisories.append(
            Advisory(
                id=f"{entry.source}/{entry.version}",
                source=source,
                summary=_summary(entry),
                details=f"{header}; urgency={entry.urgency}\n\n{entry.changes}",
                published_at=entry.date,
                cve_ids=entry.cve_ids,
                references=tuple(references),
                affected=(
                    AffectedPackage(
                        platform_key=platform_key,
                        package=entry.source,
                        name_kind=PackageNameKind.SOURCE,
                        version_format=PackageFormat.DPKG,
                        status=FixStatus.FIXED,
                        fixed_version=entry.version,
                    ),
                ),
                confidence=Confidence.CHANGELOG,
                aliases=entry.other_ids,
                kind=AdvisoryKind.SECURITY if security else AdvisoryKind.BUGFIX,
            )
        )
    return advisories
