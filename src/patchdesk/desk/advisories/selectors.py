"""Reads of advisories, vulnerability facts and feeds, with the verdicts of their CVEs.

Advisories and facts are public data (not customer data); the counts of affected servers
are the only customer-related figures here and are meant for operators.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

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

_RANK = Case(
    When(level=SecurityLevel.HIGH.value, then=Value(3)),
    When(level=SecurityLevel.MEDIUM.value, then=Value(2)),
    When(level=SecurityLevel.NEEDS_REVIEW.value, then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)


def _top_level() -> Subquery:
    """The highest level among the advisory's CVEs (or its own id when it names none)."""
    cves = AdvisoryCve.objects.filter(advisory_id=OuterRef(OuterRef("pk"))).values("cve_id")
    verdicts = (
        Classification.objects.filter(Q(cve_id__in=cves) | Q(cve_id=OuterRef("advisory_id")))
        .annotate(rank=_RANK)
        .order_by("-rank")
        .values("level")[:1]
    )
    return Subquery(verdicts)


def advisory_list(
    *, search: str = "", platform_key: str = "", level: str = ""
) -> QuerySet[Advisory]:
    """Advisories, newest confirmed first, each with the highest level of its CVEs."""
    queryset = Advisory.objects.annotate(top_level=_top_level())
    if platform_key:
        queryset = queryset.filter(
            Exists(
                AffectedPackage.objects.filter(advisory=OuterRef("pk"), platform_key=platform_key)
            )
        )
    if level:
        queryset = queryset.filter(top_level=level)
    term = search.strip()
    if term:
        queryset = queryset.filter(
            Q(advisory_id__icontains=term)
            | Exists(AdvisoryCve.objects.filter(advisory=OuterRef("pk"), cve_id__iexact=term))
            | Exists(AffectedPackage.objects.filter(advisory=OuterRef("pk"), package=term))
        )
    return queryset.order_by("-first_seen_at", "-published_at", "advisory_id")


@dataclass(frozen=True, slots=True, kw_only=True)
class AdvisoryRow:
    advisory: Advisory
    platforms: list[str] = field(default_factory=list)
    cve_count: int = 0
    server_count: int = 0

    @property
    def top_level(self) -> str:
        return str(getattr(self.advisory, "top_level", "") or "")


def advisory_rows(advisories: list[Advisory]) -> list[AdvisoryRow]:
    """One page of advisories with their platforms, CVE counts and affected servers."""
    ids = [advisory.pk for advisory in advisories]
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
    return list(FeedSource.objects.filter(is_enabled=True).exclude(url="").order_by("name"))


def feed_sync_list(*, limit: int = 30) -> QuerySet[FeedSync]:
    return FeedSync.objects.select_related("source").order_by("-started_at", "-pk")[:limit]


def feed_sync_get(pk: int) -> FeedSync:
    return FeedSync.objects.select_related("source").get(pk=pk)
