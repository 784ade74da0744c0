"""The ``debian-mirror`` source: air-gapped Debian mode from the desk and the command line.

With no vendor feed reachable, the fixes are read from the APT mirror itself
(:mod:`patchdesk.engine.feeds.debian_mirror`): for each Debian release the desk manages, the
packages installed on its servers (their latest scans) are compared with the mirror's indexes,
and the changelogs of the newer candidate ``.deb`` files give one advisory per entry (marked
``Confidence.CHANGELOG``; security when uploaded to the security suite). With no Debian server
yet, this machine's own installed packages are used.

Which mirror: the source's pasted sources (``options["sources_list"]``, one-line or deb822),
else its URL ``file:///PATH`` (an ``/etc/apt``-like directory, a ``*.sources`` or a ``*.list``
file), else this machine's ``/etc/apt`` (``sources.list`` and ``sources.list.d/*.list`` /
``*.sources``). Only the suites of each server's own release are read (``bookworm``,
``bookworm-updates``, ``bookworm-security``; not backports).

All derived advisories are imported in one all-or-nothing run with one report (``FeedSync``);
what could not be read (an index, a ``.deb``, a changelog) is listed in it. When no index
could be read at all (the mirror unreachable), the run fails and nothing changes.
"""

from __future__ import annotations

import logging
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Final
from urllib.parse import unquote, urlsplit

from django.utils import timezone

from patchdesk.desk.accounts.models import User
from patchdesk.desk.advisories.models import FeedSource, FeedSync
from patchdesk.desk.advisories.selectors import InstalledDebRow, debian_installed_packages
from patchdesk.desk.advisories.services import advisories_import
from patchdesk.engine.collect.commands import DPKG_QUERY
from patchdesk.engine.collect.dpkg import parse_dpkg_query
from patchdesk.engine.collect.platform_detect import parse_os_release
from patchdesk.engine.feeds.debian_changelog import SOURCE
from patchdesk.engine.feeds.debian_mirror import (
    fetch_changelog_advisories,
    fetch_mirror_indexes,
    select_update_candidates,
)
from patchdesk.engine.feeds.debian_sources import (
    AptSource,
    parse_apt_sources_text,
    read_apt_sources,
    read_apt_sources_path,
    sources_for_release,
)
from patchdesk.engine.feeds.debian_tracker import DEBIAN_RELEASES
from patchdesk.engine.feeds.http import HttpClient, UrllibHttpClient
from patchdesk.engine.feeds.result import ParseResult, Rejection
from patchdesk.engine.model import Advisory

logger = logging.getLogger(__name__)

__all__ = [
    "APT_DIRECTORY",
    "MirrorTarget",
    "debian_mirror_sync",
    "local_installed_packages",
    "mirror_apt_sources",
    "mirror_targets",
]

APT_DIRECTORY: Final = Path("/etc/apt")
OS_RELEASE: Final = Path("/etc/os-release")
_CODENAMES: Final = {number: codename for codename, number in DEBIAN_RELEASES.items()}
MirrorTarget = tuple[str, list[InstalledDebRow]]  # (platform key, installed packages)


def mirror_apt_sources(
    source: FeedSource, *, apt_directory: Path = APT_DIRECTORY
) -> ParseResult[AptSource]:
    """The APT sources this mirror source reads (see the module's docstring)."""
    text = str(source.options.get("sources_list") or "")
    if text.strip():
        return parse_apt_sources_text(text, origin=f"{source.name} sources")
    if source.url.startswith("file://"):
        path = Path(unquote(urlsplit(source.url).path))
        if not path.exists():
            result: ParseResult[AptSource] = ParseResult()
            result.rejected.append(
                Rejection(
                    source=SOURCE, record_id=str(path), reason="no such file", location=str(path)
                )
            )
            return result
        return read_apt_sources_path(path)
    return read_apt_sources(apt_directory)


def local_installed_packages(*, os_release: Path = OS_RELEASE) -> MirrorTarget | None:
    """This machine's installed packages and platform key, when it is Debian (else None)."""
    try:
        values = parse_os_release(os_release.read_text(encoding="utf-8").splitlines())
    except OSError:
        return None
    version = values.get("VERSION_ID", "").split(".")[0]
    if values.get("ID") != "debian" or not version:
        return None
    try:
        output = subprocess.run(  # noqa: S603 - the engine's own read-only dpkg-query command
            ["/bin/sh", "-c", DPKG_QUERY], capture_output=True, check=True, timeout=120
        ).stdout
    except (OSError, subprocess.SubprocessError) as error:
        logger.warning("debian-mirror: cannot list this machine's packages: %s", error)
        return None
    records, _ = parse_dpkg_query(output)
    return f"debian:{version}", [
        InstalledDebRow(
            name=r.name,
            version=r.version,
            arch=r.arch,
            source_name=r.source_name,
            source_version=r.source_version,
        )
        for r in records
    ]


def mirror_targets() -> list[MirrorTarget]:
    """The managed Debian servers' packages per release, else this machine's own."""
    found = debian_installed_packages()
    if found:
        return sorted(found.items())
    local = local_installed_packages()
    return [local] if local is not None else []


def _by_architecture(packages: list[InstalledDebRow]) -> dict[str, list[InstalledDebRow]]:
    """Packages per architecture; ``all`` packages go with the most common one."""
    counts = Counter(p.arch for p in packages if p.arch != "all")
    primary = counts.most_common(1)[0][0] if counts else "amd64"
    groups: dict[str, list[InstalledDebRow]] = {}
    for package in packages:
        groups.setdefault(primary if package.arch == "all" else package.arch, []).append(package)
    return groups


def _failed(source: FeedSource, error: str) -> list[FeedSync]:
    logger.warning("feed %s: %s", source.name, error)
    run = FeedSync.objects.create(
        source=source,
        trigger="sync",
        status=FeedSync.Status.FAILED,
        finished_at=timezone.now(),
        error=error[:2000],
    )
    return [run]


def debian_mirror_sync(
    source: FeedSource,
    *,
    client: HttpClient | None = None,
    actor: User | None = None,
    targets: list[MirrorTarget] | None = None,
    apt_directory: Path = APT_DIRECTORY,
) -> list[FeedSync]:
    """Derive the advisories of every managed Debian release from the mirror; import them."""
    started = time.monotonic()
    fetcher = client or UrllibHttpClient(timeout_s=120)
    apt = mirror_apt_sources(source, apt_directory=apt_directory)
    chosen = mirror_targets() if targets is None else targets
    if not chosen:
        return _failed(source, "no installed Debian packages to look at: no managed Debian "
                       "server has been scanned and this machine is not Debian")  # fmt: skip
    result: ParseResult[Advisory] = ParseResult(rejected=list(apt.rejected))
    indexes_read = packages = candidates_found = 0
    for platform_key, installed in chosen:
        codename = _CODENAMES.get(platform_key.removeprefix("debian:"), "")
        release_sources = sources_for_release(apt.records, codename) if codename else []
        if not release_sources:
            reason = f"no APT source lists a {codename or platform_key} suite"
            result.rejected.append(
                Rejection(source=SOURCE, record_id=platform_key, reason=reason, location="")
            )
            continue
        for architecture, group in sorted(_by_architecture(installed).items()):
            indexes = fetch_mirror_indexes(fetcher, release_sources, architecture=architecture)
            result.rejected += indexes.rejected
            indexes_read += len(indexes.records)
            candidates = select_update_candidates(group, indexes.records)
            derived = fetch_changelog_advisories(fetcher, candidates, platform_key=platform_key)
            result.extend(derived)
            packages += len(group)
            candidates_found += len(candidates)
    if indexes_read == 0:
        reasons = "; ".join(r.reason for r in result.rejected[:3]) or "no index"
        return _failed(source, f"no package index could be read from the mirror: {reasons}")
    run = advisories_import(source, result, trigger="sync", actor=actor)
    logger.info(
        "feed %s: %s packages on %s releases, %s candidates, %s advisories (%s new) in %.1f s",
        source.name,
        packages,
        len(chosen),
        candidates_found,
        len(result.records),
        run.added,
        time.monotonic() - started,
    )
    return [run]
