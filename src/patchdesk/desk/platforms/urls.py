"""Console URLs of the platforms app (included as ``console:platforms``)."""

from __future__ import annotations

from django.urls import path

from patchdesk.desk.platforms import views

urlpatterns = [
    path("", views.PlatformListView.as_view(), name="list"),
    path("<int:pk>/", views.PlatformEditView.as_view(), name="edit"),
    path("import/", views.PlatformImportView.as_view(), name="import"),
]
