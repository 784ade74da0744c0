"""The provider's customers: companies whose servers the service manages, and their contacts."""

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
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    billing_name = models.CharField(
        _("invoice addressee"),
        max_length=200,
        blank=True,
        help_text=_("Department or person invoices are addressed to."),
    )
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    billing_address = models.TextField(_("billing address"), blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person at the customer whom the provider writes to (notices, invoices)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email address"))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.JAPANESE
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Tokyo")
    receives_notices = models.BooleanField(
        _("receives notices"),
        default=True,
        help_text=_("Contract notices and security announcements are sent to this contact."),
    )
    is_billing_contact = models.BooleanField(_("billing contact"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["customer__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "email"], name="contact_customer_email")
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"
