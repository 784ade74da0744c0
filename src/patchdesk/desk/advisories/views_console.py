"""The operators' advisories: the list with filters, and one advisory with its CVEs' verdicts
and the servers it affects."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from patchdesk.desk.accounts.access import OperatorRequiredMixin
from patchdesk.desk.advisories.forms import AdvisoryFilterForm
from patchdesk.desk.advisories.models import Advisory
from patchdesk.desk.advisories.selectors import (
    ADVISORIES_PER_PAGE,
    advisory_affected_by_platform,
    advisory_cve_ids,
    advisory_get,
    advisory_list,
    advisory_platform_keys,
    advisory_rows,
    classifications_of,
)
from patchdesk.desk.contracts.views._common import acting_user, is_htmx
from patchdesk.desk.findings.selectors import finding_list, finding_rows, policy_categories

__all__ = ["AdvisoryDetailView", "AdvisoryListView"]


class AdvisoryListView(OperatorRequiredMixin, View):
    template_name = "advisories/console/advisory_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        filters = AdvisoryFilterForm(request.GET or None, platform_keys=advisory_platform_keys())
        filters.is_valid()  # an invalid filter is left out; the valid ones apply
        values: dict[str, Any] = getattr(filters, "cleaned_data", {})
        advisories = advisory_list(
            search=values.get("q") or "",
            platform_key=values.get("platform") or "",
            level=values.get("level") or "",
        )
        page = Paginator(advisories, ADVISORIES_PER_PAGE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "filters": filters,
            "page": page,
            "rows": advisory_rows(list(page.object_list)),
            "query": query.urlencode(),
        }
        if is_htmx(request):
            return render(request, "advisories/partials/_advisory_results.html", context)
        return render(request, self.template_name, context)


class AdvisoryDetailView(OperatorRequiredMixin, View):
    template_name = "advisories/console/advisory_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            advisory = advisory_get(pk)
        except Advisory.DoesNotExist:
            raise Http404 from None
        ids = advisory_cve_ids(advisory)
        verdicts = classifications_of(ids)
        findings = finding_list(actor=acting_user(request), advisory=advisory, include_fixed=False)
        context = {
            "advisory": advisory,
            "affected": advisory_affected_by_platform(advisory),
            "cves": [(cve, verdicts.get(cve)) for cve in ids],
            "finding_rows": finding_rows(findings),
            "categories": policy_categories(),
            "next": request.get_full_path(),
        }
        return render(request, self.template_name, context)
