"""Work orders (one server, one window, the countermeasures done in it) and their runs (one
attempt of the remediation engine on the server, with its progress and full record)."""

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
from patchdesk.desk.work.reasons import reason_text


class WorkOrderStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    PARTIAL = "partial", _("Partly done")
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


class WorkRunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    PARTIAL = "partial", _("Partly done")
    REFUSED = "refused", _("Refused (nothing changed)")
    FAILED = "failed", _("Failed")
    STOPPED_WINDOW_ENDED = "stopped_window_ended", _("Stopped: the window ended")


ACTIVE_RUN_STATUSES = (WorkRunStatus.QUEUED, WorkRunStatus.RUNNING)


class WorkRun(models.Model):
    """One attempt of the remediation engine on the order's server: what the operator allowed,
    live progress while it runs, then the outcome and the full record (every command and its
    output with secrets masked, versions before and after, restarts, reboot)."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="runs"
    )
    status = models.CharField(
        _("status"), max_length=24, choices=WorkRunStatus.choices, default=WorkRunStatus.QUEUED
    )
    restart_services = models.JSONField(
        _("services allowed to restart"),
        default=list,
        help_text=_('Service names; ["*"] allows every service the update affects.'),
    )
    allow_reboot = models.BooleanField(_("reboot allowed"), default=False)
    requested_by = _user_fk(_("started by"))
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    phase = models.CharField(_("phase"), max_length=32, blank=True)
    progress = models.CharField(_("progress"), max_length=500, blank=True)
    steps_done = models.PositiveIntegerField(_("commands run"), default=0)
    progress_at = models.DateTimeField(_("progress at"), null=True, blank=True)
    reason_code = models.CharField(_("reason"), max_length=64, blank=True)
    issues = models.JSONField(_("issues"), default=list)  # [{code, message, params}]
    summary = models.JSONField(_("summary"), default=dict)
    document = models.BinaryField(_("work record (gzip JSON)"), blank=True, editable=False)

    class Meta:
        verbose_name = _("work run")
        verbose_name_plural = _("work runs")
        ordering = ["-queued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(status__in=["queued", "running"]),
                name="work_run_one_active_per_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order.number}/{self.pk or 0}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_RUN_STATUSES

    @property
    def reason_label(self) -> str:
        """Why the run stopped, as a sentence in the active language ("" when it did not)."""
        return reason_text(self.reason_code) if self.reason_code else ""
