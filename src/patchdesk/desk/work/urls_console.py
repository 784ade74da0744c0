"""Console URLs of the work app (included as ``console:work``)."""

from __future__ import annotations

from django.urls import path

from patchdesk.desk.work import views_console as views

urlpatterns = [
    path("", views.WorkOrderListView.as_view(), name="list"),
    path("<int:pk>/", views.WorkOrderDetailView.as_view(), name="detail"),
    path("<int:pk>/start/", views.WorkOrderActionView.as_view(action="start"), name="start"),
    path("<int:pk>/result/", views.WorkOrderActionView.as_view(action="result"), name="result"),
    path("<int:pk>/cancel/", views.WorkOrderActionView.as_view(action="cancel"), name="cancel"),
    path("<int:pk>/run/", views.WorkOrderRunView.as_view(), name="run"),
    path("<int:pk>/runs/", views.WorkOrderRunsView.as_view(), name="runs"),
    path("run-due/", views.WorkRunsDueView.as_view(), name="run_due"),
    path("runs/<int:pk>/", views.WorkRunDetailView.as_view(), name="run_detail"),
    path("servers/<int:pk>/resume/", views.ServerResumeView.as_view(), name="resume"),
]
