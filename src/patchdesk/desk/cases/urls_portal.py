"""Portal URLs of the service flow (included as ``portal:cases``)."""

from __future__ import annotations

from django.urls import path

from patchdesk.desk.cases import views_portal as views
from patchdesk.desk.cases import views_portal_servers as server_views

urlpatterns = [
    path("", views.InboxView.as_view(), name="inbox"),
    path("servers/", server_views.ServerAccessListView.as_view(), name="servers"),
    path("servers/<int:pk>/", server_views.ServerAccessDetailView.as_view(), name="server"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="detail"),
]
for _action in ("credentials", "passphrase", "consent"):
    urlpatterns.append(
        path(
            f"servers/<int:pk>/{_action}/",
            server_views.ServerAccessActionView.as_view(action=_action),
            name=f"server_{_action}",
        )
    )
for _action in ("request", "decline", "verify", "problem", "message", "quote_accept"):
    urlpatterns.append(
        path(f"<int:pk>/{_action}/", views.CaseActionView.as_view(action=_action), name=_action)
    )
