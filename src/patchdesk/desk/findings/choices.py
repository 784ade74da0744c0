"""Labels of the findings' codes for people (values are the engine's and the models' codes)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from patchdesk.engine.model.classification import Certainty, ReasonKind, SecurityLevel

__all__ = [
    "CertaintyChoices",
    "CoverageChoices",
    "LevelChoices",
    "OverrideLevelChoices",
    "ReasonKindChoices",
]


class LevelChoices(models.TextChoices):
    HIGH = SecurityLevel.HIGH.value, _("High")
    MEDIUM = SecurityLevel.MEDIUM.value, _("Medium")
    OUT_OF_SCOPE = SecurityLevel.OUT_OF_SCOPE.value, _("Out of scope")
    NEEDS_REVIEW = SecurityLevel.NEEDS_REVIEW.value, _("Needs review")


class OverrideLevelChoices(models.TextChoices):
    """The levels an operator may decide for a CVE (a decision is never "needs review")."""

    HIGH = SecurityLevel.HIGH.value, _("High")
    MEDIUM = SecurityLevel.MEDIUM.value, _("Medium")
    OUT_OF_SCOPE = SecurityLevel.OUT_OF_SCOPE.value, _("Out of scope")


class CertaintyChoices(models.TextChoices):
    FIRM = Certainty.FIRM.value, _("Firm (CWE and CVSS agree with a rule)")
    TENTATIVE = Certainty.TENTATIVE.value, _("Tentative (decided by a fallback)")


class ReasonKindChoices(models.TextChoices):
    CWE = ReasonKind.CWE.value, _("CWE")
    CVSS = ReasonKind.CVSS.value, _("CVSS vector")
    VENDOR_SEVERITY = ReasonKind.VENDOR_SEVERITY.value, _("Vendor severity")
    KEV = ReasonKind.KEV.value, _("Known exploited (KEV)")
    TEXT = ReasonKind.TEXT.value, _("Description text")
    OVERRIDE = ReasonKind.OVERRIDE.value, _("Operator override")
    MISSING = ReasonKind.MISSING.value, _("Missing facts")


class CoverageChoices(models.TextChoices):
    """Whether the service acts on an open finding on its server (R2, R5, R11, R13)."""

    ACTIONABLE = "actionable", _("Actionable")
    NOT_COVERED = "not_covered", _("Not covered by the plan")
    NEEDS_REVIEW = "needs_review", _("Level to be reviewed first")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope of the service")
    THIRD_PARTY = "third_party", _("Package from an out-of-scope origin")
    OUT_OF_SERVICE = "out_of_service", _("Vendor support ended")
    NO_CONTRACT = "no_contract", _("No contract in service")
    UNMANAGED = "unmanaged", _("Server not under management")
    CLOSED = "closed", _("No action (by its state)")
