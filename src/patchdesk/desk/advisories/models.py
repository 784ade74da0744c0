"""Vendor advisories and per-CVE facts, as imported from the feeds (engine/feeds)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.core.fields import enum_choices
from patchdesk.engine.model import (
    AdvisoryKind,
    Confidence,
    FixStatus,
    PackageFormat,
    PackageNameKind,
    VendorSeverity,
)


class FeedSource(models.Model):
    """A configured feed: where it is fetched from and what the last sync found."""

    name = models.SlugField(_("name"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=32)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    etag = models.CharField(_("ETag"), max_length=200, blank=True)
    last_modified = models.CharField(_("Last-Modified"), max_length=100, blank=True)
    content_sha256 = models.CharField(_("content SHA-256"), max_length=64, blank=True)
    last_synced_at = models.DateTimeField(_("last synced at"), null=True, blank=True)
    # Settings of kinds that are not one download (debian-mirror: "sources_list", APT sources).
    options = models.JSONField(_("options"), default=dict, blank=True)

    class Meta:
        verbose_name = _("feed source")
        verbose_name_plural = _("feed sources")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FeedSync(models.Model):
    """One sync or import run of one source, and its report."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        NOT_MODIFIED = "not_modified", _("not modified")
        FAILED = "failed", _("failed")

    source = models.ForeignKey(
        FeedSource, verbose_name=_("source"), on_delete=models.CASCADE, related_name="syncs"
    )
    trigger = models.CharField(_("trigger"), max_length=32)  # sync, import, snapshot
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RUNNING
    )
    added = models.PositiveIntegerField(_("added"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    rejections = models.JSONField(
        _("rejections"),
        default=list,
        blank=True,
        help_text=_("The first rejections, with reasons."),
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("feed sync")
        verbose_name_plural = _("feed syncs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


class Advisory(models.Model):
    source = models.CharField(_("source"), max_length=64)
    advisory_id = models.CharField(_("advisory"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=enum_choices(AdvisoryKind))
    summary = models.TextField(_("summary"))
    details = models.TextField(_("details"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    modified_at = models.DateTimeField(_("modified at"), null=True, blank=True)
    vendor_severity = models.CharField(
        _("vendor severity"), max_length=16, choices=enum_choices(VendorSeverity)
    )
    confidence = models.CharField(_("confidence"), max_length=16, choices=enum_choices(Confidence))
    references = models.JSONField(_("references"), default=list, blank=True)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64)
    first_seen_at = models.DateTimeField(
        _("confirmed at"),
        default=timezone.now,
        db_index=True,
        help_text=_("When patchdesk first saw the advisory; coverage starts from here (R11)."),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("advisory")
        verbose_name_plural = _("advisories")
        ordering = ["-published_at", "advisory_id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "advisory_id"], name="advisory_source_id")
        ]

    def __str__(self) -> str:
        return self.advisory_id


class AdvisoryCve(models.Model):
    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="cves")
    cve_id = models.CharField(_("CVE"), max_length=32, db_index=True)

    class Meta:
        verbose_name = _("advisory CVE")
        verbose_name_plural = _("advisory CVEs")
        constraints = [
            models.UniqueConstraint(fields=["advisory", "cve_id"], name="advisory_cve_unique")
        ]

    def __str__(self) -> str:
        return self.cve_id


class AffectedPackage(models.Model):
    """One package on one OS release and its fixed version, with the version's sort key."""

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="affected")
    platform_key = models.CharField(_("platform"), max_length=64)
    package = models.CharField(_("package"), max_length=200)
    name_kind = models.CharField(
        _("name kind"), max_length=8, choices=enum_choices(PackageNameKind)
    )
    version_format = models.CharField(
        _("version format"), max_length=8, choices=enum_choices(PackageFormat)
    )
    status = models.CharField(_("status"), max_length=16, choices=enum_choices(FixStatus))
    fixed_version = models.CharField(_("fixed version"), max_length=200, blank=True)
    fixed_key = models.BinaryField(_("fixed version key"), null=True, blank=True)
    introduced_version = models.CharField(_("introduced version"), max_length=200, blank=True)
    introduced_key = models.BinaryField(_("introduced version key"), null=True, blank=True)
    arches = models.JSONField(_("architectures"), default=list, blank=True)
    channel = models.CharField(_("channel"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("affected package")
        verbose_name_plural = _("affected packages")
        indexes = [
            models.Index(fields=["platform_key", "package", "name_kind"], name="affected_lookup")
        ]

    def __str__(self) -> str:
        return f"{self.platform_key} {self.package} < {self.fixed_version or '-'}"


class Vulnerability(models.Model):
    """What is known about one CVE, merged from every source that described it."""

    cve_id = models.CharField(_("CVE"), max_length=32, unique=True)
    description = models.TextField(_("description"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    modified_at = models.DateTimeField(_("modified at"), null=True, blank=True)
    is_rejected = models.BooleanField(_("rejected by the CVE program"), default=False)
    kev_added_on = models.DateField(_("known exploited since"), null=True, blank=True)
    kev_due_on = models.DateField(_("KEV due date"), null=True, blank=True)
    kev_ransomware = models.BooleanField(_("known ransomware use"), default=False)
    epss_score = models.FloatField(_("EPSS score"), null=True, blank=True)
    epss_percentile = models.FloatField(_("EPSS percentile"), null=True, blank=True)
    epss_scored_on = models.DateField(_("EPSS date"), null=True, blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    content_hashes = models.JSONField(
        _("content hashes"), default=dict, blank=True, help_text=_("Per source, to skip unchanged.")
    )
    first_seen_at = models.DateTimeField(_("first seen at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("vulnerability")
        verbose_name_plural = _("vulnerabilities")
        ordering = ["-published_at", "cve_id"]

    def __str__(self) -> str:
        return self.cve_id


class VulnerabilityCwe(models.Model):
    vulnerability = models.ForeignKey(Vulnerability, on_delete=models.CASCADE, related_name="cwes")
    cwe_id = models.CharField(_("CWE"), max_length=32)
    provider = models.CharField(_("provider"), max_length=64)
    source = models.CharField(_("source"), max_length=64)

    class Meta:
        verbose_name = _("weakness")
        verbose_name_plural = _("weaknesses")
        constraints = [
            models.UniqueConstraint(
                fields=["vulnerability", "source", "provider", "cwe_id"],
                name="vulnerability_cwe_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cwe_id} ({self.provider})"


class CvssAssessment(models.Model):
    vulnerability = models.ForeignKey(Vulnerability, on_delete=models.CASCADE, related_name="cvss")
    version = models.CharField(_("CVSS version"), max_length=8)
    vector = models.CharField(_("vector"), max_length=200)
    base_score = models.FloatField(_("base score"))
    provider = models.CharField(_("provider"), max_length=64)
    source = models.CharField(_("source"), max_length=64)

    class Meta:
        verbose_name = _("CVSS assessment")
        verbose_name_plural = _("CVSS assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["vulnerability", "source", "provider", "version"],
                name="cvss_provider_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.vector} ({self.provider})"
