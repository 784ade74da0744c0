"""Forms of the work pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

__all__ = ["CancelForm", "ResultForm"]


class ResultForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Result"), choices=[("done", _("Done")), ("failed", _("Failed"))]
    )
    notes = forms.CharField(
        label=_("Notes for the customer and the case history"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=10000,
    )
    reason_code = forms.ChoiceField(
        label=_("Reason (when failed)"),
        required=False,
        choices=[
            ("", "—"),
            ("auth_rejected", _("Authentication rejected (pauses the service)")),
            ("unreachable", _("Server unreachable")),
            ("tls_passphrase_missing", _("SSL passphrase missing")),
            ("window_ended", _("The window ended")),
            ("other", _("Other (see notes)")),
        ],
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000)
