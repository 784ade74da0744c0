"""Forms of the billing pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.billing.choices import OffHoursKind, RateBasisChoices
from patchdesk.desk.billing.models import PriceTable
from patchdesk.desk.contracts.choices import PlanChoices
from patchdesk.desk.customers.models import Customer
from patchdesk.desk.fleet.models import Server

__all__ = [
    "DeclineForm",
    "FeeForm",
    "MonthForm",
    "PriceTableForm",
    "QuoteForm",
    "RateForm",
]

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
YEN = {"min_value": Decimal(0), "max_digits": 12, "decimal_places": 0}


class PriceTableForm(forms.Form):
    version = forms.CharField(label=_("Version"), max_length=32, help_text=_("e.g. 2027-04"))
    valid_from = forms.DateField(
        label=_("Valid from"), widget=DATE_WIDGET, help_text=_("The first day of a month.")
    )
    tax_rate_percent = forms.DecimalField(
        label=_("Consumption tax (%)"),
        initial=Decimal(10),
        min_value=Decimal(0),
        max_digits=5,
        decimal_places=2,
    )
    note = forms.CharField(label=_("Note"), required=False)
    copy_from = forms.ModelChoiceField(
        label=_("Copy the prices of"), queryset=PriceTable.objects.all(), required=False
    )


class FeeForm(forms.Form):
    plan = forms.ChoiceField(label=_("Plan"), choices=PlanChoices.choices)
    os_class = forms.SlugField(
        label=_("OS class"), required=False, help_text=_("Empty: every OS class.")
    )
    amount = forms.DecimalField(label=_("Monthly fee (yen)"), **YEN)  # type: ignore[arg-type]


class RateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Time"), choices=OffHoursKind.choices)
    basis = forms.ChoiceField(label=_("Basis"), choices=RateBasisChoices.choices)
    amount = forms.DecimalField(label=_("Rate (yen)"), **YEN)  # type: ignore[arg-type]


class QuoteForm(forms.Form):
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.filter(is_active=True)
    )
    server = forms.ModelChoiceField(
        label=_("Server"), queryset=Server.objects.none(), required=False
    )
    title = forms.CharField(label=_("Work"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    work_starts_at = forms.DateTimeField(label=_("Work starts at"), widget=DATETIME_WIDGET)
    work_ends_at = forms.DateTimeField(label=_("Work ends at"), widget=DATETIME_WIDGET)
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, customer: Customer | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if customer is not None:
            field = self.fields["server"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Server.objects.filter(customer=customer)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        server, customer = data.get("server"), data.get("customer")
        if server is not None and customer is not None and server.customer_id != customer.pk:
            self.add_error("server", _("This server belongs to another customer."))
        return data


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
