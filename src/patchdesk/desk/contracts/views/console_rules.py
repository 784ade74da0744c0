"""The provider's editable rules: business calendar and closures (R4), service documents (R15)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from patchdesk.desk.accounts.access import OperatorRequiredMixin
from patchdesk.desk.contracts.forms import CalendarSettingsForm, ClosureForm, DocumentForm
from patchdesk.desk.contracts.selectors import (
    business_calendar,
    calendar_settings_get,
    closure_get,
    closure_list,
    document_list,
)
from patchdesk.desk.contracts.services import (
    calendar_settings_update,
    closure_add,
    closure_delete,
    document_publish,
)
from patchdesk.desk.contracts.views._common import acting_user, add_service_error
from patchdesk.desk.core.errors import PatchdeskError

__all__ = ["CalendarView", "ClosureAddView", "ClosureDeleteView", "DocumentListView"]

PREVIEW_DAYS = 45


def _calendar_context(**forms: Any) -> dict[str, Any]:
    row = calendar_settings_get()
    calendar = business_calendar()
    today = calendar.local_date(timezone.now())
    days = [calendar.describe_day(today + timedelta(days=n)) for n in range(PREVIEW_DAYS)]
    return {
        "settings_row": row,
        "closures": closure_list(),
        "time_zone": calendar.time_zone,
        "non_business_days": [d for d in days if not d.is_business_day],
        "next_business_day": calendar.next_business_day(today),
        "settings_form": forms.get("settings_form")
        or CalendarSettingsForm(
            initial={
                "opens_at": row.opens_at,
                "closes_at": row.closes_at,
                "holiday_country": row.holiday_country,
                "eos_warning_days": row.eos_warning_days,
            }
        ),
        "closure_form": forms.get("closure_form") or ClosureForm(),
    }


class CalendarView(OperatorRequiredMixin, View):
    template_name = "contracts/console/calendar.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, _calendar_context())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CalendarSettingsForm(request.POST)
        if form.is_valid():
            try:
                calendar_settings_update(**form.cleaned_data, actor=acting_user(request))
            except PatchdeskError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The business calendar has been saved."))
                return redirect("console:contracts:calendar")
        return render(request, self.template_name, _calendar_context(settings_form=form))


class ClosureAddView(OperatorRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ClosureForm(request.POST)
        if form.is_valid():
            try:
                closure_add(**form.cleaned_data, actor=acting_user(request))
            except PatchdeskError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The closure has been added."))
                return redirect("console:contracts:calendar")
        return render(request, CalendarView.template_name, _calendar_context(closure_form=form))


class ClosureDeleteView(OperatorRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        closure = closure_get(pk)
        if closure is None:
            raise Http404
        closure_delete(closure, actor=acting_user(request))
        messages.success(request, _("The closure has been removed."))
        return redirect("console:contracts:calendar")


class DocumentListView(OperatorRequiredMixin, View):
    template_name = "contracts/console/documents.html"

    def _render(self, request: HttpRequest, form: DocumentForm) -> HttpResponse:
        return render(request, self.template_name, {"documents": document_list(), "form": form})

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, DocumentForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = DocumentForm(request.POST)
        if form.is_valid():
            try:
                document_publish(**form.cleaned_data, actor=acting_user(request))
            except PatchdeskError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The new version has been recorded."))
                return redirect("console:contracts:documents")
        return self._render(request, form)
