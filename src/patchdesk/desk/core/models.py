"""Cross-cutting records: the audit log, periodic jobs and worker heartbeats."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One state change, written by a service in the same transaction as the change itself.

    Entries are append-only: :meth:`save` refuses to update an existing entry.
    """

    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(
        _("actor label"),
        max_length=150,
        help_text=_("The user name at the time, or the system component that acted."),
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.ForeignKey(
        ContentType,
        verbose_name=_("object type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.recorded_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("audit entries are append-only")
        super().save(*args, **kwargs)


class PeriodicJob(models.Model):
    """A job the scheduler enqueues every ``interval_s`` seconds.

    Rows mirror ``settings.PATCHDESK_PERIODIC_JOBS``; an operator may disable one. Several
    schedulers may run at once: each due run is claimed with a compare-and-set on
    ``next_run_at``, so it is enqueued once.
    """

    name = models.SlugField(_("name"), max_length=64, unique=True)
    task_path = models.CharField(_("task"), max_length=200)
    interval_s = models.PositiveIntegerField(_("interval (seconds)"))
    is_enabled = models.BooleanField(_("enabled"), default=True)
    next_run_at = models.DateTimeField(_("next run at"))
    last_enqueued_at = models.DateTimeField(_("last enqueued at"), null=True, blank=True)
    last_task_id = models.CharField(_("last task id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """Proof that a worker executed a job: written by the heartbeat and ping jobs."""

    token = models.CharField(_("token"), max_length=64, db_index=True)
    worker = models.CharField(_("worker"), max_length=200)
    backend = models.CharField(_("jobs backend"), max_length=32)
    executed_at = models.DateTimeField(_("executed at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        ordering = ["-executed_at"]

    def __str__(self) -> str:
        return f"{self.worker} {self.executed_at:%Y-%m-%d %H:%M:%S}"
