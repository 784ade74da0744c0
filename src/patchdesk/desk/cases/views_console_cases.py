"""Cases in the console: the list (what needs an operator), and one case with its timeline,
internal notes, requests recorded on the customer's behalf, scheduling and quotes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from patchdesk.desk.accounts.access import OperatorRequiredMixin
from patchdesk.desk.accounts.models import Role, User
from patchdesk.desk.cases.forms import (
    MessageForm,
    QuoteDraftForm,
    RequestForm,
    ResolveForm,
    ServerPickForm,
)
from patchdesk.desk.cases.models import Case, CaseItem
from patchdesk.desk.cases.selectors import case_list, pending_review_count
from patchdesk.desk.cases.services import (
    RequestChoice,
    case_decline,
    case_message_post,
    case_quote_draft,
    case_request,
    item_problem_resolve,
)
from patchdesk.desk.cases.views_common import case_or_404, form_errors, refuse, servers_of
from patchdesk.desk.cases.views_portal import case_page_context
from patchdesk.desk.contracts.views._common import acting_user
from patchdesk.desk.core.errors import PatchdeskError
from patchdesk.desk.customers.models import Customer
from patchdesk.desk.work.selectors import window_offers
from patchdesk.desk.work.services import work_order_schedule
from patchdesk.engine.workflow.states import ItemState

__all__ = ["CaseConsoleActionView", "CaseConsoleDetailView", "CaseConsoleListView"]

SCHEDULABLE = [ItemState.REQUESTED, ItemState.FAILED, ItemState.PROBLEM_REPORTED]


class CaseConsoleListView(OperatorRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        state = request.GET.get("state", "open")
        needs = request.GET.get("needs") == "1"
        customer = Customer.objects.filter(pk=request.GET.get("customer") or 0).first()
        cases = case_list(
            actor=acting_user(request),
            state=state if state in {"open", "closed"} else "",
            needs_action=needs,
            customer=customer,
        )
        page = Paginator(cases, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "cases/console/case_list.html",
            {
                "page": page,
                "state": state,
                "needs": needs,
                "customer": customer,
                "customers": Customer.objects.order_by("name"),
                "to_review": pending_review_count(),
            },
        )


def _schedule_groups(case: Case) -> list[dict[str, Any]]:
    """Per server: the items an operator can book together, and the customer's preference."""
    groups: dict[int, dict[str, Any]] = {}
    for item in case.items.filter(state__in=SCHEDULABLE).select_related("server"):
        group = groups.setdefault(
            item.server_id, {"server": item.server, "items": [], "preferred": None}
        )
        group["items"].append(item)
        group["preferred"] = group["preferred"] or item.preferred_starts_at
    return list(groups.values())


class CaseConsoleDetailView(OperatorRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = case_or_404(request, pk)
        context = case_page_context(request, case)
        groups = _schedule_groups(case)
        context.update(
            {
                "schedule_groups": groups,
                "schedule_windows": window_offers() if groups else [],
                "operators": User.objects.filter(role=Role.OPERATOR, is_active=True).order_by(
                    "username"
                ),
                "quote_pending": [
                    item
                    for item in context["items"]
                    if item.state == ItemState.QUOTE_PENDING and item.quote_id is None
                ],
                "problems": [i for i in context["items"] if i.state == ItemState.PROBLEM_REPORTED],
                "resolve_form": ResolveForm(),
                "quote_form": QuoteDraftForm(),
            }
        )
        return render(request, "cases/console/case_detail.html", context)


class CaseConsoleActionView(OperatorRequiredMixin, View):
    http_method_names = ["post"]
    action = ""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = case_or_404(request, pk)
        try:
            getattr(self, f"_{self.action}")(request, case)
        except PatchdeskError as exc:
            refuse(request, None, exc)
        return redirect("console:cases:detail", pk=case.pk)

    def _ids(self, case: Case) -> list[int]:
        return list(case.items.values_list("server_id", flat=True))

    def _request(self, request: HttpRequest, case: Case) -> None:
        form = RequestForm(request.POST, server_ids=self._ids(case))
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return
        data = form.cleaned_data
        items = case_request(
            case,
            servers=servers_of(case, form.server_ids()),
            actor=acting_user(request),
            choice=RequestChoice(
                window_kind=data["window_kind"],
                window_starts_at=data.get("window"),
                off_hours_starts_at=data.get("off_hours_starts_at"),
                off_hours_ends_at=data.get("off_hours_ends_at"),
                accept_disclaimers=data["accept_disclaimers"],
                submission_key=data.get("submission_key", ""),
                received_via=data.get("received_via", ""),
            ),
        )
        messages.success(
            request,
            _("Request recorded on the customer's behalf for %(servers)s.")
            % {"servers": ", ".join(item.server.name for item in items)},
        )

    def _decline(self, request: HttpRequest, case: Case) -> None:
        form = ServerPickForm(request.POST, server_ids=self._ids(case))
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return
        case_decline(
            case,
            servers=servers_of(case, form.server_ids()),
            actor=acting_user(request),
            reason=form.cleaned_data.get("reason", ""),
        )
        messages.success(request, _("Declined on the customer's behalf."))

    def _schedule(self, request: HttpRequest, case: Case) -> None:
        ids = [int(v) for v in request.POST.getlist("items") if v.isdigit()]
        items = list(CaseItem.objects.filter(case=case, pk__in=ids))
        raw = request.POST.get("window", "")
        try:
            starts_at = datetime.fromisoformat(raw)
        except ValueError:
            messages.error(request, _("Choose a window."))
            return
        if not items or starts_at.tzinfo is None:
            messages.error(request, _("Choose the countermeasures and a window."))
            return
        operator = User.objects.filter(
            role=Role.OPERATOR, pk=request.POST.get("operator") or 0
        ).first()
        order = work_order_schedule(
            items, starts_at=starts_at, actor=acting_user(request), operator=operator
        )
        messages.success(
            request, _("Work order %(number)s is scheduled.") % {"number": order.number}
        )

    def _quote(self, request: HttpRequest, case: Case) -> None:
        form = QuoteDraftForm(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return
        server = case.items.filter(server_id=form.cleaned_data["server"]).first()
        if server is None:
            raise Http404
        quote = case_quote_draft(
            case,
            server=server.server,
            actor=acting_user(request),
            valid_until=form.cleaned_data.get("valid_until"),
        )
        messages.success(
            request, _("Quote %(number)s is sent to the customer.") % {"number": quote.number}
        )

    def _resolve(self, request: HttpRequest, case: Case) -> None:
        form = ResolveForm(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return
        item = case.items.filter(pk=form.cleaned_data["item"]).first()
        if item is None:
            raise Http404
        item_problem_resolve(item, actor=acting_user(request), text=form.cleaned_data["text"])
        messages.success(request, _("The problem is closed and the customer told."))

    def _message(self, request: HttpRequest, case: Case) -> None:
        form = MessageForm(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return
        case_message_post(
            case,
            actor=acting_user(request),
            text=form.cleaned_data["text"],
            is_internal=form.cleaned_data["is_internal"],
        )
        messages.success(request, _("Saved."))
