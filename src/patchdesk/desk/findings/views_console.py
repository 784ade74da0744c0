"""The operators' findings: every finding with filters, and changing a finding's state."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from patchdesk.desk.accounts.access import OperatorRequiredMixin
from patchdesk.desk.contracts.views._common import acting_user, add_service_error, is_htmx
from patchdesk.desk.core.errors import PatchdeskError
from patchdesk.desk.findings.forms import FindingFilterForm, FindingStateForm
from patchdesk.desk.findings.models import Finding, FindingState
from patchdesk.desk.findings.selectors import (
    CoverageJudge,
    FindingRow,
    actionable_candidates,
    finding_get,
    finding_list,
    finding_rows,
    policy_categories,
)
from patchdesk.desk.findings.services import finding_state_set

__all__ = ["FindingListView", "FindingStateView"]

FINDINGS_PER_PAGE = 100


def _filtered(request: HttpRequest) -> tuple[FindingFilterForm, dict[str, Any]]:
    data = request.GET.copy()
    if not any(name in data for name in FindingFilterForm.base_fields):
        data["state"] = FindingState.OPEN.value  # the default view: what is still open
    form = FindingFilterForm(data)
    form.is_valid()  # an invalid filter is left out; the valid ones apply
    values: dict[str, Any] = getattr(form, "cleaned_data", {})
    return form, values


class FindingListView(OperatorRequiredMixin, View):
    template_name = "findings/console/finding_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form, values = _filtered(request)
        findings = finding_list(
            actor=acting_user(request),
            level=values.get("level") or "",
            state=values.get("state") or "",
            customer=values.get("customer"),
            server=values.get("server"),
        )
        judge = CoverageJudge()
        page_number = request.GET.get("page")
        if values.get("actionable"):
            rows = finding_rows(actionable_candidates(findings), judge=judge, actionable_only=True)
            row_page = Paginator(rows, FINDINGS_PER_PAGE).get_page(page_number)
            page: Page[Any] = row_page
            page_rows: list[FindingRow] = list(row_page.object_list)
        else:
            finding_page = Paginator(findings, FINDINGS_PER_PAGE).get_page(page_number)
            page = finding_page
            page_rows = finding_rows(finding_page.object_list, judge=judge)
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "filters": form,
            "page": page,
            "rows": page_rows,
            "query": query.urlencode(),
            "categories": policy_categories(),
            "show_server": True,
            "next": request.get_full_path(),
        }
        if is_htmx(request):
            return render(request, "findings/partials/_finding_results.html", context)
        return render(request, self.template_name, context)


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/console/findings/"


class FindingStateView(OperatorRequiredMixin, View):
    """Risk accepted / not applicable (with a note), or open again. With HTMX: the row."""

    http_method_names = ["post"]

    def _row(
        self, request: HttpRequest, finding: Finding, status: int = 200, **extra: Any
    ) -> HttpResponse:
        context = {
            "row": finding_rows([finding])[0],
            "categories": policy_categories(),
            "show_server": request.POST.get("show_server") != "0",
            "next": _back(request),
            **extra,
        }
        if is_htmx(request):
            return render(request, "findings/partials/_finding_row.html", context, status=status)
        return render(request, "findings/console/finding_state.html", context, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        actor = acting_user(request)
        try:
            finding = finding_get(pk, actor=actor)
        except Finding.DoesNotExist:
            raise Http404 from None
        form = FindingStateForm(request.POST)
        if not form.is_valid():
            return self._row(request, finding, state_form=form)
        try:
            finding_state_set(
                finding,
                state=form.cleaned_data["state"],
                note=form.cleaned_data["note"],
                actor=actor,
            )
        except PatchdeskError as exc:
            add_service_error(form, exc)
            return self._row(
                request, finding, state_form=form, status=200 if is_htmx(request) else 400
            )
        message = _("%(package)s on %(server)s: %(state)s.") % {
            "package": finding.package,
            "server": finding.server.name,
            "state": FindingState(finding.state).label,
        }
        if is_htmx(request):
            finding = finding_get(pk, actor=actor)
            return self._row(request, finding, message=message)
        messages.success(request, message)
        return redirect(_back(request))
