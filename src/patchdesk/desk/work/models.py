"""Work orders: one server, one window, the countermeasures (case items) done in it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.cases.choices import WindowKind
from patchdesk.desk.cases.models import CaseItem
from patchdesk.desk.customers.models import Customer
from patchdesk.desk.fleet.models import Server


class WorkOrderStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Window cancelled")


ACTIVE_STATUSES = (WorkOrderStatus.SCHEDULED, WorkOrderStatus.IN_PROGRESS)


if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _user_fk(verbose_name: StrOrPromise) -> models.ForeignKey[Any, Any]:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class WorkOrder(models.Model):
    server = models.ForeignKey(
        Server, verbose_name=_("server"), on_delete=models.PROTECT, related_name="work_orders"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="work_orders"
    )
    kind = models.CharField(_("work time"), max_length=16, choices=WindowKind.choices)
    starts_at = models.DateTimeField(_("window starts at"), db_index=True)
    ends_at = models.DateTimeField(_("window ends at"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=WorkOrderStatus.choices,
        default=WorkOrderStatus.SCHEDULED,
    )
    items = models.ManyToManyField(
        CaseItem, verbose_name=_("countermeasures"), related_name="work_orders"
    )
    operator = _user_fk(_("operator"))
    quote = models.ForeignKey(
        "billing.Quote",
        verbose_name=_("quote"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    is_standing_consent = models.BooleanField(_("booked by standing consent"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = _user_fk(_("scheduled by"))
    reminder_due_at = models.DateTimeField(_("reminder due at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    result_notes = models.TextField(_("result"), blank=True)
    reason_code = models.CharField(_("reason"), max_length=64, blank=True)
    recorded_by = _user_fk(_("result recorded by"))
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["quote"], condition=models.Q(quote__isnull=False), name="work_order_quote"
            )
        ]

    def __str__(self) -> str:
        return f"W-{self.pk or 0:05d}"

    @property
    def number(self) -> str:
        return str(self)
