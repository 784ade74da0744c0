"""The operators' console: the home page with what needs attention."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.views.generic import TemplateView

from patchdesk.desk.accounts.access import OperatorRequiredMixin
from patchdesk.desk.cases.selectors import paused_server_count
from patchdesk.desk.core.selectors import audit_entry_list, heartbeat_latest, periodic_job_list

HEARTBEAT_STALE_AFTER = timedelta(minutes=15)


class ConsoleHomeView(OperatorRequiredMixin, TemplateView):
    template_name = "console/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["heartbeat"] = heartbeat_latest()
        context["heartbeat_is_fresh"] = heartbeat_latest(within=HEARTBEAT_STALE_AFTER) is not None
        context["jobs_backend"] = "redis" if settings.CONFIG.redis_url else "database"
        context["periodic_jobs"] = periodic_job_list()
        context["audit_entries"] = audit_entry_list(limit=10)
        context["paused_servers"] = paused_server_count()
        return context
