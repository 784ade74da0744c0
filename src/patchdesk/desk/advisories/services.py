"""Import advisories and vulnerability facts: incremental, all-or-nothing per run, reported.

Each import is one transaction: a failed or interrupted run leaves the previous data intact.
Records whose content did not change are skipped, so importing the same data twice changes
nothing. Rejected records (from the parser or found here, e.g. an invalid version) are
counted and kept with their reasons in the run's :class:`FeedSync`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from patchdesk.desk.accounts.models import User
from patchdesk.desk.advisories import mappers
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
from patchdesk.desk.core.services import audit_record
from patchdesk.engine.feeds.merge import merge_advisories
from patchdesk.engine.feeds.result import ParseResult, Rejection
from patchdesk.engine.model import Advisory as EngineAdvisory
from patchdesk.engine.model import EpssScore, KevEntry
from patchdesk.engine.model import Vulnerability as EngineVulnerability

logger = logging.getLogger(__name__)

__all__ = [
    "ImportCounts",
    "advisories_import",
    "epss_import",
    "feed_source_get_or_create",
    "kev_import",
    "vulnerabilities_import",
]

MAX_STORED_REJECTIONS = 1000
_BATCH = 1000


@dataclass(slots=True)
class ImportCounts:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)


def feed_source_get_or_create(name: str, *, kind: str, url: str = "") -> FeedSource:
    source, _ = FeedSource.objects.get_or_create(name=name, defaults={"kind": kind, "url": url})
    return source


def _run(
    source: FeedSource,
    *,
    trigger: str,
    actor: User | None,
    parse_rejections: list[Rejection],
    work: Callable[[ImportCounts], None],
) -> FeedSync:
    """Run ``work`` in one transaction and record the run; a failure is recorded, then raised."""
    sync = FeedSync.objects.create(source=source, trigger=trigger)
    counts = ImportCounts(rejected=list(parse_rejections))
    try:
        with transaction.atomic():
            work(counts)
            audit_record(
                actor=actor,
                actor_label="" if actor else f"feed {source.name}",
                action=f"feed.{trigger}",
                obj=source,
                changes={
                    "added": counts.added,
                    "changed": counts.changed,
                    "unchanged": counts.unchanged,
                    "rejected": len(counts.rejected),
                },
            )
    except Exception as exc:
        FeedSync.objects.filter(pk=sync.pk).update(
            status=FeedSync.Status.FAILED, finished_at=timezone.now(), error=str(exc)[:2000]
        )
        logger.exception("feed %s: %s failed; the previous data is unchanged", source, trigger)
        raise
    sync.status = FeedSync.Status.SUCCEEDED
    sync.finished_at = timezone.now()
    sync.added, sync.changed, sync.unchanged = counts.added, counts.changed, counts.unchanged
    sync.rejected = len(counts.rejected)
    sync.rejections = [
        {"record_id": r.record_id, "reason": r.reason, "location": r.location}
        for r in counts.rejected[:MAX_STORED_REJECTIONS]
    ]
    sync.save()
    FeedSource.objects.filter(pk=source.pk).update(last_synced_at=sync.finished_at)
    return sync


def advisories_import(
    source: FeedSource,
    result: ParseResult[EngineAdvisory],
    *,
    trigger: str = "import",
    actor: User | None = None,
    now: datetime | None = None,
) -> FeedSync:
    """Add new advisories, update changed ones, skip unchanged ones."""
    moment = now or timezone.now()
    return _run(
        source,
        trigger=trigger,
        actor=actor,
        parse_rejections=result.rejected,
        work=lambda counts: _advisories_upsert(result.records, counts, moment),
    )


def _advisories_upsert(
    records: Iterable[EngineAdvisory], counts: ImportCounts, now: datetime
) -> None:
    batch = _unique_records(records)
    existing = {
        (row["source"], row["advisory_id"]): (row["pk"], row["content_hash"])
        for row in Advisory.objects.filter(source__in={r.source for r in batch}).values(
            "pk", "source", "advisory_id", "content_hash"
        )
    }
    new: list[tuple[EngineAdvisory, Advisory]] = []
    changed: list[tuple[EngineAdvisory, Advisory]] = []
    for record in batch:
        digest = mappers.content_hash(record)
        known = existing.get((record.source, record.id))
        if known is not None and known[1] == digest:
            counts.unchanged += 1
            continue
        row = Advisory(**mappers.advisory_fields(record, digest=digest), updated_at=now)
        if known is None:
            row.first_seen_at = now
            new.append((record, row))
        else:
            row.pk = known[0]
            changed.append((record, row))
    Advisory.objects.bulk_create([row for _, row in new], batch_size=_BATCH)
    if changed:  # nothing to update (every record new, unchanged or rejected): no fields either
        update_fields = [
            name
            for name in (*mappers.advisory_fields(changed[0][0], digest="").keys(), "updated_at")
            if name not in {"source", "advisory_id"}
        ]
        Advisory.objects.bulk_update([row for _, row in changed], update_fields, _BATCH)
    changed_ids = [row.pk for _, row in changed]
    for start in range(0, len(changed_ids), _BATCH):
        chunk = changed_ids[start : start + _BATCH]
        AffectedPackage.objects.filter(advisory_id__in=chunk).delete()
        AdvisoryCve.objects.filter(advisory_id__in=chunk).delete()
    affected: list[AffectedPackage] = []
    cves: list[AdvisoryCve] = []
    for record, row in (*new, *changed):
        rows, rejected = mappers.affected_rows(record, row)
        affected.extend(rows)
        counts.rejected.extend(rejected)
        cves.extend(AdvisoryCve(advisory=row, cve_id=cve) for cve in dict.fromkeys(record.cve_ids))
    AffectedPackage.objects.bulk_create(affected, batch_size=_BATCH)
    AdvisoryCve.objects.bulk_create(cves, batch_size=_BATCH)
    counts.added += len(new)
    counts.changed += len(changed)


def _unique_records(records: Iterable[EngineAdvisory]) -> list[EngineAdvisory]:
    """One record per (source, id): pieces of one advisory (an AlmaLinux advisory listed in
    two releases' files, a Red Hat advisory spread over VEX files) are merged."""
    return merge_advisories(records)


def vulnerabilities_import(
    source: FeedSource,
    result: ParseResult[EngineVulnerability],
    *,
    trigger: str = "import",
    actor: User | None = None,
    now: datetime | None = None,
) -> FeedSync:
    """Merge one source's facts per CVE: its CWE and CVSS rows are replaced, others kept."""
    moment = now or timezone.now()
    return _run(
        source,
        trigger=trigger,
        actor=actor,
        parse_rejections=result.rejected,
        work=lambda counts: _vulnerabilities_upsert(result.records, counts, moment),
    )


def _vulnerabilities_upsert(
    records: Iterable[EngineVulnerability], counts: ImportCounts, now: datetime
) -> None:
    latest: dict[tuple[str, str], EngineVulnerability] = {}
    for record in records:
        latest[(record.cve_id, record.source)] = record  # a later record of a CVE wins
    rows = _existing_rows({cve for cve, _ in latest})
    created: dict[str, Vulnerability] = {}
    touched: list[tuple[EngineVulnerability, Vulnerability]] = []
    changed: dict[int, Vulnerability] = {}
    replaced: dict[str, list[int]] = {}  # source → CVE rows whose rows from it are replaced
    for (cve_id, source_name), record in latest.items():
        row = rows.get(cve_id) or created.get(cve_id)
        digest = mappers.content_hash(record)
        if row is not None and row.content_hashes.get(source_name) == digest:
            counts.unchanged += 1
            continue
        if row is None:
            row = created[cve_id] = Vulnerability(cve_id=cve_id, first_seen_at=now)
            counts.added += 1
        else:
            if source_name in row.content_hashes:
                replaced.setdefault(source_name, []).append(row.pk)
            if row.pk is not None:
                changed[row.pk] = row
            counts.changed += 1
        for name, value in mappers.vulnerability_fields(record).items():
            setattr(row, name, value)
        row.content_hashes = {**row.content_hashes, source_name: digest}
        row.sources = sorted({*row.sources, source_name})
        row.updated_at = now
        touched.append((record, row))
    # New CVEs are inserted whole; only the ones that existed are updated (bulk_update is slow).
    Vulnerability.objects.bulk_create(list(created.values()), batch_size=_BATCH)
    Vulnerability.objects.bulk_update(
        list(changed.values()),
        [
            "description",
            "published_at",
            "modified_at",
            "is_rejected",
            "sources",
            "content_hashes",
            "updated_at",
        ],
        batch_size=_BATCH,
    )
    for source_name, ids in replaced.items():
        for start in range(0, len(ids), _BATCH):
            chunk = ids[start : start + _BATCH]
            VulnerabilityCwe.objects.filter(source=source_name, vulnerability_id__in=chunk).delete()
            CvssAssessment.objects.filter(source=source_name, vulnerability_id__in=chunk).delete()
    VulnerabilityCwe.objects.bulk_create(
        [
            VulnerabilityCwe(
                vulnerability=row, cwe_id=cwe, provider=record.cwe_provider, source=record.source
            )
            for record, row in touched
            for cwe in dict.fromkeys(record.cwe_ids)
        ],
        batch_size=_BATCH,
    )
    CvssAssessment.objects.bulk_create(
        [
            CvssAssessment(
                vulnerability=row,
                version=score.version,
                vector=score.vector,
                base_score=score.base_score,
                provider=score.provider,
                source=record.source,
            )
            for record, row in touched
            for score in {(s.provider, s.version): s for s in record.cvss}.values()
        ],
        batch_size=_BATCH,
    )


def _existing_rows(cve_ids: set[str]) -> dict[str, Vulnerability]:
    rows: dict[str, Vulnerability] = {}
    ordered = sorted(cve_ids)
    for start in range(0, len(ordered), _BATCH):
        chunk = ordered[start : start + _BATCH]
        rows.update((row.cve_id, row) for row in Vulnerability.objects.filter(cve_id__in=chunk))
    return rows


def _vulnerability_rows(cve_ids: set[str], now: datetime) -> dict[str, Vulnerability]:
    """The rows of these CVEs, creating the missing ones (empty, to be filled)."""
    rows = _existing_rows(cve_ids)
    missing = [Vulnerability(cve_id=cve, first_seen_at=now, updated_at=now)
               for cve in sorted(cve_ids - set(rows))]  # fmt: skip
    Vulnerability.objects.bulk_create(missing, batch_size=_BATCH)
    rows.update(_existing_rows({row.cve_id for row in missing}))
    return rows


def kev_import(
    source: FeedSource,
    result: ParseResult[KevEntry],
    *,
    trigger: str = "import",
    actor: User | None = None,
) -> FeedSync:
    """The KEV catalogue is complete: CVEs no longer in it lose their KEV dates, but only when
    the catalogue was read without a single rejection (a truncated file removes nothing)."""

    def work(counts: ImportCounts) -> None:
        entries = {entry.cve_id: entry for entry in result.records}
        rows = _vulnerability_rows(set(entries), timezone.now())
        for cve_id, row in rows.items():
            entry = entries[cve_id]
            values = (entry.added_on, entry.due_on, entry.known_ransomware_use)
            if (row.kev_added_on, row.kev_due_on, row.kev_ransomware) == values:
                counts.unchanged += 1
                continue
            counts.changed += 1
            row.kev_added_on, row.kev_due_on, row.kev_ransomware = values
        Vulnerability.objects.bulk_update(
            list(rows.values()), ["kev_added_on", "kev_due_on", "kev_ransomware"], _BATCH
        )
        if result.rejected or not entries:
            return  # a damaged or partial catalogue never removes what is known
        Vulnerability.objects.filter(kev_added_on__isnull=False).exclude(
            cve_id__in=list(entries)
        ).update(kev_added_on=None, kev_due_on=None, kev_ransomware=False)

    return _run(source, trigger=trigger, actor=actor, parse_rejections=result.rejected, work=work)


def epss_import(
    source: FeedSource,
    result: ParseResult[EpssScore],
    *,
    trigger: str = "import",
    actor: User | None = None,
) -> FeedSync:
    def work(counts: ImportCounts) -> None:
        scores = {score.cve_id: score for score in result.records}
        rows = _vulnerability_rows(set(scores), timezone.now())
        for cve_id, row in rows.items():
            score = scores[cve_id]
            values = (score.score, score.percentile, score.scored_on)
            if (row.epss_score, row.epss_percentile, row.epss_scored_on) == values:
                counts.unchanged += 1
                continue
            counts.changed += 1
            row.epss_score, row.epss_percentile, row.epss_scored_on = values
        Vulnerability.objects.bulk_update(
            list(rows.values()), ["epss_score", "epss_percentile", "epss_scored_on"], _BATCH
        )

    return _run(source, trigger=trigger, actor=actor, parse_rejections=result.rejected, work=work)
