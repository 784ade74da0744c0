"""Recompute findings: match the servers' last inventories against the advisory store.

Each distinct package version is compared once (``engine.match.Matcher``). A finding's level
is the highest level among its CVEs' classifications. Findings no longer matched become
``fixed``; a fixed one found again is reopened.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from patchdesk.desk.advisories.models import AdvisoryCve, AffectedPackage
from patchdesk.desk.findings.classification import classifications_refresh
from patchdesk.desk.findings.models import Classification, Finding, FindingState
from patchdesk.desk.fleet.mappers import inventory_from_scan
from patchdesk.desk.fleet.models import Scan, Server
from patchdesk.engine.match import AdvisoryIndex, FixEntry, Matcher
from patchdesk.engine.match.index import IndexKey
from patchdesk.engine.model import AdvisoryKind, Confidence, FixStatus, PackageNameKind
from patchdesk.engine.model.classification import SecurityLevel
from patchdesk.engine.model.finding import HostMatch, PackageFinding
from patchdesk.engine.model.inventory import HostInventory

logger = logging.getLogger(__name__)

__all__ = [
    "FindingsRefreshReport",
    "advisory_index_load",
    "findings_refresh",
    "findings_refresh_after_feeds",
    "level_of",
]


@dataclass(slots=True)
class FindingsRefreshReport:
    servers: int = 0
    opened: int = 0
    updated: int = 0
    fixed: int = 0
    cannot_evaluate: int = 0


def advisory_index_load(platform_keys: Iterable[str]) -> AdvisoryIndex:
    """The security advisories for these platforms, as the matching engine wants them.

    ``FixEntry.advisory_id`` is the advisory's primary key (as text), to map findings back.
    """
    keys = sorted(set(platform_keys))
    cves: dict[int, list[str]] = defaultdict(list)
    for advisory_pk, cve in (
        AdvisoryCve.objects.filter(advisory__affected__platform_key__in=keys)
        .values_list("advisory_id", "cve_id")
        .distinct()
    ):
        cves[advisory_pk].append(cve)
    grouped: dict[IndexKey, list[FixEntry]] = defaultdict(list)
    rows = AffectedPackage.objects.filter(
        platform_key__in=keys, advisory__kind=AdvisoryKind.SECURITY
    ).values_list(
        "advisory_id",
        "advisory__source",
        "advisory__confidence",
        "platform_key",
        "package",
        "name_kind",
        "status",
        "fixed_version",
        "fixed_key",
        "introduced_key",
        "arches",
        "channel",
    )
    for (
        advisory_pk,
        source,
        confidence,
        platform_key,
        package,
        name_kind,
        status,
        fixed_version,
        fixed_key,
        introduced_key,
        arches,
        channel,
    ) in rows.iterator(chunk_size=5000):
        grouped[(platform_key, PackageNameKind(name_kind), package)].append(
            FixEntry(
                advisory_id=str(advisory_pk),
                advisory_source=source,
                status=FixStatus(status),
                fixed_version=fixed_version or None,
                fixed_key=bytes(fixed_key) if fixed_key is not None else None,
                introduced_key=bytes(introduced_key) if introduced_key is not None else None,
                arches=frozenset(arches),
                cve_ids=tuple(sorted(cves.get(advisory_pk, ()))),
                confidence=Confidence(confidence),
                channel=channel,
            )
        )
    return AdvisoryIndex(entries={key: tuple(value) for key, value in grouped.items()})


def level_of(
    finding: PackageFinding, classifications: dict[str, Classification]
) -> tuple[SecurityLevel, str]:
    """The highest level among the finding's CVEs (or its advisory's own classification)."""
    ids = finding.cve_ids or (finding.advisory_id,)
    best: tuple[SecurityLevel, str] = (SecurityLevel.NEEDS_REVIEW, "")
    found = False
    for identifier in ids:
        row = classifications.get(identifier)
        if row is None:
            continue
        level = SecurityLevel(row.level)
        if not found or level.rank > best[0].rank:
            best, found = (level, row.category), True
    return best


def _inventories(servers: Sequence[Server]) -> dict[int, HostInventory]:
    inventories: dict[int, HostInventory] = {}
    for server in servers:
        scan = server.last_scan
        if scan is None or scan.status != Scan.Status.SUCCEEDED:
            continue
        inventory = inventory_from_scan(scan)
        if inventory is not None:
            inventories[server.pk] = inventory
    return inventories


def findings_refresh(server_ids: Iterable[int] | None = None) -> FindingsRefreshReport:
    """Re-match these servers (default: every managed server) and update their findings."""
    servers = Server.objects.select_related("last_scan").filter(is_managed=True)
    if server_ids is not None:
        servers = servers.filter(pk__in=list(server_ids))
    inventories = _inventories(list(servers))
    platforms = {inv.platform.key for inv in inventories.values() if inv.platform is not None}
    matcher = Matcher(advisory_index_load(platforms))
    results = {pk: matcher.match_host(inventory) for pk, inventory in inventories.items()}
    report = FindingsRefreshReport(servers=len(results))
    _store(results, report)
    logger.info(
        "findings refreshed: servers=%s opened=%s updated=%s fixed=%s distinct=%s",
        report.servers,
        report.opened,
        report.updated,
        report.fixed,
        matcher.distinct_packages_compared,
    )
    return report


@transaction.atomic
def _store(results: dict[int, HostMatch], report: FindingsRefreshReport) -> None:
    now = timezone.now()
    ids: set[str] = set()
    for result in results.values():
        for finding in (*result.findings, *result.out_of_scope_findings):
            ids.update(finding.cve_ids or (finding.advisory_id,))
    classifications = {c.cve_id: c for c in Classification.objects.filter(cve_id__in=ids)}
    for server_pk, result in results.items():
        report.cannot_evaluate += len(result.cannot_evaluate)
        existing = {
            (f.advisory_id, f.package): f for f in Finding.objects.filter(server_id=server_pk)
        }
        seen: set[tuple[int, str]] = set()
        creates: list[Finding] = []
        for finding, out_of_scope in (
            *((f, False) for f in result.findings),
            *((f, True) for f in result.out_of_scope_findings),
        ):
            key = (int(finding.advisory_id), finding.package)
            if key in seen:
                continue
            seen.add(key)
            level, category = level_of(finding, classifications)
            values = {
                "installed_version": finding.installed_version,
                "fixed_version": finding.fixed_version or "",
                "fix_status": finding.fix_status.value,
                "cve_ids": list(finding.cve_ids),
                "level": level.value,
                "category": category,
                "match_method": finding.match_method.value,
                "matched_name": finding.matched_name,
                "confidence": finding.confidence.value,
                "kernel_state": finding.kernel_state.value,
                "is_out_of_scope_origin": out_of_scope,
                "last_seen_at": now,
            }
            row = existing.get(key)
            if row is None:
                creates.append(
                    Finding(
                        server_id=server_pk,
                        advisory_id=key[0],
                        package=finding.package,
                        first_found_at=now,
                        **values,
                    )
                )
                continue
            if row.state == FindingState.FIXED:
                row.state, row.fixed_at = FindingState.OPEN, None
            for name, value in values.items():
                setattr(row, name, value)
            row.save()
            report.updated += 1
        Finding.objects.bulk_create(creates, batch_size=1000)
        report.opened += len(creates)
        gone = [
            row.pk
            for key, row in existing.items()
            if key not in seen and row.state != FindingState.FIXED
        ]
        report.fixed += Finding.objects.filter(pk__in=gone).update(
            state=FindingState.FIXED, fixed_at=now
        )


def findings_refresh_after_feeds() -> FindingsRefreshReport:
    """After advisories or facts changed: reclassify what changed, then re-match everything."""
    changed = classifications_refresh()
    logger.info("classifications changed: %s", changed)
    return findings_refresh()
