"""Console URLs of the contracts app (included as ``console:contracts``)."""

from __future__ import annotations

from django.urls import path

from patchdesk.desk.contracts.views import console, console_rules

urlpatterns = [
    path("", console.ContractListView.as_view(), name="list"),
    path("applications/", console.ApplicationListView.as_view(), name="applications"),
    path("order/", console.OrderFormView.as_view(), name="order"),
    path("<int:pk>/", console.ContractDetailView.as_view(), name="detail"),
    path("<int:pk>/accept/", console.ContractAcceptView.as_view(), name="accept"),
    path("<int:pk>/reject/", console.ContractRejectView.as_view(), name="reject"),
    path("<int:pk>/cancel/", console.ContractCancelView.as_view(), name="cancel"),
    path("<int:pk>/change-plan/", console.ContractPlanChangeView.as_view(), name="plan_change"),
    path(
        "<int:pk>/withdraw-cancellation/",
        console.ContractWithdrawCancellationView.as_view(),
        name="withdraw",
    ),
    path("calendar/", console_rules.CalendarView.as_view(), name="calendar"),
    path("calendar/closures/", console_rules.ClosureAddView.as_view(), name="closure_add"),
    path(
        "calendar/closures/<int:pk>/delete/",
        console_rules.ClosureDeleteView.as_view(),
        name="closure_delete",
    ),
    path("documents/", console_rules.DocumentListView.as_view(), name="documents"),
]
