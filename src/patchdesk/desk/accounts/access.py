"""Who may see what: mixins and decorators for console (operators) and portal (customers)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import AccessMixin
from django.http import HttpRequest, HttpResponseBase

__all__ = ["CustomerUserRequiredMixin", "OperatorRequiredMixin"]


class _RoleRequiredMixin(AccessMixin):
    """Anonymous users go to the login page; logged-in users of the wrong role get 403."""

    raise_exception = False

    def has_role(self, request: HttpRequest) -> bool:
        raise NotImplementedError

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.has_role(request):
            self.raise_exception = True
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc, no-any-return]


class OperatorRequiredMixin(_RoleRequiredMixin):
    def has_role(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_operator", False))


class CustomerUserRequiredMixin(_RoleRequiredMixin):
    def has_role(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_customer_user", False))
