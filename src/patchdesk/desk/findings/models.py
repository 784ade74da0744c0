"""The policy in force, the classification of every CVE, and what each server is exposed to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.advisories.models import Advisory
from patchdesk.desk.core.fields import enum_choices
from patchdesk.desk.fleet.models import Server
from patchdesk.engine.model import Confidence, FixStatus
from patchdesk.engine.model.classification import Certainty, SecurityLevel
from patchdesk.engine.model.finding import KernelState, MatchMethod


class PolicyDocument(models.Model):
    """A version of the service policy (TOML, ``engine/policy``); one is active (R2, R15)."""

    version = models.CharField(_("version"), max_length=64, unique=True)
    text = models.TextField(_("policy document"))
    is_active = models.BooleanField(_("active"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("policy document")
        verbose_name_plural = _("policy documents")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="one_active_policy"
            )
        ]

    def __str__(self) -> str:
        return self.version


class PolicyOverride(models.Model):
    """An operator's level for one CVE, with the reason; replaces the computed level."""

    cve_id = models.CharField(_("CVE"), max_length=32, unique=True)
    level = models.CharField(_("level"), max_length=16, choices=enum_choices(SecurityLevel))
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("policy override")
        verbose_name_plural = _("policy overrides")

    def __str__(self) -> str:
        return f"{self.cve_id}: {self.level}"


class Classification(models.Model):
    """The current verdict for one CVE under the active policy, with its reasons."""

    cve_id = models.CharField(_("CVE"), max_length=32, unique=True)
    level = models.CharField(_("level"), max_length=16, choices=enum_choices(SecurityLevel))
    category = models.CharField(_("category"), max_length=64, blank=True)
    certainty = models.CharField(_("certainty"), max_length=16, choices=enum_choices(Certainty))
    reasons = models.JSONField(_("reasons"), default=list)
    computed_level = models.CharField(_("computed level"), max_length=16, blank=True)
    policy_version = models.CharField(_("policy version"), max_length=64)
    facts_hash = models.CharField(_("facts hash"), max_length=64)
    classified_at = models.DateTimeField(_("classified at"), default=timezone.now)

    class Meta:
        verbose_name = _("classification")
        verbose_name_plural = _("classifications")

    def __str__(self) -> str:
        return f"{self.cve_id}: {self.level}"


class FindingState(models.TextChoices):
    OPEN = "open", _("open")
    FIXED = "fixed", _("fixed")
    RISK_ACCEPTED = "risk_accepted", _("risk accepted")
    NOT_APPLICABLE = "not_applicable", _("not applicable")


class Finding(models.Model):
    """One advisory affecting one installed package on one server."""

    server = models.ForeignKey(
        Server, verbose_name=_("server"), on_delete=models.CASCADE, related_name="findings"
    )
    advisory = models.ForeignKey(
        Advisory, verbose_name=_("advisory"), on_delete=models.CASCADE, related_name="findings"
    )
    package = models.CharField(_("package"), max_length=200)
    installed_version = models.CharField(_("installed version"), max_length=200)
    fixed_version = models.CharField(_("fixed version"), max_length=200, blank=True)
    fix_status = models.CharField(_("fix status"), max_length=16, choices=enum_choices(FixStatus))
    cve_ids = models.JSONField(_("CVEs"), default=list)
    level = models.CharField(_("level"), max_length=16, choices=enum_choices(SecurityLevel))
    category = models.CharField(_("category"), max_length=64, blank=True)
    match_method = models.CharField(
        _("match method"), max_length=16, choices=enum_choices(MatchMethod)
    )
    matched_name = models.CharField(_("matched name"), max_length=200)
    confidence = models.CharField(_("confidence"), max_length=16, choices=enum_choices(Confidence))
    kernel_state = models.CharField(
        _("kernel"),
        max_length=16,
        choices=enum_choices(KernelState),
        default=KernelState.NOT_KERNEL,
    )
    is_out_of_scope_origin = models.BooleanField(
        _("from an out-of-scope origin"),
        default=False,
        help_text=_("The package comes from a third-party repository or a local file (R5)."),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=FindingState.choices, default=FindingState.OPEN
    )
    first_found_at = models.DateTimeField(_("first found at"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen at"), default=timezone.now)
    fixed_at = models.DateTimeField(_("fixed at"), null=True, blank=True)
    state_note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["server", "-level", "package"]
        constraints = [
            models.UniqueConstraint(
                fields=["server", "advisory", "package"], name="finding_server_advisory_package"
            )
        ]
        indexes = [
            models.Index(fields=["state", "level"], name="finding_state_level"),
            models.Index(fields=["advisory", "state"], name="finding_advisory_state"),
        ]

    def __str__(self) -> str:
        return f"{self.server} {self.advisory} {self.package}"
