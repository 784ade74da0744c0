"""The customer's side of the service flow: the inbox of announcements, each case with its
requests, verification and messages. Scoped to the user's company: another company's case is
a 404. Admins act; members read and write messages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from patchdesk.desk.accounts.access import CustomerUserRequiredMixin
from patchdesk.desk.advisories.models import AdvisoryCve, AffectedPackage
from patchdesk.desk.cases.choices import DeliveryChoices
from patchdesk.desk.cases.disclaimers import DISCLAIMERS
from patchdesk.desk.cases.forms import MessageForm, ProblemForm, RequestForm, ServerPickForm
from patchdesk.desk.cases.models import Case
from patchdesk.desk.cases.selectors import case_events, case_items, case_list
from patchdesk.desk.cases.services import (
    RequestChoice,
    case_decline,
    case_message_post,
    case_quote_accept,
    case_request,
    case_verify,
    item_problem_report,
)
from patchdesk.desk.cases.views_common import (
    case_or_404,
    form_errors,
    is_customer_admin,
    refuse,
    servers_of,
)
from patchdesk.desk.contracts.selectors import (
    business_calendar,
    documents_in_force,
    plan_change_upgradable,
)
from patchdesk.desk.contracts.views._common import acting_user
from patchdesk.desk.core.errors import PatchdeskError
from patchdesk.desk.work.selectors import window_offers, work_orders_of_case
from patchdesk.engine.workflow.states import ItemState

__all__ = ["CaseActionView", "CaseDetailView", "InboxView"]


class InboxView(CustomerUserRequiredMixin, TemplateView):
    template_name = "cases/portal/inbox.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = acting_user(self.request)
        state = self.request.GET.get("state", "all")
        context["state"] = state if state in {"open", "closed", "all"} else "all"
        context["cases"] = case_list(
            actor=user, state="" if context["state"] == "all" else context["state"]
        )[:200]
        context["display_tz"] = user.customer.time_zone if user.customer else None
        return context


def case_page_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """Everything the case page shows (portal and console share most of it)."""
    user = acting_user(request)
    items = list(case_items(case))
    waiting = [item for item in items if item.state in {ItemState.AWAITING_REQUEST, "declined"}]
    requestable = [item for item in waiting if item.is_actionable]
    now = timezone.now()
    try:
        specification, _terms = documents_in_force(on=business_calendar().local_date(now))
    except PatchdeskError:
        specification = None
    announcement = case.announcement
    return {
        "case": case,
        "announcement": announcement,
        "advisory": announcement.advisory,
        "cve_ids": list(
            AdvisoryCve.objects.filter(advisory=announcement.advisory)
            .order_by("cve_id")
            .values_list("cve_id", flat=True)
        ),
        "packages": list(
            AffectedPackage.objects.filter(
                advisory=announcement.advisory, platform_key=announcement.platform_key
            ).order_by("package")
        ),
        "items": items,
        "requestable": requestable,
        "declinable": [
            item
            for item in items
            if item.state in {"awaiting_request", "quote_pending", "requested", "scheduled"}
            and item.is_actionable
        ],
        "done_items": [item for item in items if item.state == ItemState.DONE],
        "quote_items": [item for item in items if item.state == "quote_pending" and item.quote],
        "not_covered": [item for item in items if item.is_affected and not item.is_actionable],
        "is_portal_only": case.delivery == DeliveryChoices.PORTAL_ONLY,
        "windows": window_offers(now=now) if requestable and not case.is_closed else [],
        "is_past_deadline": case.request_deadline_at < now,
        "specification": specification,
        "disclaimers": DISCLAIMERS,
        "events": case_events(case, actor=user),
        "orders": work_orders_of_case(case),
        "request_form": RequestForm(server_ids=[i.server_id for i in requestable]),
        "message_form": MessageForm(),
        "problem_form": ProblemForm(),
    }


class CaseDetailView(CustomerUserRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = case_or_404(request, pk)
        context = case_page_context(request, case)
        user = acting_user(request)
        context["is_admin"] = is_customer_admin(request)
        context["display_tz"] = user.customer.time_zone if user.customer else None
        if context["is_portal_only"] and context["is_admin"]:
            # Straight to the upgrade of each server left out by its Standard plan.
            context["upgrades"] = plan_change_upgradable(
                actor=user, server_ids=[item.server_id for item in context["items"]]
            )
        return render(request, "cases/portal/case_detail.html", context)


class CaseActionView(CustomerUserRequiredMixin, View):
    """POST one action on the case; refusals come back as a message on the case page."""

    http_method_names = ["post"]
    action = ""
    ADMIN_ONLY = frozenset({"request", "decline", "verify", "problem", "quote_accept"})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = case_or_404(request, pk)
        if self.action in self.ADMIN_ONLY and not is_customer_admin(request):
            raise PermissionDenied
        user = acting_user(request)
        assert user.customer is not None
        with timezone.override(user.customer.time_zone):
            try:
                getattr(self, f"_{self.action}")(request, case)
            except PatchdeskError as exc:
                refuse(request, None, exc)
        return redirect("portal:cases:detail", pk=case.pk)

    def _pick(self, request: HttpRequest, case: Case, form_class: type = ServerPickForm) -> Any:
        ids = list(case.items.values_list("server_id", flat=True))
        form = form_class(request.POST, server_ids=ids)
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return None
        return form

    def _request(self, request: HttpRequest, case: Case) -> None:
        form = self._pick(request, case, RequestForm)
        if form is None:
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
            ),
        )
        names = ", ".join(item.server.name for item in items)
        messages.success(
            request, _("Thank you: your request for %(servers)s is recorded.") % {"servers": names}
        )

    def _decline(self, request: HttpRequest, case: Case) -> None:
        form = self._pick(request, case)
        if form is None:
            return
        items = case_decline(
            case,
            servers=servers_of(case, form.server_ids()),
            actor=acting_user(request),
            reason=form.cleaned_data.get("reason", ""),
        )
        names = ", ".join(item.server.name for item in items)
        messages.success(
            request, _("Declined for %(servers)s: we will not do this work.") % {"servers": names}
        )

    def _verify(self, request: HttpRequest, case: Case) -> None:
        raw = request.POST.get("server", "")
        servers = [int(raw)] if raw.isdigit() else None
        items = case_verify(case, actor=acting_user(request), servers=servers)
        names = ", ".join(item.server.name for item in items)
        messages.success(
            request,
            _("Thank you: %(servers)s verified; the work is complete.") % {"servers": names},
        )

    def _problem(self, request: HttpRequest, case: Case) -> None:
        form = ProblemForm(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return
        item = case.items.filter(pk=form.cleaned_data["item"]).first()
        if item is None:
            messages.error(request, _("This server is not part of the case."))
            return
        item_problem_report(item, actor=acting_user(request), text=form.cleaned_data["text"])
        messages.success(request, _("Your report was sent to our operators; we will answer here."))

    def _message(self, request: HttpRequest, case: Case) -> None:
        form = MessageForm(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return
        case_message_post(case, actor=acting_user(request), text=form.cleaned_data["text"])
        messages.success(request, _("Your message was sent."))

    def _quote_accept(self, request: HttpRequest, case: Case) -> None:
        raw = request.POST.get("item", "")
        item = case.items.filter(pk=int(raw)).first() if raw.isdigit() else None
        if item is None:
            messages.error(request, _("This server is not part of the case."))
            return
        quote = case_quote_accept(item, actor=acting_user(request))
        messages.success(
            request,
            _("Quote %(number)s accepted: the off-hours window is booked.")
            % {"number": quote.number},
        )
