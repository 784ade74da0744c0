"""Console URLs of cases, the outbox and the flow settings (included as ``console:cases``)."""

from __future__ import annotations

from django.urls import path

from patchdesk.desk.cases import views_console as views
from patchdesk.desk.cases import views_console_cases as case_views

urlpatterns = [
    path("", case_views.CaseConsoleListView.as_view(), name="list"),
    path("settings/", views.FlowSettingsView.as_view(), name="settings"),
    path("outbox/", views.OutboxView.as_view(), name="outbox"),
    path(
        "customers/<int:pk>/notifications/",
        views.CustomerNotificationsView.as_view(),
        name="notifications",
    ),
    path("<int:pk>/", case_views.CaseConsoleDetailView.as_view(), name="detail"),
]
for _action in ("request", "decline", "schedule", "quote", "resolve", "message"):
    urlpatterns.append(
        path(
            f"<int:pk>/{_action}/",
            case_views.CaseConsoleActionView.as_view(action=_action),
            name=_action,
        )
    )
