"""Read-only admin views: prices, quotes and billing lines change through the console."""

from __future__ import annotations

from django.contrib import admin

from patchdesk.desk.billing.models import BillingLine, BillingMonth, PriceTable, Quote
from patchdesk.desk.contracts.admin import ReadOnlyAdmin


@admin.register(PriceTable)
class PriceTableAdmin(ReadOnlyAdmin):
    list_display = ("version", "valid_from", "tax_rate_percent")


@admin.register(Quote)
class QuoteAdmin(ReadOnlyAdmin):
    list_display = ("id", "customer", "title", "state", "total", "work_starts_at")
    list_filter = ("state",)


@admin.register(BillingMonth)
class BillingMonthAdmin(ReadOnlyAdmin):
    list_display = ("month", "state", "generated_at", "closed_at")


@admin.register(BillingLine)
class BillingLineAdmin(ReadOnlyAdmin):
    list_display = ("billing_month", "customer", "kind", "description", "amount")
    list_filter = ("billing_month", "kind")
