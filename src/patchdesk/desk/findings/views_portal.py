"""The customers' view of their servers' security: the open findings the service acts on, and
the Medium ones their plan does not cover (S2). Scoped to the user's company: another
customer's server is a 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from patchdesk.desk.accounts.access import CustomerUserRequiredMixin
from patchdesk.desk.cases.selectors import paused_server_ids
from patchdesk.desk.contracts.views._common import acting_user
from patchdesk.desk.findings.selectors import server_security_get, server_security_list
from patchdesk.desk.fleet.models import Server

__all__ = ["PortalSecurityListView", "PortalServerSecurityView"]


def _base(request: HttpRequest) -> dict[str, Any]:
    user = acting_user(request)
    assert user.customer is not None
    return {"customer": user.customer, "display_tz": user.customer.time_zone}


class PortalSecurityListView(CustomerUserRequiredMixin, View):
    template_name = "findings/portal/security_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        context = _base(request)
        context["servers"] = server_security_list(
            actor=acting_user(request), customer=context["customer"]
        )
        context["paused_ids"] = paused_server_ids(entry.server for entry in context["servers"])
        return render(request, self.template_name, context)


class PortalServerSecurityView(CustomerUserRequiredMixin, View):
    template_name = "findings/portal/server_security.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        context = _base(request)
        try:
            context["entry"] = server_security_get(
                pk, actor=acting_user(request), customer=context["customer"]
            )
        except Server.DoesNotExist:
            raise Http404 from None
        context["paused_ids"] = paused_server_ids([context["entry"].server])
        return render(request, self.template_name, context)
