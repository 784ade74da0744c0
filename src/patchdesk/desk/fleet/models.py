"""Customer servers (OS instances) under management."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.customers.models import Customer
from patchdesk.desk.platforms.models import SupportedPlatform


class Server(models.Model):
    """One OS instance (a virtual or physical server): the contract unit (R10)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="servers"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. web1"))
    address = models.CharField(
        _("address"), max_length=253, help_text=_("Host name or IP address for SSH.")
    )
    ssh_port = models.PositiveIntegerField(_("SSH port"), default=22)
    platform = models.ForeignKey(
        SupportedPlatform,
        verbose_name=_("platform"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="servers",
        help_text=_("Detected by the last successful scan."),
    )
    is_managed = models.BooleanField(_("under management"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("server")
        verbose_name_plural = _("servers")
        ordering = ["customer__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "name"], name="server_customer_name")
        ]

    def __str__(self) -> str:
        return f"{self.customer.code}/{self.name}"
