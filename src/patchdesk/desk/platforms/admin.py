"""Read-only admin view: platforms change through the console (and the end-of-life import)."""

from __future__ import annotations

from django.contrib import admin

from patchdesk.desk.contracts.admin import ReadOnlyAdmin
from patchdesk.desk.platforms.models import SupportedPlatform


@admin.register(SupportedPlatform)
class SupportedPlatformAdmin(ReadOnlyAdmin):
    list_display = ("name", "key", "vendor_support_ends_on", "is_offered", "price_class")
