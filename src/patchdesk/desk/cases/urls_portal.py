"""Portal URLs of the service flow (included as ``portal:cases``)."""

from __future__ import annotations

from django.urls import path

from patchdesk.desk.cases import views_portal as views

urlpatterns = [
    path("", views.InboxView.as_view(), name="inbox"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="detail"),
]
for _action in ("request", "decline", "verify", "problem", "message", "quote_accept"):
    urlpatterns.append(
        path(f"<int:pk>/{_action}/", views.CaseActionView.as_view(action=_action), name=_action)
    )
