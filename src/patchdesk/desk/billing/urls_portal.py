"""Portal URLs of the billing app (included as ``portal:quotes``)."""

from __future__ import annotations

from django.urls import path

from patchdesk.desk.billing import views_portal

urlpatterns = [
    path("", views_portal.QuoteListView.as_view(), name="list"),
    path("<int:pk>/", views_portal.QuoteDetailView.as_view(), name="detail"),
    path("<int:pk>/accept/", views_portal.QuoteAnswerView.as_view(accept=True), name="accept"),
    path("<int:pk>/decline/", views_portal.QuoteAnswerView.as_view(accept=False), name="decline"),
]
