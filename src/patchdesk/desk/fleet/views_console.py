"""The operators' server list: filters, scans on request, adding a server."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from patchdesk.desk.accounts.access import OperatorRequiredMixin
from patchdesk.desk.cases.selectors import paused_server_ids
from patchdesk.desk.contracts.views._common import acting_user, add_service_error, is_htmx
from patchdesk.desk.core.errors import PatchdeskError
from patchdesk.desk.fleet.forms import ScanSelectionForm, ServerCreateForm, ServerFilterForm
from patchdesk.desk.fleet.selectors import (
    SERVERS_PER_PAGE,
    server_list,
    server_rows,
    servers_by_ids,
    servers_managed,
)
from patchdesk.desk.fleet.services import scans_request, server_create

__all__ = ["ScanRequestView", "ServerCreateView", "ServerListView"]


def _list_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    filters = ServerFilterForm(request.GET or None)
    filters.is_valid()  # an invalid filter is left out; the valid ones apply
    values: dict[str, Any] = getattr(filters, "cleaned_data", {})
    customer, platform = values.get("customer"), values.get("platform")
    servers = server_list(
        actor=acting_user(request),
        customer_id=customer.pk if customer else None,
        platform_id=platform.pk if platform else None,
        problem=values.get("problem") or "",
        search=values.get("q") or "",
    )
    page = Paginator(servers, SERVERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    shown = list(page.object_list)
    return {
        "filters": filters,
        "page": page,
        "rows": server_rows(shown, today=timezone.localdate()),
        "paused_ids": paused_server_ids(shown),
        "query": query.urlencode(),
        "create_form": extra.get("create_form") or ServerCreateForm(),
        "scan_errors": extra.get("scan_errors"),
    }


class ServerListView(OperatorRequiredMixin, View):
    template_name = "fleet/console/server_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        context = _list_context(request)
        if is_htmx(request):
            return render(request, "fleet/partials/_server_table.html", context)
        return render(request, self.template_name, context)


class ServerCreateView(OperatorRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ServerCreateForm(request.POST)
        if form.is_valid():
            try:
                server = server_create(**form.cleaned_data, actor=acting_user(request))
            except PatchdeskError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request, _("The server %(name)s has been added.") % {"name": server.name}
                )
                return redirect("console:servers:detail", pk=server.pk)
        return render(
            request, ServerListView.template_name, _list_context(request, create_form=form)
        )


class ScanRequestView(OperatorRequiredMixin, View):
    """Scan the ticked servers, or every managed server; the scans run in a background job."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ScanSelectionForm(request.POST)
        if not form.is_valid():
            errors = [str(error) for error in form.non_field_errors()] or [
                _("Select at least one server.")
            ]
            return render(
                request,
                ServerListView.template_name,
                _list_context(request, scan_errors=errors),
                status=400,
            )
        actor = acting_user(request)
        if form.cleaned_data["scope"] == "all":
            servers = servers_managed(actor=actor)
        else:
            servers = servers_by_ids(form.cleaned_data["servers"], actor=actor)
        scans = scans_request(servers, actor=actor)
        messages.success(request, _("Scans queued: %(count)d.") % {"count": len(scans)})
        back = request.POST.get("next", "")
        if back.startswith("/console/servers/"):
            return redirect(back)
        return redirect("console:servers:list")
