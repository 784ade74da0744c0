"""Server access in the portal (R13, R14): each server's credentials status, a paused service,
the standing consent, and write-only forms for passwords/keys and SSL passphrases."""

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
from patchdesk.desk.cases.common import service_state_get
from patchdesk.desk.cases.disclaimers import DISCLAIMERS
from patchdesk.desk.cases.errors import DisclaimersNotAcceptedError
from patchdesk.desk.cases.forms import ConsentForm
from patchdesk.desk.cases.selectors import customer_server_states
from patchdesk.desk.cases.services import (
    server_credentials_update,
    server_passphrase_update,
    standing_consent_set,
)
from patchdesk.desk.cases.views_common import is_customer_admin, refuse
from patchdesk.desk.contracts.views._common import acting_user
from patchdesk.desk.core.errors import PatchdeskError
from patchdesk.desk.customers.selectors import server_list
from patchdesk.desk.fleet.forms import CredentialForm, TlsPassphraseForm
from patchdesk.desk.fleet.models import AuthMethod, ElevationChoice, Server
from patchdesk.desk.fleet.selectors import credential_status, tls_passphrase_list

__all__ = ["ServerAccessActionView", "ServerAccessDetailView", "ServerAccessListView"]


def _server_or_404(request: HttpRequest, pk: int) -> Server:
    server = server_list(actor=acting_user(request)).filter(pk=pk, is_managed=True).first()
    if server is None:
        raise Http404
    return server


class ServerAccessListView(CustomerUserRequiredMixin, TemplateView):
    template_name = "cases/portal/server_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = acting_user(self.request)
        context["rows"] = [
            (server, state, credential_status(server))
            for server, state in customer_server_states(actor=user)
        ]
        context["display_tz"] = user.customer.time_zone if user.customer else None
        return context


def _detail(request: HttpRequest, server: Server, **forms: Any) -> HttpResponse:
    user = acting_user(request)
    state = service_state_get(server)
    response = render(
        request,
        "cases/portal/server_detail.html",
        {
            "server": server,
            "state": state,
            "credential": credential_status(server),
            "passphrases": tls_passphrase_list(server),
            "is_admin": is_customer_admin(request),
            "credential_form": forms.get("credential_form")
            or CredentialForm(
                initial={"auth_method": AuthMethod.PASSWORD, "elevation": ElevationChoice.SUDO}
            ),
            "passphrase_form": forms.get("passphrase_form") or TlsPassphraseForm(),
            "consent_form": ConsentForm(initial={"standing_consent": state.standing_consent}),
            "disclaimers": DISCLAIMERS,
            "display_tz": user.customer.time_zone if user.customer else None,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


class ServerAccessDetailView(CustomerUserRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _detail(request, _server_or_404(request, pk))


class ServerAccessActionView(CustomerUserRequiredMixin, View):
    """Write-only updates (admins): a form with errors never shows a secret back."""

    http_method_names = ["post"]
    action = ""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        server = _server_or_404(request, pk)
        if not is_customer_admin(request):
            raise PermissionDenied
        return getattr(self, f"_{self.action}")(request, server)  # type: ignore[no-any-return]

    def _credentials(self, request: HttpRequest, server: Server) -> HttpResponse:
        form = CredentialForm(request.POST)
        if not form.is_valid():
            return _detail(request, server, credential_form=form)
        data = form.cleaned_data
        try:
            server_credentials_update(
                server,
                actor=acting_user(request),
                username=data["username"],
                auth_method=AuthMethod(data["auth_method"]),
                secret=data["secret"],
                elevation=ElevationChoice(data["elevation"]),
                key_passphrase=data.get("key_passphrase", ""),
                sudo_password=data.get("sudo_password", ""),
                jump_host=data.get("jump_host", ""),
            )
        except PatchdeskError as exc:
            refuse(request, form, exc)
            return _detail(request, server, credential_form=form)
        messages.success(
            request,
            _("The credentials of %(server)s are saved; we check the login now.")
            % {"server": server.name},
        )
        return redirect("portal:access:detail", pk=server.pk)

    def _passphrase(self, request: HttpRequest, server: Server) -> HttpResponse:
        form = TlsPassphraseForm(request.POST)
        if not form.is_valid():
            return _detail(request, server, passphrase_form=form)
        try:
            server_passphrase_update(
                server,
                actor=acting_user(request),
                service=form.cleaned_data["service"],
                passphrase=form.cleaned_data["passphrase"],
            )
        except PatchdeskError as exc:
            refuse(request, form, exc)
            return _detail(request, server, passphrase_form=form)
        messages.success(
            request,
            _("The SSL passphrase for %(service)s is saved.")
            % {"service": form.cleaned_data["service"]},
        )
        return redirect("portal:access:detail", pk=server.pk)

    def _consent(self, request: HttpRequest, server: Server) -> HttpResponse:
        form = ConsentForm(request.POST)
        form.is_valid()
        enabled = bool(form.cleaned_data.get("standing_consent"))
        try:
            if enabled and not form.cleaned_data.get("accept_disclaimers"):
                raise DisclaimersNotAcceptedError
            standing_consent_set(server, enabled=enabled, actor=acting_user(request))
        except PatchdeskError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _consent_text(enabled, server))
        return redirect("portal:access:detail", pk=server.pk)


def _consent_text(enabled: bool, server: Server) -> str:
    if enabled:
        return _(
            "High countermeasures for %(server)s are now requested automatically and booked in "
            "the next business-hours window."
        ) % {"server": server.name}
    return _("High countermeasures for %(server)s now wait for your request.") % {
        "server": server.name
    }
