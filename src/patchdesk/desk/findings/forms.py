"""Forms of the findings console: filters, a finding's state, overrides and the policy."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.customers.models import Customer
from patchdesk.desk.findings.choices import LevelChoices, OverrideLevelChoices
from patchdesk.desk.findings.models import FindingState
from patchdesk.desk.fleet.models import Server

__all__ = [
    "FindingFilterForm",
    "FindingStateForm",
    "OverrideForm",
    "PolicyDocumentForm",
]

NOTE_REQUIRED = {FindingState.RISK_ACCEPTED.value, FindingState.NOT_APPLICABLE.value}


class FindingFilterForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Level"), choices=[("", _("All levels")), *LevelChoices.choices], required=False
    )
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All states")), *FindingState.choices], required=False
    )
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Customer.objects.order_by("name"),
        required=False,
        empty_label=_("All customers"),
    )
    server = forms.ModelChoiceField(
        label=_("Server"),
        queryset=Server.objects.select_related("customer").order_by("customer__name", "name"),
        required=False,
        empty_label=_("All servers"),
    )
    actionable = forms.BooleanField(label=_("Actionable only"), required=False)


class FindingStateForm(forms.Form):
    state = forms.ChoiceField(
        label=_("New state"),
        choices=[
            (FindingState.RISK_ACCEPTED.value, FindingState.RISK_ACCEPTED.label),
            (FindingState.NOT_APPLICABLE.value, FindingState.NOT_APPLICABLE.label),
            (FindingState.OPEN.value, _("open again")),
        ],
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when accepting the risk or marking it not applicable."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("state") in NOTE_REQUIRED and not str(cleaned.get("note", "")).strip():
            self.add_error("note", _("Say why: a note is required for this state."))
        return cleaned


class OverrideForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=OverrideLevelChoices.choices)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why: a reason is required for an override.")},
    )


class PolicyDocumentForm(forms.Form):
    text = forms.CharField(
        label=_("Policy document (TOML)"),
        strip=False,
        max_length=500_000,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code"}),
        help_text=_("Change the version line with every edit; each version is kept."),
    )
