"""The operators' quotes (R4) and monthly billing lines with the CSV export (R8)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from patchdesk.desk.accounts.access import OperatorRequiredMixin
from patchdesk.desk.billing.choices import QuoteStateChoices
from patchdesk.desk.billing.forms import MonthForm, QuoteForm
from patchdesk.desk.billing.models import Quote
from patchdesk.desk.billing.selectors import (
    billing_line_list,
    billing_lines_csv,
    billing_month_get,
    billing_month_list,
    quote_get,
    quote_list,
)
from patchdesk.desk.billing.services import (
    billing_month_close,
    billing_month_generate,
    quote_create,
    quote_send,
)
from patchdesk.desk.contracts.selectors import business_calendar
from patchdesk.desk.contracts.views._common import (
    DisplayTimeZoneMixin,
    acting_user,
    add_service_error,
)
from patchdesk.desk.core.errors import PatchdeskError
from patchdesk.desk.customers.models import Customer
from patchdesk.desk.customers.selectors import customer_get
from patchdesk.engine.contracts import add_months, month_start

__all__ = [
    "BillingCsvView",
    "MonthlyBillingView",
    "QuoteCreateView",
    "QuoteDetailView",
    "QuoteListView",
    "QuoteSendView",
]


class QuoteListView(OperatorRequiredMixin, DisplayTimeZoneMixin, TemplateView):
    template_name = "billing/console/quote_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        state = self.request.GET.get("state", "")
        states = [state] if state in QuoteStateChoices.values else []
        context["quotes"] = quote_list(actor=acting_user(self.request), states=states)
        context["states"] = QuoteStateChoices.choices
        context["state"] = state
        return context


class QuoteCreateView(OperatorRequiredMixin, View):
    template_name = "billing/console/quote_form.html"

    def _customer(self, request: HttpRequest, raw: str | None) -> Customer | None:
        if not raw or not raw.isdigit():
            return None
        try:
            return customer_get(int(raw), actor=acting_user(request))
        except Customer.DoesNotExist:
            return None

    def get(self, request: HttpRequest) -> HttpResponse:
        customer = self._customer(request, request.GET.get("customer"))
        form = QuoteForm(customer=customer, initial={"customer": customer})
        return render(request, self.template_name, {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = QuoteForm(
            request.POST, customer=self._customer(request, request.POST.get("customer"))
        )
        if form.is_valid():
            data = dict(form.cleaned_data)
            customer = data.pop("customer")
            try:
                quote = quote_create(customer, **data, actor=acting_user(request))
            except PatchdeskError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The draft quote has been created."))
                return redirect("console:billing:quote", pk=quote.pk)
        return render(request, self.template_name, {"form": form})


def _quote_or_404(request: HttpRequest, pk: int) -> Quote:
    try:
        return quote_get(pk, actor=acting_user(request))
    except Quote.DoesNotExist:
        raise Http404 from None


class QuoteDetailView(OperatorRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(
            request, "billing/console/quote_detail.html", {"quote": _quote_or_404(request, pk)}
        )


class QuoteSendView(OperatorRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        quote = _quote_or_404(request, pk)
        try:
            quote_send(quote, actor=acting_user(request))
        except PatchdeskError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The quote has been sent to the customer."))
        return redirect("console:billing:quote", pk=quote.pk)


def _month(raw: str | None) -> date:
    form = MonthForm({"month": raw or ""})
    if form.is_valid():
        return month_start(form.cleaned_data["month"])
    today = business_calendar().local_date(timezone.now())
    return add_months(month_start(today), -1)


class MonthlyBillingView(OperatorRequiredMixin, View):
    """Lines of one month: generate (draft, may be regenerated), close, export as CSV."""

    template_name = "billing/console/monthly.html"

    def _render(self, request: HttpRequest, month: date, error: str = "") -> HttpResponse:
        lines = billing_line_list(actor=acting_user(request), month=month)
        per_customer = lines.values("customer__name", "customer__code").annotate(
            total=Sum("amount")
        )
        return render(
            request,
            self.template_name,
            {
                "month": month,
                "month_form": MonthForm(initial={"month": month}),
                "billing_month": billing_month_get(month),
                "lines": lines,
                "per_customer": per_customer.order_by("customer__name"),
                "total": lines.aggregate(total=Sum("amount"))["total"] or 0,
                "months": billing_month_list()[:12],
                "error": error,
            },
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, _month(request.GET.get("month")))

    def post(self, request: HttpRequest) -> HttpResponse:
        month = _month(request.POST.get("month"))
        actor = acting_user(request)
        try:
            if request.POST.get("action") == "close":
                billing_month = billing_month_get(month)
                if billing_month is None:
                    raise Http404
                billing_month_close(billing_month, actor=actor)
                messages.success(request, _("The month is closed; its lines are final."))
            else:
                billing_month_generate(month, actor=actor)
                messages.success(request, _("The billing lines have been generated."))
        except PatchdeskError as exc:
            return self._render(request, month, error=exc.message)
        return redirect(f"{request.path}?month={month:%Y-%m}")


class BillingCsvView(OperatorRequiredMixin, View):
    def get(self, request: HttpRequest, year: int, month: int) -> HttpResponse:
        try:
            first = date(year, month, 1)
        except ValueError:
            raise Http404 from None
        lines = billing_line_list(actor=acting_user(request), month=first)
        response = HttpResponse(
            "\ufeff" + billing_lines_csv(lines), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="billing-{first:%Y-%m}.csv"'
        return response
