"""Reads of advisories, vulnerability facts and feeds, with the verdicts of their CVEs.

Advisories and facts are public data (not customer data); the counts of affected servers
are the only customer-related figures here and are meant for operators.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)

from patchdesk.desk.advisories.feeds import source_is_syncable
from patchdesk.desk.advisories.models import (
    Advisory,
    AdvisoryCve,
    AffectedPackage,
    CvssAssessment,
    FeedSource,
    FeedSync,
    Vulnerability,
    VulnerabilityCwe,
)
from patchdesk.desk.findings.models import Classification, Finding, FindingState
from patchdesk.engine.model.classification import SecurityLevel

__all__ = [
    "ADVISORIES_PER_PAGE",
    "AdvisoryRow",
    "advisories_naming",
    "advisory_affected_by_platform",
    "advisory_cve_ids",
    "advisory_get",
    "advisory_list",
    "advisory_platform_keys",
    "advisory_rows",
    "classifications_of",
    "feed_source_get",
    "feed_source_list",
    "feed_source_row",
    "feed_sync_list",
    "vulnerability_get",
]

ADVISORIES_PER_PAGE = 50

_ORDER = [
    SecurityLevel.OUT_OF_SCOPE.value,
    SecurityLevel.NEEDS_REVIEW.value,
    SecurityLevel.MEDIUM.value,
    SecurityLevel.HIGH.value,
]


def _with_level(levels: list[str]) -> Q:
    """Advisories with a CVE (or, naming none, their own id) classified at one of ``levels``."""
    verdict = Classification.objects.filter(cve_id=OuterRef("cve_id"), level__in=levels)
    named = Exists(AdvisoryCve.objects.filter(advisory=OuterRef("pk")).filter(Exists(verdict)))
    own = Exists(Classification.objects.filter(cve_id=OuterRef("advisory_id"), level__in=levels))
    no_cves = ~Exists(AdvisoryCve.objects.filter(advisory=OuterRef("pk")))
    return Q(named) | Q(no_cves, own)


def _highest_level_is(level: str) -> Q:
    """The highest level among the advisory's verdicts is ``level`` (semi-joins, no per-row
    subquery: fast on large advisory tables)."""
    higher = _ORDER[_ORDER.index(level) + 1 :]
    condition = _with_level([level])
    if higher:
        condition &= ~_with_level(higher)
    return condition


def advisory_list(
    *, search: str = "", platform_key: str = "", level: str = ""
) -> QuerySet[Advisory]:
    """Advisories, newest confirmed first; ``level`` keeps those whose highest verdict it is."""
    queryset = Advisory.objects.all()
    if platform_key:
        queryset = queryset.filter(
            Exists(
                AffectedPackage.objects.filter(advisory=OuterRef("pk"), platform_key=platform_key)
            )
        )
    if level in _ORDER:
        queryset = queryset.filter(_highest_level_is(level))
    term = search.strip()
    if term:
        queryset = queryset.filter(
            Q(advisory_id__icontains=term)
            | Exists(AdvisoryCve.objects.filter(advisory=OuterRef("pk"), cve_id__iexact=term))
            | Exists(AffectedPackage.objects.filter(advisory=OuterRef("pk"), package=term))
        )
    return queryset.order_by("-first_seen_at", "-published_at", "advisory_id")


def _top_levels(advisories: list[Advisory]) -> dict[int, str]:
    """The highest verdict of each advisory (its CVEs, or its own id when it names none)."""
    ids_by_advisory: dict[int, set[str]] = defaultdict(set)
    for advisory_pk, cve in AdvisoryCve.objects.filter(
        advisory_id__in=[a.pk for a in advisories]
    ).values_list("advisory_id", "cve_id"):
        ids_by_advisory[advisory_pk].add(cve)
    for advisory in advisories:
        ids_by_advisory.setdefault(advisory.pk, {advisory.advisory_id})
    wanted = {cve for ids in ids_by_advisory.values() for cve in ids}
    levels = dict(Classification.objects.filter(cve_id__in=wanted).values_list("cve_id", "level"))
    top: dict[int, str] = {}
    for advisory_pk, ids in ids_by_advisory.items():
        found = [levels[cve] for cve in ids if levels.get(cve) in _ORDER]
        if found:
            top[advisory_pk] = max(found, key=_ORDER.index)
    return top


@dataclass(frozen=True, slots=True, kw_only=True)
class AdvisoryRow:
    advisory: Advisory
    platforms: list[str] = field(default_factory=list)
    cve_count: int = 0
    server_count: int = 0
    top_level: str = ""


def advisory_rows(advisories: list[Advisory]) -> list[AdvisoryRow]:
    """One page of advisories with their platforms, CVE counts and affected servers."""
    ids = [advisory.pk for advisory in advisories]
    top = _top_levels(advisories)
    platforms: dict[int, set[str]] = defaultdict(set)
    for advisory_pk, key in (
        AffectedPackage.objects.filter(advisory_id__in=ids)
        .values_list("advisory_id", "platform_key")
        .distinct()
    ):
        platforms[advisory_pk].add(key)
    cves = dict(
        AdvisoryCve.objects.filter(advisory_id__in=ids)
        .order_by()
        .values("advisory_id")
        .annotate(total=Count("pk"))
        .values_list("advisory_id", "total")
    )
    servers = dict(
        Finding.objects.filter(advisory_id__in=ids)
        .exclude(state=FindingState.FIXED)
        .order_by()
        .values("advisory_id")
        .annotate(total=Count("server_id", distinct=True))
        .values_list("advisory_id", "total")
    )
    return [
        AdvisoryRow(
            advisory=advisory,
            platforms=sorted(platforms[advisory.pk]),
            cve_count=cves.get(advisory.pk, 0),
            server_count=servers.get(advisory.pk, 0),
            top_level=top.get(advisory.pk, ""),
        )
        for advisory in advisories
    ]


def advisory_platform_keys() -> list[str]:
    """Every OS release an advisory names (for the platform filter)."""
    return sorted(
        AffectedPackage.objects.order_by().values_list("platform_key", flat=True).distinct()
    )


def advisory_get(pk: int) -> Advisory:
    return Advisory.objects.get(pk=pk)


def advisory_affected_by_platform(advisory: Advisory) -> list[tuple[str, list[AffectedPackage]]]:
    grouped: dict[str, list[AffectedPackage]] = defaultdict(list)
    for row in advisory.affected.order_by("platform_key", "package", "pk"):
        grouped[row.platform_key].append(row)
    return sorted(grouped.items())


def advisory_cve_ids(advisory: Advisory) -> list[str]:
    """The CVEs the advisory names; its own id when it names none (how it is classified)."""
    ids = sorted(advisory.cves.values_list("cve_id", flat=True))
    return ids or [advisory.advisory_id]


def classifications_of(ids: list[str]) -> dict[str, Classification]:
    return {row.cve_id: row for row in Classification.objects.filter(cve_id__in=ids)}


def advisories_naming(cve_id: str) -> QuerySet[Advisory]:
    """Advisories that name ``cve_id`` (or carry it as their own id)."""
    return Advisory.objects.filter(
        Q(Exists(AdvisoryCve.objects.filter(advisory=OuterRef("pk"), cve_id=cve_id)))
        | Q(advisory_id=cve_id)
    ).order_by("-first_seen_at", "advisory_id")


def vulnerability_get(cve_id: str) -> Vulnerability | None:
    """The facts known about one CVE (its CWEs and CVSS assessments prefetched)."""
    return (
        Vulnerability.objects.filter(cve_id=cve_id)
        .prefetch_related(
            Prefetch("cwes", queryset=VulnerabilityCwe.objects.order_by("provider", "cwe_id")),
            Prefetch("cvss", queryset=CvssAssessment.objects.order_by("provider", "version")),
        )
        .first()
    )


# --- feeds -----------------------------------------------------------------------------------


def feed_source_list() -> QuerySet[FeedSource]:
    """Every configured source with the status and time of its latest run."""
    latest = FeedSync.objects.filter(source=OuterRef("pk")).order_by("-started_at", "-pk")
    return FeedSource.objects.annotate(
        last_status=Subquery(latest.values("status")[:1]),
        last_run_at=Subquery(latest.values("started_at")[:1]),
    ).order_by("name")


def feed_source_get(pk: int) -> FeedSource:
    return FeedSource.objects.get(pk=pk)


def feed_source_row(pk: int) -> FeedSource:
    """One source as :func:`feed_source_list` gives it (with its latest run)."""
    return feed_source_list().get(pk=pk)


def feed_sources_by_ids(ids: list[int]) -> list[FeedSource]:
    return list(FeedSource.objects.filter(pk__in=ids).order_by("name"))


def feed_sources_enabled() -> list[FeedSource]:
    """The enabled sources that can be synced (a URL, or a mirror source: default /etc/apt)."""
    return [
        source
        for source in FeedSource.objects.filter(is_enabled=True).order_by("name")
        if source_is_syncable(source.kind, source.url)
    ]


def feed_sync_list(*, limit: int = 30) -> QuerySet[FeedSync]:
    return FeedSync.objects.select_related("source").order_by("-started_at", "-pk")[:limit]


def feed_sync_get(pk: int) -> FeedSync:
    return FeedSync.objects.select_related("source").get(pk=pk)


# --- the debian-mirror source ------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class InstalledDebRow:
    """An installed binary package (the engine's ``InstalledDeb``), from a server's last scan."""

    name: str
    version: str
    arch: str
    source_name: str
    source_version: str


def debian_installed_packages() -> dict[str, list[InstalledDebRow]]:
    """Per Debian platform key (``debian:12``), the distinct packages installed on the managed
    servers of that release, as their latest successful scans found them (the fleet keeps no
    others)."""
    from patchdesk.desk.fleet.models import InstalledPackage

    rows = (
        InstalledPackage.objects.filter(
            server__is_managed=True,
            server__platform__key__startswith="debian:",
        )
        .values_list(
            "server__platform__key", "name", "version", "arch", "source_name", "source_version"
        )
        .distinct()
        .order_by("server__platform__key", "name", "arch", "version")
    )
    found: dict[str, list[InstalledDebRow]] = {}
    for key, name, version, arch, source_name, source_version in rows:
        found.setdefault(key, []).append(
            InstalledDebRow(
                name=name,
                version=version,
                arch=arch,
                source_name=source_name,
                source_version=source_version,
            )
        )
    return found
