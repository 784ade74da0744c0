from __future__ import annotations

from django.urls import include, path

from patchdesk.desk.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.PortalHomeView.as_view(), name="home"),
    path("contracts/", include(("patchdesk.desk.contracts.urls_portal", "contracts"))),
    path("quotes/", include(("patchdesk.desk.billing.urls_portal", "quotes"))),
    path("servers/", include(("patchdesk.desk.findings.urls_portal", "servers"))),
    path("cases/", include(("patchdesk.desk.cases.urls_portal", "cases"))),
    path("access/", include(("patchdesk.desk.cases.urls_portal_access", "access"))),
]
