"""Labels of the fleet's codes for people: why a scan failed, where a package came from."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from patchdesk.engine.model.inventory import OriginClass, OutOfScopeKind, ScanErrorCode

__all__ = ["NO_CREDENTIALS", "OriginChoices", "OutOfScopeKindChoices", "ScanErrorChoices"]

NO_CREDENTIALS = "no_credentials"  # the desk's own code: nothing to log in with


class ScanErrorChoices(models.TextChoices):
    UNREACHABLE = ScanErrorCode.UNREACHABLE.value, _("Unreachable")
    TIMEOUT = ScanErrorCode.TIMEOUT.value, _("Timed out")
    AUTH_REJECTED = ScanErrorCode.AUTH_REJECTED.value, _("Authentication rejected")
    HOST_KEY_CHANGED = ScanErrorCode.HOST_KEY_CHANGED.value, _("Host key changed")
    PERMISSION_DENIED = ScanErrorCode.PERMISSION_DENIED.value, _("Root access refused")
    UNSUPPORTED_OS = ScanErrorCode.UNSUPPORTED_OS.value, _("Unsupported OS")
    COMMAND_FAILED = ScanErrorCode.COMMAND_FAILED.value, _("A command failed")
    INTERNAL_ERROR = ScanErrorCode.INTERNAL_ERROR.value, _("Internal error")
    MISSING_CREDENTIALS = NO_CREDENTIALS, _("No credentials on file")


class OriginChoices(models.TextChoices):
    OS_VENDOR = OriginClass.OS_VENDOR.value, _("OS vendor")
    PROVIDER = OriginClass.PROVIDER.value, _("Provider")
    THIRD_PARTY = OriginClass.THIRD_PARTY.value, _("Third party")
    LOCAL = OriginClass.LOCAL.value, _("Local file")
    UNKNOWN = OriginClass.UNKNOWN.value, _("Unknown")


class OutOfScopeKindChoices(models.TextChoices):
    EXECUTABLE = OutOfScopeKind.EXECUTABLE.value, _("Executable")
    LIBRARY = OutOfScopeKind.LIBRARY.value, _("Library")
    PROCESS = OutOfScopeKind.PROCESS.value, _("Running process")
