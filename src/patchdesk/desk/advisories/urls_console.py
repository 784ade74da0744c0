"""Console URLs of the advisories (included as ``console:advisories``)."""

from __future__ import annotations

from django.urls import path

from patchdesk.desk.advisories import views_console

urlpatterns = [
    path("", views_console.AdvisoryListView.as_view(), name="list"),
    path("<int:pk>/", views_console.AdvisoryDetailView.as_view(), name="detail"),
]
