"""OS releases the service supports, with the vendor's end of support (R5, R13)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from patchdesk.engine.model import OsFamily, PackageFormat


class SupportedPlatform(models.Model):
    """One OS release (``debian:12``, ``almalinux:9``), the unit of announcements (R6)."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    distro = models.CharField(_("distribution"), max_length=32)
    release = models.CharField(_("release"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    family = models.CharField(
        _("family"), max_length=16, choices=[(f.value, f.value) for f in OsFamily]
    )
    package_format = models.CharField(
        _("package format"), max_length=8, choices=[(f.value, f.value) for f in PackageFormat]
    )
    vendor_support_ends_on = models.DateField(
        _("vendor support ends on"),
        null=True,
        blank=True,
        help_text=_("The service for this OS ends with the vendor's security support."),
    )
    is_offered = models.BooleanField(
        _("offered"), default=True, help_text=_("New contracts may be opened on it.")
    )
    support_ends_source = models.CharField(
        _("source of the end-of-support date"),
        max_length=200,
        blank=True,
        help_text=_("Where the date came from: an end-of-life import or an operator."),
    )
    price_class = models.SlugField(
        _("OS class for prices"),
        max_length=32,
        blank=True,
        help_text=_("Monthly fees may differ per OS class; empty uses the general fee."),
    )

    class Meta:
        verbose_name = _("supported platform")
        verbose_name_plural = _("supported platforms")
        ordering = ["distro", "release"]
        constraints = [
            models.UniqueConstraint(fields=["distro", "release"], name="platform_distro_release")
        ]

    def __str__(self) -> str:
        return self.name
