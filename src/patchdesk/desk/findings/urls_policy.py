"""Console URLs of the service policy (included as ``console:policy``)."""

from __future__ import annotations

from django.urls import path

from patchdesk.desk.findings import views_policy

urlpatterns = [
    path("", views_policy.PolicyView.as_view(), name="show"),
    path("<int:pk>/activate/", views_policy.PolicyActivateView.as_view(), name="activate"),
]
