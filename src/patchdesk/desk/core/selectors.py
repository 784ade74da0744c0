"""Reads of the core app."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from patchdesk.desk.core.models import AuditEntry, PeriodicJob, WorkerHeartbeat

__all__ = ["audit_entry_list", "heartbeat_latest", "periodic_job_list"]


def audit_entry_list(*, limit: int = 50) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.select_related("actor", "object_type")[:limit]


def heartbeat_latest(*, within: timedelta | None = None) -> WorkerHeartbeat | None:
    """The newest heartbeat, optionally only if it is recent enough."""
    queryset = WorkerHeartbeat.objects.all()
    if within is not None:
        queryset = queryset.filter(executed_at__gte=timezone.now() - within)
    return queryset.order_by("-executed_at").first()


def periodic_job_list() -> QuerySet[PeriodicJob]:
    return PeriodicJob.objects.order_by("name")
