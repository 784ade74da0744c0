"""Forms of the customer pages (operators)."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.accounts.models import CustomerRole, Language

__all__ = ["ContactForm", "CustomerForm", "CustomerUserForm"]


def _time_zones() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=200)
    code = forms.SlugField(label=_("Code"), max_length=50, help_text=_("e.g. sakura-web"))
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_time_zones, initial="Asia/Tokyo")
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    billing_name = forms.CharField(label=_("Invoice addressee"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=16, required=False)
    billing_address = forms.CharField(
        label=_("Billing address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Email address"))
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_time_zones, initial="Asia/Tokyo")
    receives_notices = forms.BooleanField(label=_("Receives notices"), required=False, initial=True)
    is_billing_contact = forms.BooleanField(label=_("Billing contact"), required=False)


class CustomerUserForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    email = forms.EmailField(label=_("Email address"))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    customer_role = forms.ChoiceField(
        label=_("Role at the customer"),
        choices=CustomerRole.choices,
        help_text=_("Admins apply, cancel and accept quotes; members read."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
