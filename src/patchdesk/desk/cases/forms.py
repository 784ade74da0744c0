"""Forms of the service flow's pages (console and portal). Views validate them and call a
service with the cleaned data; services decide (and refuse) again."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.cases.choices import WebhookKind, WindowKind
from patchdesk.desk.cases.models import FlowSettings

__all__ = [
    "DismissForm",
    "FlowSettingsForm",
    "MessageForm",
    "ProblemForm",
    "QuoteDraftForm",
    "RequestForm",
    "ReviewForm",
    "ServerPickForm",
    "WebhookForm",
]

_LOCAL = "%Y-%m-%dT%H:%M"


def _local_datetime(label: Any, *, required: bool = False) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=[_LOCAL],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_LOCAL),
    )


class ReviewForm(forms.Form):
    response_policy_ja = forms.CharField(
        label=_("Response policy (Japanese)"), widget=forms.Textarea(attrs={"rows": 4})
    )
    response_policy_en = forms.CharField(
        label=_("Response policy (English)"), widget=forms.Textarea(attrs={"rows": 4})
    )


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class ListAdvisoryForm(forms.Form):
    advisory_id = forms.CharField(label=_("Advisory"), max_length=128)
    platform_key = forms.CharField(label=_("Platform key"), max_length=64, help_text="debian:12")


class ServerPickForm(forms.Form):
    """Servers of the case ticked on the page, or every one waiting (``scope=all``)."""

    servers = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    scope = forms.ChoiceField(
        choices=[("selected", "selected"), ("all", "all")], required=False, initial="selected"
    )
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=1000)

    def __init__(self, *args: Any, server_ids: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["servers"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(pk, pk) for pk in server_ids or []]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("scope") != "all" and not cleaned.get("servers"):
            raise forms.ValidationError(_("Select at least one server."))
        return cleaned

    def server_ids(self) -> list[int] | None:
        return None if self.cleaned_data.get("scope") == "all" else self.cleaned_data["servers"]


class RequestForm(ServerPickForm):
    window_kind = forms.ChoiceField(
        label=_("When"), choices=WindowKind.choices, initial=WindowKind.BUSINESS
    )
    window = forms.CharField(label=_("Preferred window"), required=False, max_length=64)
    off_hours_starts_at = _local_datetime(_("Off-hours from"))
    off_hours_ends_at = _local_datetime(_("Off-hours until"))
    accept_disclaimers = forms.BooleanField(
        label=_("I have read the disclaimers above and accept them."), required=False
    )
    received_via = forms.CharField(
        label=_("Received through (phone, mail... with the date)"), required=False, max_length=200
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4().hex)

    def clean_window(self) -> datetime | None:
        value = str(self.cleaned_data.get("window") or "").strip()
        if not value:
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError(_("Choose one of the windows offered.")) from None
        if moment.tzinfo is None:
            raise forms.ValidationError(_("Choose one of the windows offered."))
        return moment


class ProblemForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("What does not work?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10000
    )


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10000
    )
    is_internal = forms.BooleanField(label=_("Internal note (operators only)"), required=False)


class QuoteDraftForm(forms.Form):
    server = forms.IntegerField(widget=forms.HiddenInput)
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ResolveForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Answer to the customer"), widget=forms.Textarea(attrs={"rows": 2})
    )


class FlowSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = FlowSettings
        fields = [
            "auto_confirm_high",
            "auto_confirm_medium",
            "announce_from",
            "request_days",
            "verification_days",
            "window_hours",
            "capacity_per_window",
            "offered_windows",
            "digest_hour",
            "operator_email",
        ]
        widgets = {
            "announce_from": forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_LOCAL)
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["announce_from"]
        assert isinstance(field, forms.DateTimeField)
        field.input_formats = [_LOCAL]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, low, high in (
            ("request_days", 1, 60),
            ("verification_days", 1, 60),
            ("window_hours", 1, 8),
            ("capacity_per_window", 1, 100),
            ("offered_windows", 1, 50),
            ("digest_hour", 0, 23),
        ):
            value = cleaned.get(name)
            if value is not None and not low <= value <= high:
                self.add_error(
                    name, _("Between %(low)s and %(high)s.") % {"low": low, "high": high}
                )
        return cleaned


class WebhookForm(forms.Form):
    kind = forms.ChoiceField(label=_("Format"), choices=WebhookKind.choices)
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")


class ConsentForm(forms.Form):
    standing_consent = forms.BooleanField(
        label=_("Apply High countermeasures automatically in the next business-hours window"),
        required=False,
    )
    accept_disclaimers = forms.BooleanField(
        label=_("I have read the disclaimers above and accept them."), required=False
    )


__all__ += ["ConsentForm", "ListAdvisoryForm", "ResolveForm"]
