"""Console URLs of the feeds (included as ``console:feeds``)."""

from __future__ import annotations

from django.urls import path

from patchdesk.desk.advisories import views_feeds

urlpatterns = [
    path("", views_feeds.FeedListView.as_view(), name="list"),
    path("sync/", views_feeds.FeedSyncView.as_view(), name="sync"),
    path("upload/", views_feeds.FeedUploadView.as_view(), name="upload"),
    path("sources/<int:pk>/", views_feeds.FeedSourceEditView.as_view(), name="source"),
    path("runs/<int:pk>/", views_feeds.FeedRunView.as_view(), name="run"),
]
