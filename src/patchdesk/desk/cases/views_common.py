"""Helpers shared by the service flow's views."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest

from patchdesk.desk.accounts.models import CustomerRole
from patchdesk.desk.cases.models import Case
from patchdesk.desk.cases.selectors import case_get
from patchdesk.desk.contracts.views._common import acting_user, add_service_error
from patchdesk.desk.core.errors import PatchdeskError
from patchdesk.desk.fleet.models import Server

__all__ = ["case_or_404", "is_customer_admin", "refuse", "servers_of"]


def case_or_404(request: HttpRequest, pk: int) -> Case:
    try:
        return case_get(pk, actor=acting_user(request))
    except Case.DoesNotExist:
        raise Http404 from None


def is_customer_admin(request: HttpRequest) -> bool:
    user = acting_user(request)
    return user.is_customer_user and user.customer_role == CustomerRole.ADMIN


def servers_of(case: Case, ids: list[int] | None) -> list[Server] | None:
    """The case's servers with these ids (None: every server the action applies to)."""
    if ids is None:
        return None
    servers = list(Server.objects.filter(case_items__case=case, pk__in=ids))
    if len(servers) != len(set(ids)):
        raise Http404
    return servers


def refuse(request: HttpRequest, form: forms.BaseForm | None, exc: PatchdeskError) -> None:
    """Show a service's refusal: on the form when there is one, and as a message."""
    if isinstance(form, forms.Form):
        add_service_error(form, exc)
    messages.error(request, exc.message)


def form_errors(form: forms.BaseForm) -> str:
    parts: list[Any] = [*form.non_field_errors()]
    for name, errors in form.errors.items():
        if name != "__all__":
            label = form.fields[name].label if name in form.fields else name
            parts.extend(f"{label}: {error}" for error in errors)
    return " ".join(str(part) for part in parts)


__all__ += ["form_errors"]
