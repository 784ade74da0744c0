"""One server for operators: facts, credentials, host keys, SSL passphrases, scans, findings,
packages and out-of-scope software. Secrets are write-only: no page shows one back."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from patchdesk.desk.accounts.access import OperatorRequiredMixin
from patchdesk.desk.cases.selectors import server_pause_get
from patchdesk.desk.contracts.views._common import acting_user, add_service_error, is_htmx
from patchdesk.desk.core.errors import PatchdeskError
from patchdesk.desk.findings.selectors import (
    CoverageJudge,
    finding_list,
    finding_rows,
    policy_categories,
    server_is_out_of_service,
)
from patchdesk.desk.fleet.forms import CredentialForm, HostKeyAcceptForm, TlsPassphraseForm
from patchdesk.desk.fleet.models import AuthMethod, ElevationChoice, HostKey, Server
from patchdesk.desk.fleet.selectors import (
    credential_status,
    host_key_list,
    host_key_pending_get,
    out_of_scope_list,
    package_page,
    scan_list,
    server_facts,
    server_get,
    third_party_package_list,
    tls_passphrase_list,
)
from patchdesk.desk.fleet.services import (
    credential_set,
    host_key_accept,
    scans_request,
    tls_passphrase_set,
)

__all__ = [
    "CredentialSetView",
    "HostKeyAcceptView",
    "ServerDetailView",
    "ServerScanView",
    "TlsPassphraseSetView",
]

TEMPLATE = "fleet/console/server_detail.html"


def _server_or_404(request: HttpRequest, pk: int) -> Server:
    try:
        return server_get(pk, actor=acting_user(request))
    except Server.DoesNotExist:
        raise Http404 from None


def _detail_context(request: HttpRequest, server: Server, **forms: Any) -> dict[str, Any]:
    judge = CoverageJudge()
    findings = finding_list(actor=acting_user(request), server=server, include_fixed=False)
    keys = list(host_key_list(server))
    return {
        "server": server,
        "facts": server_facts(server),
        "is_out_of_service": server_is_out_of_service(server, today=judge.today),
        "pause": server_pause_get(server),
        "plan": judge.plan_on(server, judge.today),
        "credential": credential_status(server),
        "credential_form": forms.get("credential_form")
        or CredentialForm(
            initial={"auth_method": AuthMethod.KEY, "elevation": ElevationChoice.SUDO}
        ),
        "host_keys": keys,
        "pending_keys": [key for key in keys if key.status == HostKey.Status.PENDING],
        "accept_form": forms.get("accept_form") or HostKeyAcceptForm(),
        "passphrases": tls_passphrase_list(server),
        "passphrase_form": forms.get("passphrase_form") or TlsPassphraseForm(),
        "scans": scan_list(server),
        "finding_rows": finding_rows(findings, judge=judge),
        "categories": policy_categories(),
        "packages": package_page(server, page=request.GET.get("packages")),
        "out_of_scope": out_of_scope_list(server),
        "third_party": third_party_package_list(server),
        "error": forms.get("error"),
        "next": reverse("console:servers:detail", kwargs={"pk": server.pk}),
    }


class ServerDetailView(OperatorRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        server = _server_or_404(request, pk)
        if is_htmx(request) and request.GET.get("section") == "packages":
            return render(
                request,
                "fleet/partials/_packages.html",
                {
                    "server": server,
                    "packages": package_page(server, page=request.GET.get("packages")),
                },
            )
        response = render(request, TEMPLATE, _detail_context(request, server))
        response["Cache-Control"] = "no-store"
        return response


def _refused(request: HttpRequest, server: Server, **forms: Any) -> HttpResponse:
    response = render(request, TEMPLATE, _detail_context(request, server, **forms))
    response["Cache-Control"] = "no-store"
    return response


class CredentialSetView(OperatorRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        server = _server_or_404(request, pk)
        form = CredentialForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                credential_set(
                    server,
                    username=data["username"],
                    auth_method=AuthMethod(data["auth_method"]),
                    secret=data["secret"],
                    elevation=ElevationChoice(data["elevation"]),
                    key_passphrase=data["key_passphrase"],
                    sudo_password=data["sudo_password"],
                    jump_host=data["jump_host"],
                    actor=acting_user(request),
                )
            except PatchdeskError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The credentials have been saved."))
                return redirect("console:servers:detail", pk=server.pk)
        return _refused(request, server, credential_form=form)


class TlsPassphraseSetView(OperatorRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        server = _server_or_404(request, pk)
        form = TlsPassphraseForm(request.POST)
        if form.is_valid():
            try:
                tls_passphrase_set(
                    server,
                    service=form.cleaned_data["service"],
                    passphrase=form.cleaned_data["passphrase"],
                    actor=acting_user(request),
                )
            except PatchdeskError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    _("The SSL passphrase for %(service)s has been saved.")
                    % {"service": form.cleaned_data["service"]},
                )
                return redirect("console:servers:detail", pk=server.pk)
        return _refused(request, server, passphrase_form=form)


class HostKeyAcceptView(OperatorRequiredMixin, View):
    """Accept a changed host key: it becomes the pinned key and scans may go on."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, key_pk: int) -> HttpResponse:
        server = _server_or_404(request, pk)
        try:
            key = host_key_pending_get(server, key_pk)
        except HostKey.DoesNotExist:
            raise Http404 from None
        form = HostKeyAcceptForm(request.POST)
        if not form.is_valid():
            return _refused(request, server, accept_form=form)
        try:
            host_key_accept(key, actor=acting_user(request))
        except PatchdeskError as exc:
            return _refused(request, server, error=exc.message)
        messages.success(
            request,
            _("The host key %(fingerprint)s is now pinned.") % {"fingerprint": key.fingerprint},
        )
        return redirect("console:servers:detail", pk=server.pk)


class ServerScanView(OperatorRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        server = _server_or_404(request, pk)
        scans_request([server], actor=acting_user(request))
        messages.success(request, _("A scan of %(name)s has been queued.") % {"name": server.name})
        return redirect("console:servers:detail", pk=server.pk)
