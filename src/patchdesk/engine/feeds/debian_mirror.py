"""Air-gapped Debian mode: fixed versions and ids from the package mirror itself (fetch layer).

For a host (or a set of identical hosts) on a Debian release, with no vendor feed reachable:

1. :func:`fetch_mirror_indexes` reads, for every configured source and suite, the ``Release``
   file (origin, label, checksums) and the ``Packages`` index of the architecture (``.xz``, else
   ``.gz``, else plain; verified against the Release file's SHA-256 when it lists one);
2. :func:`select_update_candidates` finds, for each installed binary package, the highest
   version any index offers, when it is newer than the installed one (APT's default choice);
3. :func:`fetch_changelog_advisories` downloads one ``.deb`` per (source, candidate version),
   verified against the index's SHA-256, reads its changelog (following a
   ``/usr/share/doc/P -> Q`` symlink to package Q of the same source), keeps the entries newer
   than the installed source version, and makes one advisory per entry
   (:func:`~patchdesk.engine.feeds.debian_changelog.build_changelog_advisories`).

:func:`sync_debian_mirror` runs the three. The HTTP client is passed in
(:class:`~patchdesk.engine.feeds.http.HttpClient`); the mirror comes from the sources passed in
(:func:`~patchdesk.engine.feeds.debian_sources.read_apt_sources` reads a machine's). A failing
index, download or changelog becomes a rejection; the other packages go on.
"""

from __future__ import annotations

import gzip
import lzma
import tempfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol

from patchdesk.engine import versions
from patchdesk.engine.feeds.deb_archive import DebArchiveError, read_deb_changelog
from patchdesk.engine.feeds.debian_changelog import (
    SOURCE,
    build_changelog_advisories,
    parse_debian_changelog,
)
from patchdesk.engine.feeds.debian_packages import (
    DebianRelease,
    PackageIndexEntry,
    is_security_suite,
    parse_packages_index,
    parse_release_file,
)
from patchdesk.engine.feeds.debian_sources import AptSource
from patchdesk.engine.feeds.http import FetchError, FetchErrorCode, HttpClient, fetch_bytes
from patchdesk.engine.feeds.result import ParseResult, Rejection
from patchdesk.engine.model.advisory import Advisory

__all__ = [
    "InstalledDeb",
    "MirrorIndex",
    "UpdateCandidate",
    "fetch_changelog_advisories",
    "fetch_mirror_indexes",
    "select_update_candidates",
    "sync_debian_mirror",
]

MAX_INDEX_BYTES: Final = 256 * 1024 * 1024
MAX_DEB_BYTES: Final = 512 * 1024 * 1024
_INDEX_VARIANTS: Final = (("Packages.xz", "xz"), ("Packages.gz", "gz"), ("Packages", ""))


class InstalledDeb(Protocol):
    """An installed binary package as the inventory knows it (``dpkg-query`` fields)."""

    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def arch(self) -> str: ...
    @property
    def source_name(self) -> str: ...
    @property
    def source_version(self) -> str: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class MirrorIndex:
    """One ``Packages`` index: where it came from and what it lists."""

    uri: str
    suite: str
    component: str
    release: DebianRelease | None
    security: bool  # from the suite name or the Release file's label
    entries: tuple[PackageIndexEntry, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateCandidate:
    """An installed package and the newer version the mirror offers for it."""

    package: str
    installed_version: str
    installed_source_version: str
    entry: PackageIndexEntry
    index: MirrorIndex

    @property
    def url(self) -> str:
        return f"{self.index.uri}/{self.entry.filename}"


def _unpack(data: bytes, compression: str) -> str:
    if compression == "xz":
        data = lzma.decompress(data)
    elif compression == "gz":
        data = gzip.decompress(data)
    return data.decode("utf-8", errors="replace")


def _fetch_index(
    client: HttpClient, source: AptSource, suite: str, url_xz: str, release: DebianRelease | None
) -> str:
    base = url_xz.removesuffix("Packages.xz")
    relative = base.removeprefix(source.release_url(suite).removesuffix("Release"))
    errors: list[str] = []
    for name, compression in _INDEX_VARIANTS:
        listed = release.sha256.get(relative + name) if release is not None else None
        if release is not None and release.sha256 and listed is None:
            continue  # the Release file lists every index it has; this variant is absent
        try:
            data = fetch_bytes(
                client,
                base + name,
                max_bytes=MAX_INDEX_BYTES,
                expected_sha256=listed[0] if listed else "",
            )
            return _unpack(data, compression)
        except (FetchError, lzma.LZMAError, OSError, EOFError, zlib.error) as error:
            errors.append(str(error)[:200])
    reason = "; ".join(errors) or "the Release file lists no Packages index here"
    raise FetchError(FetchErrorCode.HTTP_STATUS, base + "Packages", reason)


def fetch_mirror_indexes(
    client: HttpClient, sources: Iterable[AptSource], *, architecture: str
) -> ParseResult[MirrorIndex]:
    """Every binary ``Packages`` index of ``sources`` for ``architecture`` (e.g. ``amd64``)."""
    result: ParseResult[MirrorIndex] = ParseResult()
    for source in sources:
        if not source.binary:
            continue
        for suite in source.suites:
            try:
                release_text = fetch_bytes(
                    client, source.release_url(suite), max_bytes=MAX_INDEX_BYTES
                ).decode("utf-8", errors="replace")
                release: DebianRelease | None = parse_release_file(release_text)
            except FetchError:
                release = None  # a repository without a Release file is still readable
            for component, url in source.index_urls(suite, architecture):
                where = f"{source.uri} {suite} {component}".strip()
                try:
                    text = _fetch_index(client, source, suite, url, release)
                except FetchError as error:
                    result.rejected.append(
                        Rejection(
                            source=SOURCE, record_id=where, reason=str(error)[:300], location=where
                        )
                    )
                    continue
                parsed = parse_packages_index(text, location=where)
                result.rejected += parsed.rejected
                result.records.append(
                    MirrorIndex(
                        uri=source.uri,
                        suite=suite,
                        component=component,
                        release=release,
                        security=is_security_suite(suite, release),
                        entries=tuple(parsed.records),
                    )
                )
    return result


def select_update_candidates(
    installed: Iterable[InstalledDeb], indexes: Sequence[MirrorIndex]
) -> list[UpdateCandidate]:
    """For each installed package, the highest version offered, when newer than installed.

    A package of architecture ``all`` matches an index entry of any architecture and the other
    way round, as APT does. Equal versions in several indexes: a security suite wins.
    """
    offers: dict[str, list[tuple[PackageIndexEntry, MirrorIndex]]] = {}
    for index in indexes:
        for entry in index.entries:
            offers.setdefault(entry.package, []).append((entry, index))
    candidates: list[UpdateCandidate] = []
    for package in sorted(installed, key=lambda p: (p.name, p.arch)):
        best: tuple[PackageIndexEntry, MirrorIndex] | None = None
        for entry, index in offers.get(package.name, ()):
            if (
                "all" not in {entry.architecture, package.arch}
                and entry.architecture != package.arch
            ):
                continue
            if best is None:
                best = (entry, index)
                continue
            order = versions.compare("dpkg", entry.version, best[0].version)
            if order > 0 or (order == 0 and index.security and not best[1].security):
                best = (entry, index)
        if best is not None and versions.compare("dpkg", best[0].version, package.version) > 0:
            candidates.append(
                UpdateCandidate(
                    package=package.name,
                    installed_version=package.version,
                    installed_source_version=package.source_version or package.version,
                    entry=best[0],
                    index=best[1],
                )
            )
    return candidates


def _changelog_text(
    client: HttpClient, candidate: UpdateCandidate, workdir: Path
) -> tuple[str, str]:
    """The changelog of the candidate's source version, following doc-directory symlinks."""
    entry, package = candidate.entry, candidate.entry.package
    for _ in range(3):
        target = workdir / f"{entry.package}.deb"
        client.fetch(
            f"{candidate.index.uri}/{entry.filename}",
            destination=target,
            expected_sha256=entry.sha256,
            max_bytes=MAX_DEB_BYTES,
        )
        doc = read_deb_changelog(target, package)
        target.unlink(missing_ok=True)
        if doc.changelog is not None:
            return doc.changelog, doc.changelog_path
        if not doc.doc_symlink:
            raise DebArchiveError(f"no changelog in /usr/share/doc/{package}")
        sibling = next(
            (
                e
                for e in candidate.index.entries
                if e.package == doc.doc_symlink
                and e.source == entry.source
                and e.source_version == entry.source_version
            ),
            None,
        )
        if sibling is None:
            raise DebArchiveError(
                f"/usr/share/doc/{package} links to {doc.doc_symlink}, not in the same index"
            )
        entry, package = sibling, sibling.package
    raise DebArchiveError("too many doc-directory symlinks")


def fetch_changelog_advisories(
    client: HttpClient, candidates: Iterable[UpdateCandidate], *, platform_key: str
) -> ParseResult[Advisory]:
    """Advisories from the changelogs of the candidates, one download per source version."""
    result: ParseResult[Advisory] = ParseResult()
    by_source: dict[tuple[str, str], list[UpdateCandidate]] = {}
    for candidate in candidates:
        key = (candidate.entry.source, candidate.entry.source_version)
        by_source.setdefault(key, []).append(candidate)
    with tempfile.TemporaryDirectory(prefix="patchdesk-deb-") as directory:
        for (source_name, source_version), group in sorted(by_source.items()):
            group.sort(key=lambda c: c.package)
            installed = min(
                (c.installed_source_version for c in group),
                key=lambda version: versions.sort_key("dpkg", version),
            )
            record_id = f"{source_name}/{source_version}"
            try:
                text, path = _changelog_text(client, group[0], Path(directory))
            except (FetchError, DebArchiveError) as error:
                result.rejected.append(
                    Rejection(
                        source=SOURCE,
                        record_id=record_id,
                        reason=str(error)[:300],
                        location=group[0].url,
                    )
                )
                continue
            parsed = parse_debian_changelog(text, newer_than=installed, location=path)
            result.rejected += parsed.rejected
            result.records += build_changelog_advisories(
                parsed.records,
                platform_key=platform_key,
                from_security_suite=group[0].index.security,
            )
    return result


def sync_debian_mirror(
    client: HttpClient,
    *,
    sources: Iterable[AptSource],
    installed: Iterable[InstalledDeb],
    platform_key: str,
    architecture: str,
) -> ParseResult[Advisory]:
    """All three steps: indexes, candidates, changelog advisories (with every rejection)."""
    indexes = fetch_mirror_indexes(client, sources, architecture=architecture)
    candidates = select_update_candidates(installed, indexes.records)
    result = fetch_changelog_advisories(client, candidates, platform_key=platform_key)
    result.rejected[:0] = indexes.rejected
    return result
