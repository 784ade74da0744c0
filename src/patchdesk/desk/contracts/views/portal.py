"""The customer's contract pages (R10-R13): servers and contracts, application, cancellation.

Every page is scoped to the user's company: another customer's contract is a 404.
Members read; only the customer's admins apply and request cancellations.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from patchdesk.desk.accounts.access import CustomerUserRequiredMixin
from patchdesk.desk.accounts.models import CustomerRole
from patchdesk.desk.contracts.forms import ApplicationForm, CancellationForm, PlanChangeForm
from patchdesk.desk.contracts.models import Contract
from patchdesk.desk.contracts.selectors import (
    business_calendar,
    contract_get,
    contract_history_rows,
    contract_pending_cancellation,
    contract_plan_change,
    contracts_of_submission,
    documents_in_force,
    earliest_cancellation_for,
    plan_change_refusal,
    plan_change_target,
    server_application_options,
    server_contract_rows,
)
from patchdesk.desk.contracts.services import (
    contract_apply,
    contract_cancellation_request,
    contract_plan_change_request,
)
from patchdesk.desk.contracts.views._common import (
    DisplayTimeZoneMixin,
    acting_user,
    add_service_error,
)
from patchdesk.desk.core.errors import PatchdeskError

__all__ = [
    "PortalApplyView",
    "PortalCancelView",
    "PortalContractDetailView",
    "PortalContractListView",
    "PortalPlanChangeView",
]


def _is_admin(request: HttpRequest) -> bool:
    return acting_user(request).customer_role == CustomerRole.ADMIN


class PortalContractListView(CustomerUserRequiredMixin, DisplayTimeZoneMixin, TemplateView):
    template_name = "contracts/portal/contract_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = acting_user(self.request)
        assert user.customer is not None
        context["rows"] = server_contract_rows(actor=user, customer=user.customer)
        context["is_admin"] = _is_admin(self.request)
        return context


class PortalApplyView(CustomerUserRequiredMixin, View):
    """The web form (R10): several servers at once, one plan, the documents accepted."""

    template_name = "contracts/portal/apply.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not _is_admin(request):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def _context(self, form: ApplicationForm | None = None) -> dict[str, Any]:
        user = acting_user(self.request)
        assert user.customer is not None
        calendar = business_calendar()
        today = calendar.local_date(timezone.now())
        options = server_application_options(customer=user.customer, on=today, calendar=calendar)
        if form is None:
            form = ApplicationForm(options=options, initial={"submission_key": uuid.uuid4()})
        specification, terms = documents_in_force(on=today)
        return {
            "form": form,
            "options": options,
            "ineligible": [o for o in options if not o.is_eligible],
            "specification": specification,
            "terms": terms,
            "earliest_start": calendar.next_business_day(today),
            "display_tz": user.customer.time_zone,
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, self._context())

    def post(self, request: HttpRequest) -> HttpResponse:
        user = acting_user(request)
        assert user.customer is not None
        earlier = contracts_of_submission(
            customer=user.customer, key=request.POST.get("submission_key", "")
        )
        if earlier:  # the same form submitted again: the application exists already
            return self._received(request, earlier)
        options = self._context()["options"]
        form = ApplicationForm(request.POST, options=options)
        if form.is_valid():
            try:
                contracts = contract_apply(
                    user.customer,
                    servers=form.cleaned_data["servers"],
                    plan=form.cleaned_data["plan"],
                    actor=user,
                    submission_key=form.cleaned_data["submission_key"],
                )
            except PatchdeskError as exc:
                add_service_error(form, exc)
            else:
                return self._received(request, contracts)
        return render(request, self.template_name, self._context(form))

    def _received(self, request: HttpRequest, contracts: list[Contract]) -> HttpResponse:
        names = ", ".join(sorted(c.server.name for c in contracts))
        messages.success(
            request,
            _(
                "Your application for %(servers)s has been received. The service "
                "starts on the business day after we accept it."
            )
            % {"servers": names},
        )
        return redirect("portal:contracts:list")


def _contract_or_404(request: HttpRequest, pk: int) -> Contract:
    try:
        return contract_get(pk, actor=acting_user(request))
    except Contract.DoesNotExist:
        raise Http404 from None


def _detail_context(
    request: HttpRequest, contract: Contract, form: CancellationForm | None = None
) -> dict[str, Any]:
    user = acting_user(request)
    today = business_calendar().local_date(timezone.now())
    earliest = earliest_cancellation_for(contract, today=today)
    if form is None and earliest is not None:
        form = CancellationForm(initial={"cancel_on": earliest})
    return {
        "contract": contract,
        "pending": contract_pending_cancellation(contract),
        "plan_change": contract_plan_change(contract),
        "target_plan": plan_change_target(contract),
        "earliest": earliest,
        "form": form,
        "history": contract_history_rows(contract),
        "is_admin": user.customer_role == CustomerRole.ADMIN,
        "display_tz": contract.customer.time_zone,
    }


class PortalContractDetailView(CustomerUserRequiredMixin, View):
    template_name = "contracts/portal/contract_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        contract = _contract_or_404(request, pk)
        return render(request, self.template_name, _detail_context(request, contract))


class PortalCancelView(CustomerUserRequiredMixin, View):
    """A cancellation request (R12): refused dates come back with the rule and earliest date."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contract = _contract_or_404(request, pk)
        if not _is_admin(request):
            raise PermissionDenied
        form = CancellationForm(request.POST)
        if form.is_valid():
            try:
                cancellation = contract_cancellation_request(
                    contract, cancel_on=form.cleaned_data["cancel_on"], actor=acting_user(request)
                )
            except PatchdeskError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Your cancellation request has been received: the last day of service "
                        "is %(day)s."
                    )
                    % {"day": formats.date_format(cancellation.cancel_on, "DATE_FORMAT")},
                )
                return redirect(reverse("portal:contracts:detail", args=[contract.pk]))
        return render(
            request,
            PortalContractDetailView.template_name,
            _detail_context(request, contract, form),
        )


class PortalPlanChangeView(CustomerUserRequiredMixin, View):
    """A plan change of one contract (Standard ⇄ Security Update Service), asked by an admin:
    the date it would take effect and what it covers are shown before posting."""

    template_name = "contracts/portal/plan_change.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not _is_admin(request):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def _context(self, contract: Contract, form: PlanChangeForm | None = None) -> dict[str, Any]:
        calendar = business_calendar()
        today = calendar.local_date(timezone.now())
        target = plan_change_target(contract)
        if form is None:
            form = PlanChangeForm(initial={"plan": target.value, "submission_key": uuid.uuid4()})
        specification, terms = documents_in_force(on=today)
        return {
            "contract": contract,
            "target_plan": Contract(plan=target.value).get_plan_display(),
            "is_upgrade": target.value == "security_update",
            "refusal": plan_change_refusal(
                contract, to_plan=target, today=today, calendar=calendar
            ),
            "form": form,
            "earliest_start": calendar.next_business_day(today),
            "specification": specification,
            "terms": terms,
            "display_tz": contract.customer.time_zone,
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        contract = _contract_or_404(request, pk)
        return render(request, self.template_name, self._context(contract))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contract = _contract_or_404(request, pk)
        form = PlanChangeForm(request.POST)
        if form.is_valid():
            try:
                change = contract_plan_change_request(
                    contract,
                    plan=form.cleaned_data["plan"],
                    actor=acting_user(request),
                    submission_key=form.cleaned_data["submission_key"],
                )
            except PatchdeskError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Your request to change %(server)s to %(plan)s has been received. The "
                        "new plan takes effect on the business day after we accept it."
                    )
                    % {"server": contract.server.name, "plan": change.get_plan_display()},
                )
                return redirect(reverse("portal:contracts:detail", args=[contract.pk]))
        return render(request, self.template_name, self._context(contract, form))
