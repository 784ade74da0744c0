"""Console URLs of the review queue and announcements (included as ``console:review``)."""

from __future__ import annotations

from django.urls import path

from patchdesk.desk.cases import views_console as views

urlpatterns = [
    path("", views.ReviewQueueView.as_view(), name="queue"),
    path("announcements/<int:pk>/", views.AnnouncementDetailView.as_view(), name="announcement"),
]
for _action in ("confirm", "dismiss", "resend"):
    urlpatterns.append(
        path(
            f"announcements/<int:pk>/{_action}/",
            views.AnnouncementActionView.as_view(action=_action),
            name=_action,
        )
    )
