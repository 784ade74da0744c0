"""URL map: console (operators), portal (customers), accounts, health, admin."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from patchdesk.desk.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("health/", core_views.health, name="health"),
    path("accounts/", include("patchdesk.desk.accounts.urls")),
    path("console/", include("patchdesk.desk.console.urls")),
    path("portal/", include("patchdesk.desk.portal.urls")),
    path("admin/", admin.site.urls),
]
