"""Forms of the work pages."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

__all__ = ["CancelForm", "ResultForm", "RunForm"]

_SERVICE_NAME = re.compile(r"[A-Za-z0-9@._:-]{1,128}")


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


class RunForm(forms.Form):
    """What the operator allows the run to do beyond updating the requested packages."""

    RESTART_ALL, RESTART_NONE, RESTART_LISTED = "all", "none", "listed"

    restart = forms.ChoiceField(
        label=_("Restart services after the update"),
        choices=[
            (RESTART_ALL, _("Every service the update affects")),
            (RESTART_LISTED, _("Only these services")),
            (RESTART_NONE, _("None (report what needs a restart)")),
        ],
        initial=RESTART_ALL,
        widget=forms.RadioSelect,
    )
    services = forms.CharField(
        label=_("Services"),
        required=False,
        max_length=1000,
        help_text=_("Names separated by spaces or commas, e.g. apache2 postfix"),
    )
    allow_reboot = forms.BooleanField(
        label=_("Reboot the server if the update requires it (only with the customer's consent)"),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        names = [n for n in re.split(r"[\s,]+", data.get("services", "")) if n]
        bad = [n for n in names if not _SERVICE_NAME.fullmatch(n)]
        if bad:
            raise forms.ValidationError(
                _("Not a service name: %(names)s") % {"names": ", ".join(bad[:5])}
            )
        if data.get("restart") == self.RESTART_LISTED and not names:
            raise forms.ValidationError(_("Name the services that may be restarted."))
        data["restart_services"] = {
            self.RESTART_ALL: ["*"],
            self.RESTART_NONE: [],
            self.RESTART_LISTED: names,
        }.get(data.get("restart", ""), [])
        return data
