"""The customer's quotes (R4, R8): read by every user of the company, answered by its admins.

Scoped to the user's company; drafts are never shown; another customer's quote is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from patchdesk.desk.accounts.access import CustomerUserRequiredMixin
from patchdesk.desk.accounts.models import CustomerRole
from patchdesk.desk.billing.forms import DeclineForm
from patchdesk.desk.billing.models import Quote
from patchdesk.desk.billing.selectors import quote_get, quote_list
from patchdesk.desk.billing.services import quote_accept, quote_decline
from patchdesk.desk.contracts.selectors import calendar_settings_get
from patchdesk.desk.contracts.views._common import DisplayTimeZoneMixin, acting_user
from patchdesk.desk.core.errors import PatchdeskError

__all__ = ["QuoteAnswerView", "QuoteDetailView", "QuoteListView"]

VISIBLE_STATES = ["sent", "accepted", "declined", "expired"]


def _quote_or_404(request: HttpRequest, pk: int) -> Quote:
    try:
        return quote_get(pk, actor=acting_user(request))
    except Quote.DoesNotExist:
        raise Http404 from None


def _is_admin(request: HttpRequest) -> bool:
    return acting_user(request).customer_role == CustomerRole.ADMIN


class QuoteListView(CustomerUserRequiredMixin, DisplayTimeZoneMixin, TemplateView):
    template_name = "billing/portal/quote_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["quotes"] = quote_list(actor=acting_user(self.request), states=VISIBLE_STATES)
        context["hours"] = calendar_settings_get()
        return context


def _detail(
    request: HttpRequest, quote: Quote, *, error: str = "", form: Any = None
) -> HttpResponse:
    user = acting_user(request)
    assert user.customer is not None
    return render(
        request,
        "billing/portal/quote_detail.html",
        {
            "quote": quote,
            "is_admin": _is_admin(request),
            "decline_form": form or DeclineForm(),
            "error": error,
            "display_tz": user.customer.time_zone,
        },
    )


class QuoteDetailView(CustomerUserRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _detail(request, _quote_or_404(request, pk))


class QuoteAnswerView(CustomerUserRequiredMixin, View):
    """Accept or decline (admins only); the answer is final."""

    http_method_names = ["post"]
    accept = True

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        quote = _quote_or_404(request, pk)
        if not _is_admin(request):
            raise PermissionDenied
        form = DeclineForm(request.POST)
        form.is_valid()
        try:
            if self.accept:
                quote_accept(quote, actor=acting_user(request))
                messages.success(
                    request, _("Thank you: the quote is accepted; we will do the work as quoted.")
                )
            else:
                quote_decline(
                    quote, actor=acting_user(request), reason=form.cleaned_data.get("reason", "")
                )
                messages.success(
                    request, _("The quote is declined; no off-hours work will be done.")
                )
        except PatchdeskError as exc:
            return _detail(request, quote, error=exc.message, form=form)
        return redirect("portal:quotes:detail", pk=quote.pk)
