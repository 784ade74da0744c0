"""Errors the desk shows to people: a code, parameters, and a translatable message."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = ["PatchdeskError", "PermissionDeniedError", "ValidationFailedError"]


class PatchdeskError(Exception):
    """Base of every error a service raises on purpose.

    ``code`` is stable (for logs, API clients and tests); ``message_format`` is translated at
    display time and formatted with the keyword parameters.
    """

    code: ClassVar[str] = "error"
    message_format: ClassVar[str | Promise] = _("The operation failed.")

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(self.code, params)

    @property
    def message(self) -> str:
        return str(self.message_format) % self.params if self.params else str(self.message_format)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class PermissionDeniedError(PatchdeskError):
    code = "permission_denied"
    message_format = _("You are not allowed to do this.")


class ValidationFailedError(PatchdeskError):
    code = "validation_failed"
    message_format = _("%(field)s: %(reason)s")
