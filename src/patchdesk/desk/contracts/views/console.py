"""The operators' contract pages: contracts, applications to decide, the order form,
cancellations on the customer's behalf."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from patchdesk.desk.accounts.access import OperatorRequiredMixin
from patchdesk.desk.contracts.choices import Channel, ContractStateChoices
from patchdesk.desk.contracts.forms import (
    CancellationForm,
    CustomerChoiceForm,
    OptionalReasonForm,
    OrderForm,
    OrderPlanChangeForm,
    ReasonForm,
)
from patchdesk.desk.contracts.models import Contract
from patchdesk.desk.contracts.selectors import (
    business_calendar,
    contract_get,
    contract_history_rows,
    contract_list,
    contract_pending_cancellation,
    contract_plan_change,
    earliest_cancellation_for,
    plan_change_refusal,
    plan_change_target,
    server_application_options,
)
from patchdesk.desk.contracts.services import (
    contract_accept,
    contract_apply,
    contract_cancellation_request,
    contract_cancellation_withdraw,
    contract_plan_change_request,
    contract_reject,
)
from patchdesk.desk.contracts.views._common import (
    DisplayTimeZoneMixin,
    acting_user,
    add_service_error,
    is_htmx,
)
from patchdesk.desk.core.errors import PatchdeskError
from patchdesk.desk.customers.models import Customer
from patchdesk.desk.customers.selectors import customer_get

__all__ = [
    "ApplicationListView",
    "ContractAcceptView",
    "ContractCancelView",
    "ContractDetailView",
    "ContractListView",
    "ContractPlanChangeView",
    "ContractRejectView",
    "ContractWithdrawCancellationView",
    "OrderFormView",
]


def _contract_or_404(request: HttpRequest, pk: int) -> Contract:
    try:
        return contract_get(pk, actor=acting_user(request))
    except Contract.DoesNotExist:
        raise Http404 from None


class ContractListView(OperatorRequiredMixin, DisplayTimeZoneMixin, TemplateView):
    template_name = "contracts/console/contract_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        state = self.request.GET.get("state", "")
        states = [state] if state in ContractStateChoices.values else None
        context["contracts"] = contract_list(actor=acting_user(self.request), states=states)
        context["states"] = ContractStateChoices.choices
        context["state"] = state
        return context


class ApplicationListView(OperatorRequiredMixin, DisplayTimeZoneMixin, TemplateView):
    """Applications waiting for an operator's decision, oldest first."""

    template_name = "contracts/console/application_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["contracts"] = contract_list(
            actor=acting_user(self.request), states=[ContractStateChoices.APPLIED]
        ).order_by("applied_at", "pk")
        context["reject_form"] = ReasonForm()
        calendar = business_calendar()
        context["start_if_accepted_now"] = calendar.next_business_day(
            calendar.local_date(timezone.now())
        )
        return context


def _detail_context(request: HttpRequest, contract: Contract, **forms: Any) -> dict[str, Any]:
    calendar = business_calendar()
    today = calendar.local_date(timezone.now())
    earliest = earliest_cancellation_for(contract, today=today)
    target = plan_change_target(contract)
    return {
        "contract": contract,
        "plan_change": contract_plan_change(contract),
        "target_plan": Contract(plan=target.value).get_plan_display(),
        "plan_change_refusal": plan_change_refusal(
            contract, to_plan=target, today=today, calendar=calendar
        ),
        "plan_change_form": forms.get("plan_change_form")
        or OrderPlanChangeForm(initial={"plan": target.value, "submission_key": uuid.uuid4()}),
        "start_if_accepted_now": calendar.next_business_day(today),
        "pending": contract_pending_cancellation(contract),
        "earliest": earliest,
        "history": contract_history_rows(contract),
        "reject_form": forms.get("reject_form") or ReasonForm(),
        "cancel_form": forms.get("cancel_form")
        or CancellationForm(initial={"cancel_on": earliest}),
        "withdraw_form": OptionalReasonForm(),
        "error": forms.get("error"),
    }


class ContractDetailView(OperatorRequiredMixin, View):
    template_name = "contracts/console/contract_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        contract = _contract_or_404(request, pk)
        return render(request, self.template_name, _detail_context(request, contract))


class _ContractActionView(OperatorRequiredMixin, View):
    """POST only; success → back to where the operator came from (or an HTMX row)."""

    http_method_names = ["post"]

    def done(self, request: HttpRequest, contract: Contract, message: str) -> HttpResponse:
        if is_htmx(request):
            contract = _contract_or_404(request, contract.pk)
            return render(
                request,
                "contracts/partials/_application_row.html",
                {"contract": contract, "message": message},
            )
        messages.success(request, message)
        return redirect("console:contracts:detail", pk=contract.pk)

    def refused(self, request: HttpRequest, contract: Contract, **forms: Any) -> HttpResponse:
        if is_htmx(request):
            error = forms.get("error")
            return render(
                request,
                "contracts/partials/_application_row.html",
                {"contract": contract, "error": error, "reject_form": forms.get("reject_form")},
            )
        return render(
            request,
            ContractDetailView.template_name,
            _detail_context(request, contract, **forms),
            status=400 if forms.get("error") else 200,
        )


class ContractAcceptView(_ContractActionView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contract = _contract_or_404(request, pk)
        try:
            contract = contract_accept(contract, actor=acting_user(request))
        except PatchdeskError as exc:
            return self.refused(request, contract, error=exc.message)
        assert contract.start_date is not None
        message = _("Accepted: %(server)s starts on %(day)s.") % {
            "server": contract.server.name,
            "day": formats.date_format(contract.start_date, "DATE_FORMAT"),
        }
        return self.done(request, contract, message)


class ContractRejectView(_ContractActionView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contract = _contract_or_404(request, pk)
        form = ReasonForm(request.POST)
        if not form.is_valid():
            return self.refused(request, contract, reject_form=form)
        try:
            contract = contract_reject(
                contract, actor=acting_user(request), reason=form.cleaned_data["reason"]
            )
        except PatchdeskError as exc:
            return self.refused(request, contract, error=exc.message)
        message = _("Rejected: %(server)s.") % {"server": contract.server.name}
        return self.done(request, contract, message)


class ContractCancelView(_ContractActionView):
    """A cancellation the customer asked for by mail or phone, recorded by an operator."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contract = _contract_or_404(request, pk)
        form = CancellationForm(request.POST)
        if form.is_valid():
            try:
                contract_cancellation_request(
                    contract,
                    cancel_on=form.cleaned_data["cancel_on"],
                    actor=acting_user(request),
                    channel=Channel.ORDER_FORM,
                )
            except PatchdeskError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The cancellation has been recorded."))
                return redirect("console:contracts:detail", pk=contract.pk)
        return self.refused(request, contract, cancel_form=form)


class ContractPlanChangeView(_ContractActionView):
    """A plan change the customer asked for by mail, phone or order form, recorded by an
    operator (received through: order form); it is then accepted like an application."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contract = _contract_or_404(request, pk)
        form = OrderPlanChangeForm(request.POST)
        if form.is_valid():
            try:
                change = contract_plan_change_request(
                    contract,
                    plan=form.cleaned_data["plan"],
                    actor=acting_user(request),
                    channel=Channel.ORDER_FORM,
                    submission_key=form.cleaned_data["submission_key"],
                    order_reference=form.cleaned_data["order_reference"],
                )
            except PatchdeskError as exc:
                return self.refused(request, contract, error=exc.message)
            messages.success(
                request,
                _("Plan change to %(plan)s entered for %(server)s; accept it when ready.")
                % {"plan": change.get_plan_display(), "server": contract.server.name},
            )
            return redirect("console:contracts:detail", pk=change.pk)
        return self.refused(request, contract, plan_change_form=form)


class ContractWithdrawCancellationView(_ContractActionView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contract = _contract_or_404(request, pk)
        form = OptionalReasonForm(request.POST)
        form.is_valid()
        try:
            contract_cancellation_withdraw(
                contract, actor=acting_user(request), reason=form.cleaned_data.get("reason", "")
            )
        except PatchdeskError as exc:
            return self.refused(request, contract, error=exc.message)
        messages.success(request, _("The cancellation has been withdrawn."))
        return redirect("console:contracts:detail", pk=contract.pk)


class OrderFormView(OperatorRequiredMixin, View):
    """An application entered from a customer's order form (R10), marked as such."""

    template_name = "contracts/console/order_form.html"

    def _customer(self, request: HttpRequest, raw: str | None) -> Customer | None:
        if not raw or not raw.isdigit():
            return None
        try:
            return customer_get(int(raw), actor=acting_user(request))
        except Customer.DoesNotExist:
            raise Http404 from None

    def _render(
        self, request: HttpRequest, customer: Customer | None, form: OrderForm | None = None
    ) -> HttpResponse:
        context: dict[str, Any] = {"customer": customer}
        customer_form = CustomerChoiceForm(initial={"customer": customer.pk if customer else None})
        customer_form.fields["customer"].widget.attrs.update(
            {
                "hx-get": reverse("console:contracts:order"),
                "hx-target": "#order-servers",
                "hx-trigger": "change",
            }
        )
        context["customer_form"] = customer_form
        if customer is not None:
            calendar = business_calendar()
            today = calendar.local_date(timezone.now())
            options = server_application_options(customer=customer, on=today, calendar=calendar)
            context["ineligible"] = [o for o in options if not o.is_eligible]
            context["form"] = form or OrderForm(
                options=options, initial={"submission_key": uuid.uuid4()}
            )
        template = "contracts/partials/_order_servers.html" if is_htmx(request) else None
        return render(request, template or self.template_name, context)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, self._customer(request, request.GET.get("customer")))

    def post(self, request: HttpRequest) -> HttpResponse:
        customer = self._customer(request, request.POST.get("customer"))
        if customer is None:
            return self._render(request, None)
        calendar = business_calendar()
        today = calendar.local_date(timezone.now())
        options = server_application_options(customer=customer, on=today, calendar=calendar)
        form = OrderForm(request.POST, options=options)
        if form.is_valid():
            try:
                contracts = contract_apply(
                    customer,
                    servers=form.cleaned_data["servers"],
                    plan=form.cleaned_data["plan"],
                    actor=acting_user(request),
                    channel=Channel.ORDER_FORM,
                    submission_key=form.cleaned_data["submission_key"],
                    order_reference=form.cleaned_data["order_reference"],
                )
            except PatchdeskError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Application entered for %(servers)s; accept it when ready.")
                    % {"servers": ", ".join(c.server.name for c in contracts)},
                )
                return redirect("console:contracts:applications")
        return self._render(request, customer, form)
