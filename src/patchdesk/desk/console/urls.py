from __future__ import annotations

from django.urls import include, path

from patchdesk.desk.console import views

app_name = "console"
urlpatterns = [
    path("", views.ConsoleHomeView.as_view(), name="home"),
    path("customers/", include(("patchdesk.desk.customers.urls", "customers"))),
    path("contracts/", include(("patchdesk.desk.contracts.urls_console", "contracts"))),
    path("platforms/", include(("patchdesk.desk.platforms.urls", "platforms"))),
    path("billing/", include(("patchdesk.desk.billing.urls_console", "billing"))),
    path("servers/", include(("patchdesk.desk.fleet.urls_console", "servers"))),
    path("findings/", include(("patchdesk.desk.findings.urls_console", "findings"))),
    path(
        "vulnerabilities/",
        include(("patchdesk.desk.findings.urls_vulnerabilities", "vulnerabilities")),
    ),
    path("policy/", include(("patchdesk.desk.findings.urls_policy", "policy"))),
    path("advisories/", include(("patchdesk.desk.advisories.urls_console", "advisories"))),
    path("feeds/", include(("patchdesk.desk.advisories.urls_feeds", "feeds"))),
    path("review/", include(("patchdesk.desk.cases.urls_review", "review"))),
    path("cases/", include(("patchdesk.desk.cases.urls_console", "cases"))),
    path("work/", include(("patchdesk.desk.work.urls_console", "work"))),
]
