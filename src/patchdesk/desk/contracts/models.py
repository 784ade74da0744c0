"""Contracts per OS instance (R10-R13), cancellation requests, service documents (R15) and the
provider's business calendar (R4)."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.contracts.choices import (
    CancellationState,
    Channel,
    ContractStateChoices,
    DocumentKindChoices,
    EndReasonChoices,
    PlanChoices,
)
from patchdesk.desk.customers.models import Customer
from patchdesk.desk.fleet.models import Server
from patchdesk.desk.platforms.models import SupportedPlatform
from patchdesk.engine.contracts import OPEN_STATES

_OPEN = sorted(state.value for state in OPEN_STATES)


class ServiceDocument(models.Model):
    """One version of the service specification or of the terms of service (R15)."""

    kind = models.CharField(_("document"), max_length=16, choices=DocumentKindChoices.choices)
    version = models.CharField(_("version"), max_length=32)
    title = models.CharField(_("title"), max_length=200)
    effective_on = models.DateField(_("in force from"))
    url = models.URLField(_("address"), blank=True)
    summary = models.TextField(_("summary of changes"), blank=True)
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
        verbose_name = _("service document")
        verbose_name_plural = _("service documents")
        ordering = ["kind", "-effective_on"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="document_kind_version"),
            models.UniqueConstraint(fields=["kind", "effective_on"], name="document_kind_day"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.version}"


class Contract(models.Model):
    """The service for one server (one OS instance, R10), from application to end."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contracts"
    )
    server = models.ForeignKey(
        Server, verbose_name=_("server"), on_delete=models.PROTECT, related_name="contracts"
    )
    platform = models.ForeignKey(
        SupportedPlatform,
        verbose_name=_("platform"),
        on_delete=models.PROTECT,
        related_name="contracts",
        help_text=_("The server's OS when the application was made."),
    )
    plan = models.CharField(_("plan"), max_length=32, choices=PlanChoices.choices)
    state = models.CharField(
        _("state"), max_length=32, choices=ContractStateChoices.choices, db_index=True
    )
    channel = models.CharField(_("received through"), max_length=16, choices=Channel.choices)
    order_reference = models.CharField(
        _("order form reference"),
        max_length=100,
        blank=True,
        help_text=_("The number of the paper or PDF order form."),
    )
    submission_key = models.UUIDField(_("submission key"), null=True, blank=True, editable=False)
    applied_at = models.DateTimeField(_("applied at"))
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applied by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    specification = models.ForeignKey(
        ServiceDocument,
        verbose_name=_("specification version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    terms = models.ForeignKey(
        ServiceDocument,
        verbose_name=_("terms of service version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("accepted or rejected at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted or rejected by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    ended_on = models.DateField(_("last day of service"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=32, choices=EndReasonChoices.choices, blank=True
    )
    eos_warned_at = models.DateTimeField(_("end-of-support warning sent at"), null=True, blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successors",
        help_text=_("A plan change: the contract this one replaces from its start date."),
    )

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["customer__name", "server__name", "-applied_at"]
        constraints = [
            # One contract per OS instance (R10). A plan change briefly adds a second: its request
            # (applied, replacing another) is not counted, and once accepted the old contract
            # has a fixed last day (``ended_on``) and is no longer counted.
            models.UniqueConstraint(
                fields=["server"],
                condition=models.Q(state__in=_OPEN, ended_on__isnull=True)
                & ~models.Q(state="applied", previous__isnull=False),
                name="contract_one_open_per_server",
                violation_error_message=_("This server already has a contract or application."),
            ),
            # One plan change per contract (a rejected request does not count).
            models.UniqueConstraint(
                fields=["previous"],
                condition=~models.Q(state="rejected"),
                name="contract_replaced_once",
                violation_error_message=_("A plan change has already been requested."),
            ),
            models.UniqueConstraint(
                fields=["server", "submission_key"], name="contract_submitted_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.server} ({self.get_plan_display()})"


class CancellationRequest(models.Model):
    """A request to end a contract on a month's last day (R12), with the documents in force."""

    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="cancellations",
    )
    cancel_on = models.DateField(_("cancellation date"), help_text=_("The last day of service."))
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=CancellationState.choices,
        default=CancellationState.PENDING,
    )
    channel = models.CharField(_("received through"), max_length=16, choices=Channel.choices)
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    specification = models.ForeignKey(
        ServiceDocument,
        verbose_name=_("specification version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    terms = models.ForeignKey(
        ServiceDocument,
        verbose_name=_("terms of service version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("cancellation request")
        verbose_name_plural = _("cancellation requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract"],
                condition=models.Q(state="pending"),
                name="cancellation_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract} → {self.cancel_on}"


class CalendarSettings(models.Model):
    """The provider's business hours and notice periods: one row (id 1), edited by operators.

    The time zone is the installation's (``PATCHDESK_TIME_ZONE``, Asia/Tokyo by default).
    """

    opens_at = models.TimeField(_("business hours start"), default=time(10, 0))
    closes_at = models.TimeField(_("business hours end"), default=time(18, 0))
    holiday_country = models.CharField(
        _("public holidays of"),
        max_length=8,
        default="JP",
        blank=True,
        help_text=_("ISO country code of the public holidays; empty for none."),
    )
    eos_warning_days = models.PositiveIntegerField(
        _("end-of-support warning (days before)"), default=90
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar settings")
        verbose_name_plural = _("calendar settings")

    def __str__(self) -> str:
        return f"{self.opens_at:%H:%M}-{self.closes_at:%H:%M}"


class ProviderClosure(models.Model):
    """Days the provider is closed: every year (month/day range) or once (date range)."""

    label = models.CharField(_("name"), max_length=100)
    is_annual = models.BooleanField(_("every year"), default=True)
    start_month = models.PositiveSmallIntegerField(_("start month"), null=True, blank=True)
    start_day = models.PositiveSmallIntegerField(_("start day"), null=True, blank=True)
    end_month = models.PositiveSmallIntegerField(_("end month"), null=True, blank=True)
    end_day = models.PositiveSmallIntegerField(_("end day"), null=True, blank=True)
    starts_on = models.DateField(_("first day"), null=True, blank=True)
    ends_on = models.DateField(_("last day"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("provider closure")
        verbose_name_plural = _("provider closures")
        ordering = ["-is_annual", "start_month", "start_day", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        is_annual=True,
                        start_month__isnull=False,
                        start_day__isnull=False,
                        end_month__isnull=False,
                        end_day__isnull=False,
                    )
                    | models.Q(is_annual=False, starts_on__isnull=False, ends_on__isnull=False)
                ),
                name="closure_dates_match_kind",
            )
        ]

    def __str__(self) -> str:
        return self.label
