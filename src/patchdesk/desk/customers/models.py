"""The provider's customers: companies whose servers the service manages."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.accounts.models import Language


class Customer(models.Model):
    """A company. Its users see only its own servers, contracts and cases."""

    name = models.CharField(_("company name"), max_length=200, unique=True)
    code = models.SlugField(
        _("code"), max_length=50, unique=True, help_text=_("Short identifier, e.g. sakura-web.")
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.JAPANESE
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Tokyo")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
