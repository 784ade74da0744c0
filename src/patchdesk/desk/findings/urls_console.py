"""Console URLs of the findings (included as ``console:findings``)."""

from __future__ import annotations

from django.urls import path

from patchdesk.desk.findings import views_console

urlpatterns = [
    path("", views_console.FindingListView.as_view(), name="list"),
    path("<int:pk>/state/", views_console.FindingStateView.as_view(), name="state"),
]
