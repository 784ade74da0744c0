"""Console URLs of the fleet app (included as ``console:servers``)."""

from __future__ import annotations

from django.urls import path

from patchdesk.desk.fleet import views_console, views_server

urlpatterns = [
    path("", views_console.ServerListView.as_view(), name="list"),
    path("new/", views_console.ServerCreateView.as_view(), name="create"),
    path("scan/", views_console.ScanRequestView.as_view(), name="scan"),
    path("<int:pk>/", views_server.ServerDetailView.as_view(), name="detail"),
    path("<int:pk>/scan/", views_server.ServerScanView.as_view(), name="scan_one"),
    path("<int:pk>/credentials/", views_server.CredentialSetView.as_view(), name="credentials"),
    path("<int:pk>/passphrases/", views_server.TlsPassphraseSetView.as_view(), name="passphrase"),
    path(
        "<int:pk>/host-keys/<int:key_pk>/accept/",
        views_server.HostKeyAcceptView.as_view(),
        name="host_key_accept",
    ),
]
