"""Portal URLs of the servers' security (included as ``portal:servers``)."""

from __future__ import annotations

from django.urls import path

from patchdesk.desk.findings import views_portal

urlpatterns = [
    path("security/", views_portal.PortalSecurityListView.as_view(), name="security"),
    path(
        "security/<int:pk>/",
        views_portal.PortalServerSecurityView.as_view(),
        name="security_detail",
    ),
]
