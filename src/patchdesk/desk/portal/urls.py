from __future__ import annotations

from django.urls import path

from patchdesk.desk.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.PortalHomeView.as_view(), name="home"),
]
