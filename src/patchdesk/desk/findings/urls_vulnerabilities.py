"""Console URLs of one vulnerability (included as ``console:vulnerabilities``).

The id is a CVE id, or an advisory's own id when it names no CVE (which may hold a slash).
"""

from __future__ import annotations

from django.urls import path

from patchdesk.desk.findings import views_vulnerability

urlpatterns = [
    path("<path:cve_id>/", views_vulnerability.VulnerabilityDetailView.as_view(), name="detail"),
]
