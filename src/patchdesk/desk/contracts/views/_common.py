"""Small helpers shared by the desk's form views."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest

from patchdesk.desk.accounts.models import User
from patchdesk.desk.contracts.errors import ApplicationRefusedError
from patchdesk.desk.core.errors import PatchdeskError

__all__ = ["DisplayTimeZoneMixin", "acting_user", "add_service_error", "is_htmx"]


def acting_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def add_service_error(form: forms.Form, exc: PatchdeskError) -> None:
    """Show a service's refusal on the form: on its field when it names one, else on top."""
    reasons: list[PatchdeskError] = (
        list(exc.reasons) if isinstance(exc, ApplicationRefusedError) else [exc]
    )
    for reason in reasons:
        field = getattr(reason, "field", None)
        form.add_error(field if field in form.fields else None, reason.message)


class DisplayTimeZoneMixin:
    """Adds ``display_tz``: the customer's time zone for customer users, else the provider's."""

    request: HttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        user = self.request.user
        customer = getattr(user, "customer", None)
        context["display_tz"] = customer.time_zone if customer else settings.TIME_ZONE
        return context
