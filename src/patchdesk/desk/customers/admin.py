"""Read-only admin views: customers and contacts change through the console."""

from __future__ import annotations

from django.contrib import admin

from patchdesk.desk.contracts.admin import ReadOnlyAdmin
from patchdesk.desk.customers.models import Contact, Customer


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "language", "time_zone", "is_active")
    search_fields = ("name", "code")


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ("name", "email", "customer", "language", "receives_notices")
