from __future__ import annotations

from django.urls import path

from patchdesk.desk.console import views

app_name = "console"
urlpatterns = [
    path("", views.ConsoleHomeView.as_view(), name="home"),
]
