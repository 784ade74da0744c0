from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    list_display = ("username", "email", "role", "language", "is_active", "last_login")
    list_filter = ("role", "is_active", "language")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("patchdesk"), {"fields": ("role", "language")}),
    )
