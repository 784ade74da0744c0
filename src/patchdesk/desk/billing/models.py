"""Prices (versioned), quotes for off-hours work, and monthly billing lines (R4, R8)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.billing.choices import (
    BillingLineKind,
    BillingMonthState,
    OffHoursKind,
    QuoteStateChoices,
    RateBasisChoices,
)
from patchdesk.desk.contracts.choices import PlanChoices
from patchdesk.desk.contracts.models import Contract, ServiceDocument
from patchdesk.desk.customers.models import Customer
from patchdesk.desk.fleet.models import Server

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _user_fk(label: StrOrPromise) -> models.ForeignKey[Any, Any]:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=label,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class PriceTable(models.Model):
    """One version of the price list, in force from ``valid_from`` until the next version."""

    version = models.CharField(_("version"), max_length=32, unique=True)
    valid_from = models.DateField(
        _("valid from"), unique=True, help_text=_("Always the first day of a month.")
    )
    tax_rate_percent = models.DecimalField(
        _("consumption tax (%)"), max_digits=5, decimal_places=2, default=10
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = _user_fk(_("created by"))

    class Meta:
        verbose_name = _("price table")
        verbose_name_plural = _("price tables")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return self.version


class MonthlyFee(models.Model):
    price_table = models.ForeignKey(
        PriceTable, verbose_name=_("price table"), on_delete=models.CASCADE, related_name="fees"
    )
    plan = models.CharField(_("plan"), max_length=32, choices=PlanChoices.choices)
    os_class = models.SlugField(
        _("OS class"), max_length=32, blank=True, help_text=_("Empty: every OS class.")
    )
    amount = models.DecimalField(_("monthly fee (yen)"), max_digits=12, decimal_places=0)

    class Meta:
        verbose_name = _("monthly fee")
        verbose_name_plural = _("monthly fees")
        ordering = ["plan", "os_class"]
        constraints = [
            models.UniqueConstraint(
                fields=["price_table", "plan", "os_class"], name="fee_once_per_plan_class"
            )
        ]

    def __str__(self) -> str:
        return f"{self.price_table} {self.plan} {self.os_class}"


class OffHoursRate(models.Model):
    price_table = models.ForeignKey(
        PriceTable, verbose_name=_("price table"), on_delete=models.CASCADE, related_name="rates"
    )
    kind = models.CharField(_("time"), max_length=16, choices=OffHoursKind.choices)
    basis = models.CharField(_("basis"), max_length=16, choices=RateBasisChoices.choices)
    amount = models.DecimalField(_("rate (yen)"), max_digits=12, decimal_places=0)

    class Meta:
        verbose_name = _("off-hours rate")
        verbose_name_plural = _("off-hours rates")
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["price_table", "kind"], name="rate_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.price_table} {self.kind}"


class Quote(models.Model):
    """A quote for off-hours work: draft → sent → accepted / declined / expired."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="quotes"
    )
    server = models.ForeignKey(
        Server,
        verbose_name=_("server"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotes",
    )
    title = models.CharField(_("work"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    work_starts_at = models.DateTimeField(_("work starts at"))
    work_ends_at = models.DateTimeField(_("work ends at"))
    valid_until = models.DateField(_("valid until"))
    state = models.CharField(
        _("state"), max_length=16, choices=QuoteStateChoices.choices, default="draft"
    )
    price_table = models.ForeignKey(
        PriceTable, verbose_name=_("price table"), on_delete=models.PROTECT, related_name="quotes"
    )
    subtotal = models.DecimalField(_("subtotal (yen)"), max_digits=12, decimal_places=0)
    tax_rate_percent = models.DecimalField(_("consumption tax (%)"), max_digits=5, decimal_places=2)
    tax = models.DecimalField(_("consumption tax (yen)"), max_digits=12, decimal_places=0)
    total = models.DecimalField(_("total (yen)"), max_digits=12, decimal_places=0)
    created_at = models.DateTimeField(_("created at"))
    created_by = _user_fk(_("created by"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = _user_fk(_("sent by"))
    decided_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decided_by = _user_fk(_("answered by"))
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    specification = models.ForeignKey(
        ServiceDocument,
        verbose_name=_("specification version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    terms = models.ForeignKey(
        ServiceDocument,
        verbose_name=_("terms of service version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return f"Q-{self.created_at:%Y}-{self.pk:05d}" if self.pk else "Q-new"


class QuoteLine(models.Model):
    quote = models.ForeignKey(
        Quote, verbose_name=_("quote"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("time"), max_length=16, choices=OffHoursKind.choices)
    basis = models.CharField(_("basis"), max_length=16, choices=RateBasisChoices.choices)
    quantity = models.DecimalField(_("quantity"), max_digits=8, decimal_places=2)
    unit_price = models.DecimalField(_("unit price (yen)"), max_digits=12, decimal_places=0)
    amount = models.DecimalField(_("amount (yen)"), max_digits=12, decimal_places=0)

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["quote", "position"]

    def __str__(self) -> str:
        return f"{self.quote} #{self.position}"


class BillingMonth(models.Model):
    """The billing lines of one month: a draft (regenerated on demand) until closed."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    state = models.CharField(
        _("state"), max_length=16, choices=BillingMonthState.choices, default="draft"
    )
    generated_at = models.DateTimeField(_("generated at"))
    generated_by = _user_fk(_("generated by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = _user_fk(_("closed by"))

    class Meta:
        verbose_name = _("billing month")
        verbose_name_plural = _("billing months")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class BillingLine(models.Model):
    billing_month = models.ForeignKey(
        BillingMonth,
        verbose_name=_("billing month"),
        on_delete=models.CASCADE,
        related_name="lines",
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=BillingLineKind.choices)
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    quote = models.ForeignKey(
        Quote,
        verbose_name=_("quote"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.CharField(_("description"), max_length=300)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    days_in_service = models.PositiveSmallIntegerField(_("days of service"), null=True, blank=True)
    days_in_month = models.PositiveSmallIntegerField(_("days in the month"), null=True, blank=True)
    unit_amount = models.DecimalField(_("unit amount (yen)"), max_digits=12, decimal_places=0)
    amount = models.DecimalField(_("amount (yen)"), max_digits=12, decimal_places=0)
    price_version = models.CharField(_("price version"), max_length=32)

    class Meta:
        verbose_name = _("billing line")
        verbose_name_plural = _("billing lines")
        ordering = ["customer__name", "kind", "description"]

    def __str__(self) -> str:
        return f"{self.billing_month} {self.customer} {self.description}"
