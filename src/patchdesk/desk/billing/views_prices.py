"""The operators' price table pages (R8): versions, monthly fees and off-hours rates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from patchdesk.desk.accounts.access import OperatorRequiredMixin
from patchdesk.desk.billing.forms import FeeForm, PriceTableForm, RateForm
from patchdesk.desk.billing.models import PriceTable
from patchdesk.desk.billing.selectors import (
    price_table_get,
    price_table_row_get,
    price_table_validity,
)
from patchdesk.desk.billing.services import (
    price_table_create,
    price_table_fee_remove,
    price_table_fee_set,
    price_table_is_frozen,
    price_table_rate_remove,
    price_table_rate_set,
)
from patchdesk.desk.contracts.views._common import acting_user, add_service_error
from patchdesk.desk.core.errors import PatchdeskError

__all__ = ["PriceTableDetailView", "PriceTableListView", "PriceTableRowRemoveView"]


def _table_or_404(pk: int) -> PriceTable:
    try:
        return price_table_get(pk)
    except PriceTable.DoesNotExist:
        raise Http404 from None


class PriceTableListView(OperatorRequiredMixin, View):
    template_name = "billing/console/price_tables.html"

    def _render(self, request: HttpRequest, form: PriceTableForm) -> HttpResponse:
        return render(request, self.template_name, {"tables": price_table_validity(), "form": form})

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, PriceTableForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PriceTableForm(request.POST)
        if form.is_valid():
            try:
                table = price_table_create(**form.cleaned_data, actor=acting_user(request))
            except PatchdeskError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The price table has been created."))
                return redirect("console:billing:price_table", pk=table.pk)
        return self._render(request, form)


class PriceTableDetailView(OperatorRequiredMixin, View):
    """One version; its fees and rates are edited here until it has been used."""

    template_name = "billing/console/price_table.html"

    def _render(self, request: HttpRequest, table: PriceTable, **forms: Any) -> HttpResponse:
        return render(
            request,
            self.template_name,
            {
                "table": table,
                "is_frozen": price_table_is_frozen(table),
                "fee_form": forms.get("fee_form") or FeeForm(),
                "rate_form": forms.get("rate_form") or RateForm(),
                "error": forms.get("error", ""),
            },
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, _table_or_404(pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        table = _table_or_404(pk)
        actor = acting_user(request)
        if request.POST.get("row") == "rate":
            rate_form = RateForm(request.POST)
            if rate_form.is_valid():
                try:
                    price_table_rate_set(table, **rate_form.cleaned_data, actor=actor)
                except PatchdeskError as exc:
                    return self._render(request, table, rate_form=rate_form, error=exc.message)
                return redirect("console:billing:price_table", pk=table.pk)
            return self._render(request, table, rate_form=rate_form)
        fee_form = FeeForm(request.POST)
        if fee_form.is_valid():
            try:
                price_table_fee_set(table, **fee_form.cleaned_data, actor=actor)
            except PatchdeskError as exc:
                return self._render(request, table, fee_form=fee_form, error=exc.message)
            return redirect("console:billing:price_table", pk=table.pk)
        return self._render(request, table, fee_form=fee_form)


class PriceTableRowRemoveView(OperatorRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, kind: str, row_pk: int) -> HttpResponse:
        table = _table_or_404(pk)
        fee, rate = price_table_row_get(table, kind=kind, pk=row_pk)
        if fee is None and rate is None:
            raise Http404
        try:
            if fee is not None:
                price_table_fee_remove(fee, actor=acting_user(request))
            elif rate is not None:
                price_table_rate_remove(rate, actor=acting_user(request))
        except PatchdeskError as exc:
            messages.error(request, exc.message)
        return redirect("console:billing:price_table", pk=table.pk)
