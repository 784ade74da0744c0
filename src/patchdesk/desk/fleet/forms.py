"""Forms of the operators' server pages. Secret fields never render a value back."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.customers.models import Customer
from patchdesk.desk.fleet.models import AuthMethod, ElevationChoice
from patchdesk.desk.fleet.selectors import ServerProblem
from patchdesk.desk.platforms.models import SupportedPlatform

__all__ = [
    "CredentialForm",
    "HostKeyAcceptForm",
    "ScanSelectionForm",
    "ServerCreateForm",
    "ServerFilterForm",
    "TlsPassphraseForm",
]

_JUMP_HOST = re.compile(r"^(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9.:\[\]_-]+?(?::[0-9]{1,5})?$")
_HOST = re.compile(r"^[A-Za-z0-9.:\[\]_-]+$")


class SecretTextarea(forms.Textarea):
    """A textarea that never shows what was typed, even when the form comes back with errors."""

    def format_value(self, value: Any) -> str | None:
        return None


def _password(**attrs: str) -> forms.PasswordInput:
    return forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password", **attrs})


PROBLEM_CHOICES = [
    ("", _("Any")),
    (ServerProblem.FAILED_SCAN, _("Last scan failed")),
    (ServerProblem.REJECTED_CREDENTIALS, _("Credentials rejected")),
    (ServerProblem.MISSING_CREDENTIALS, _("No credentials")),
    (ServerProblem.PENDING_KEY, _("Changed host key waiting")),
]


class ServerFilterForm(forms.Form):
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Customer.objects.order_by("name"),
        required=False,
        empty_label=_("All customers"),
    )
    platform = forms.ModelChoiceField(
        label=_("Platform"),
        queryset=SupportedPlatform.objects.order_by("distro", "release"),
        required=False,
        empty_label=_("All platforms"),
    )
    problem = forms.ChoiceField(label=_("Problem"), choices=PROBLEM_CHOICES, required=False)
    q = forms.CharField(label=_("Name or address"), required=False, max_length=100)


class ServerCreateForm(forms.Form):
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.filter(is_active=True).order_by("name")
    )
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("e.g. web1"))
    address = forms.CharField(
        label=_("Address"), max_length=253, help_text=_("Host name or IP address for SSH.")
    )
    ssh_port = forms.IntegerField(label=_("SSH port"), min_value=1, max_value=65535, initial=22)

    def clean_address(self) -> str:
        address = str(self.cleaned_data["address"]).strip()
        if not _HOST.match(address):
            raise forms.ValidationError(_("Enter a host name or an IP address."))
        return address


class ScanSelectionForm(forms.Form):
    """The servers ticked in the list, or every managed server ("scan all")."""

    servers = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    scope = forms.ChoiceField(choices=[("selected", "selected"), ("all", "all")])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        raw = self.data.getlist("servers") if hasattr(self.data, "getlist") else []
        field = self.fields["servers"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(value, value) for value in raw if str(value).isdigit()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("scope") == "selected" and not cleaned.get("servers"):
            raise forms.ValidationError(_("Select at least one server."))
        return cleaned


class CredentialForm(forms.Form):
    """How the provider logs in (R14). Every secret is typed again on each change."""

    username = forms.CharField(label=_("User name"), max_length=64)
    auth_method = forms.ChoiceField(label=_("Authentication"), choices=AuthMethod.choices)
    secret = forms.CharField(
        label=_("Private key or password"),
        strip=False,
        widget=SecretTextarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Paste the private key (OpenSSH or PEM) or type the password."),
    )
    key_passphrase = forms.CharField(
        label=_("Key passphrase"), required=False, strip=False, widget=_password()
    )
    elevation = forms.ChoiceField(label=_("Root access"), choices=ElevationChoice.choices)
    sudo_password = forms.CharField(
        label=_("sudo password"), required=False, strip=False, widget=_password()
    )
    jump_host = forms.CharField(
        label=_("Jump host"),
        required=False,
        max_length=300,
        help_text=_("user@host:port of a bastion reached with the same credentials."),
    )

    def clean_jump_host(self) -> str:
        value = str(self.cleaned_data.get("jump_host", "")).strip()
        if value and not _JUMP_HOST.match(value):
            raise forms.ValidationError(_("Write the jump host as user@host:port."))
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        method = cleaned.get("auth_method")
        secret = str(cleaned.get("secret") or "")
        if method == AuthMethod.KEY and secret and "PRIVATE KEY" not in secret:
            self.add_error("secret", _("This does not look like a private key."))
        if method == AuthMethod.PASSWORD and cleaned.get("key_passphrase"):
            self.add_error("key_passphrase", _("A key passphrase goes with a key only."))
        if cleaned.get("elevation") == ElevationChoice.SUDO_PASSWORD and not cleaned.get(
            "sudo_password"
        ):
            self.add_error("sudo_password", _("Enter the sudo password for this way of root."))
        return cleaned


class TlsPassphraseForm(forms.Form):
    service = forms.CharField(
        label=_("Service"),
        max_length=64,
        help_text=_("e.g. apache2, nginx"),
        widget=forms.TextInput(attrs={"list": "tls-services"}),
    )
    passphrase = forms.CharField(label=_("SSL passphrase"), strip=False, widget=_password())

    def clean_service(self) -> str:
        service = str(self.cleaned_data["service"]).strip()
        if not re.match(r"^[A-Za-z0-9@._-]+$", service):
            raise forms.ValidationError(_("Enter the service's name, e.g. apache2."))
        return service


class HostKeyAcceptForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I checked this fingerprint with the customer or on the server's console."),
        required=True,
    )
