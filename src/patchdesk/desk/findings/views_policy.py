"""The service policy for operators: the version in force, older versions, a new version,
and the overrides (R2, R15)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from patchdesk.desk.accounts.access import OperatorRequiredMixin
from patchdesk.desk.contracts.views._common import acting_user
from patchdesk.desk.core.errors import PatchdeskError
from patchdesk.desk.findings.forms import PolicyDocumentForm
from patchdesk.desk.findings.models import PolicyDocument
from patchdesk.desk.findings.selectors import (
    override_list,
    policy_document_active,
    policy_document_get,
    policy_document_list,
)
from patchdesk.desk.findings.services import policy_activate
from patchdesk.engine.policy import default_policy_text

__all__ = ["PolicyActivateView", "PolicyView"]

TEMPLATE = "findings/console/policy.html"


def _context(**extra: Any) -> dict[str, Any]:
    active = policy_document_active()
    text = active.text if active else default_policy_text()
    return {
        "active": active,
        "default_text": "" if active else text,
        "documents": [doc for doc in policy_document_list() if not doc.is_active],
        "overrides": override_list(),
        "form": extra.get("form") or PolicyDocumentForm(initial={"text": text}),
        "error": extra.get("error"),
    }


def _activated(request: HttpRequest, document: PolicyDocument) -> HttpResponse:
    messages.success(
        request,
        _("Policy %(version)s is now in force; verdicts and findings are being recomputed.")
        % {"version": document.version},
    )
    return redirect("console:policy:show")


class PolicyView(OperatorRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, TEMPLATE, _context())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PolicyDocumentForm(request.POST)
        if form.is_valid():
            try:
                document = policy_activate(form.cleaned_data["text"], actor=acting_user(request))
            except PatchdeskError as exc:
                form.add_error("text", exc.message)
            else:
                return _activated(request, document)
        return render(request, TEMPLATE, _context(form=form))


class PolicyActivateView(OperatorRequiredMixin, View):
    """Put an older version back in force."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            document = policy_document_get(pk)
        except PolicyDocument.DoesNotExist:
            raise Http404 from None
        try:
            document = policy_activate(document.text, actor=acting_user(request))
        except PatchdeskError as exc:
            return render(request, TEMPLATE, _context(error=exc.message), status=400)
        return _activated(request, document)
