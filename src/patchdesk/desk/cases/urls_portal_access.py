"""Portal URLs of server access: credentials, SSL passphrases, standing consent (included as
``portal:access``)."""

from __future__ import annotations

from django.urls import path

from patchdesk.desk.cases import views_portal_servers as views

urlpatterns = [
    path("", views.ServerAccessListView.as_view(), name="list"),
    path("<int:pk>/", views.ServerAccessDetailView.as_view(), name="detail"),
]
for _action in ("credentials", "passphrase", "consent"):
    urlpatterns.append(
        path(
            f"<int:pk>/{_action}/",
            views.ServerAccessActionView.as_view(action=_action),
            name=_action,
        )
    )
