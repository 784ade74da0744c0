"""Read-only admin views: every change goes through the console, its services and the audit."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from patchdesk.desk.contracts.models import (
    CalendarSettings,
    CancellationRequest,
    Contract,
    ProviderClosure,
    ServiceDocument,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ("server", "customer", "plan", "state", "channel", "start_date", "ended_on")
    list_filter = ("state", "plan", "channel")
    search_fields = ("server__name", "customer__name", "order_reference")


@admin.register(CancellationRequest)
class CancellationRequestAdmin(ReadOnlyAdmin):
    list_display = ("contract", "cancel_on", "state", "requested_at", "requested_by")
    list_filter = ("state",)


@admin.register(ServiceDocument)
class ServiceDocumentAdmin(ReadOnlyAdmin):
    list_display = ("kind", "version", "title", "effective_on")


@admin.register(CalendarSettings)
class CalendarSettingsAdmin(ReadOnlyAdmin):
    list_display = ("opens_at", "closes_at", "holiday_country", "eos_warning_days")


@admin.register(ProviderClosure)
class ProviderClosureAdmin(ReadOnlyAdmin):
    list_display = ("label", "is_annual", "starts_on", "ends_on")
