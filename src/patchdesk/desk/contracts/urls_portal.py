"""Portal URLs of the contracts app (included as ``portal:contracts``)."""

from __future__ import annotations

from django.urls import path

from patchdesk.desk.contracts.views import portal

urlpatterns = [
    path("", portal.PortalContractListView.as_view(), name="list"),
    path("apply/", portal.PortalApplyView.as_view(), name="apply"),
    path("<int:pk>/", portal.PortalContractDetailView.as_view(), name="detail"),
    path("<int:pk>/cancel/", portal.PortalCancelView.as_view(), name="cancel"),
    path("<int:pk>/change-plan/", portal.PortalPlanChangeView.as_view(), name="plan_change"),
]
