"""Forms of the contracts pages. They validate input; the views pass ``cleaned_data`` to the
services, which apply the rules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.contracts.choices import DocumentKindChoices, PlanChoices
from patchdesk.desk.contracts.selectors import ApplicationOption
from patchdesk.desk.customers.models import Customer
from patchdesk.desk.fleet.models import Server

__all__ = [
    "ApplicationForm",
    "CalendarSettingsForm",
    "CancellationForm",
    "ClosureForm",
    "DocumentForm",
    "OrderForm",
    "OrderPlanChangeForm",
    "PlanChangeForm",
    "ReasonForm",
]

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ApplicationForm(forms.Form):
    """The web form (R10): one plan for one or more servers, and the documents accepted."""

    servers = forms.MultipleChoiceField(
        label=_("Servers"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one server.")},
    )
    plan = forms.ChoiceField(
        label=_("Plan"),
        choices=PlanChoices.choices,
        widget=forms.RadioSelect,
        initial=PlanChoices.SECURITY_UPDATE,
    )
    accept_documents = forms.BooleanField(
        label=_("I accept the service specification and the terms of service in force."),
        error_messages={"required": _("Please accept the specification and the terms.")},
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, options: Sequence[ApplicationOption], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._servers = {str(o.server.pk): o.server for o in options if o.is_eligible}
        field = self.fields["servers"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(pk, server.name) for pk, server in self._servers.items()]

    def clean_servers(self) -> list[Server]:
        return [self._servers[pk] for pk in self.cleaned_data["servers"]]


class OrderForm(ApplicationForm):
    """An application entered by an operator from a customer's order form."""

    order_reference = forms.CharField(
        label=_("Order form reference"),
        max_length=100,
        help_text=_("The number or date of the signed order form."),
    )
    accept_documents = forms.BooleanField(
        label=_("The order form accepts the specification and the terms in force."),
        error_messages={"required": _("Please confirm the order form accepts the documents.")},
    )


class PlanChangeForm(forms.Form):
    """A plan change of one contract: the other plan, the documents accepted (portal)."""

    plan = forms.ChoiceField(
        label=_("New plan"), choices=PlanChoices.choices, widget=forms.HiddenInput
    )
    accept_documents = forms.BooleanField(
        label=_("I accept the service specification and the terms of service in force."),
        error_messages={"required": _("Please accept the specification and the terms.")},
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)


class OrderPlanChangeForm(forms.Form):
    """A plan change the customer asked for by mail, phone or order form (console)."""

    plan = forms.ChoiceField(
        label=_("New plan"), choices=PlanChoices.choices, widget=forms.HiddenInput
    )
    order_reference = forms.CharField(
        label=_("Order form reference"),
        max_length=100,
        required=False,
        help_text=_("The order form's number, or how and when the customer asked."),
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)


class CustomerChoiceForm(forms.Form):
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.filter(is_active=True), required=True
    )


class CancellationForm(forms.Form):
    cancel_on = forms.DateField(
        label=_("Last day of service"),
        widget=DATE_WIDGET,
        help_text=_("The last day of a month; requested by the end of the month before."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CalendarSettingsForm(forms.Form):
    opens_at = forms.TimeField(
        label=_("Business hours start"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    closes_at = forms.TimeField(
        label=_("Business hours end"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    holiday_country = forms.CharField(
        label=_("Public holidays of (country code)"), max_length=8, required=False
    )
    eos_warning_days = forms.IntegerField(
        label=_("End-of-support warning (days before)"), min_value=0, max_value=730
    )


class ClosureForm(forms.Form):
    label = forms.CharField(label=_("Name"), max_length=100)
    starts_on = forms.DateField(label=_("First day"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("Last day"), widget=DATE_WIDGET)
    is_annual = forms.BooleanField(
        label=_("Every year (the same days each year)"), required=False, initial=True
    )


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKindChoices.choices)
    version = forms.CharField(label=_("Version"), max_length=32)
    title = forms.CharField(label=_("Title"), max_length=200)
    effective_on = forms.DateField(label=_("In force from"), widget=DATE_WIDGET)
    url = forms.URLField(label=_("Address"), required=False, assume_scheme="https")
    summary = forms.CharField(
        label=_("Summary of changes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
