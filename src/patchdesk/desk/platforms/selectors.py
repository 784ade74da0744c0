"""Reads of supported platforms (not customer data: every operator sees them all)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from patchdesk.desk.platforms.models import SupportedPlatform

__all__ = ["platform_get", "platform_list"]

_OPEN = ["applied", "accepted", "active", "cancellation_requested"]


def platform_list() -> QuerySet[SupportedPlatform]:
    return SupportedPlatform.objects.annotate(
        server_count=Count("servers", distinct=True),
        open_contract_count=Count(
            "servers__contracts", filter=Q(servers__contracts__state__in=_OPEN), distinct=True
        ),
    )


def platform_get(pk: int) -> SupportedPlatform:
    return SupportedPlatform.objects.get(pk=pk)
