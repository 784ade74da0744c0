"""How customers are told: digest choices, webhooks, and the outbox of every notice sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.cases.choices import OutboxChannel, OutboxStatus, WebhookKind
from patchdesk.desk.customers.models import Contact, Customer


class ContactPreference(models.Model):
    """A contact's choice: announcements that need no action once a day, in a digest."""

    contact = models.OneToOneField(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="preference"
    )
    wants_digest = models.BooleanField(
        _("daily digest"),
        default=False,
        help_text=_("Announcements about none of the customer's affected servers come once a day."),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("contact preference")
        verbose_name_plural = _("contact preferences")

    def __str__(self) -> str:
        return f"{self.contact} digest={self.wants_digest}"


class CustomerWebhook(models.Model):
    """A URL announcements are posted to (chat or the customer's own system)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="webhooks"
    )
    kind = models.CharField(_("format"), max_length=16, choices=WebhookKind.choices)
    url = models.URLField(_("URL"), max_length=500)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["customer", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "url"], name="webhook_customer_url")
        ]

    def __str__(self) -> str:
        return f"{self.customer.code} {self.kind} {self.url}"


class OutboxMessage(models.Model):
    """One notice to one recipient on one channel. ``key`` makes sending idempotent: the same
    notice (e.g. announcement, contact and channel) is recorded, and sent, once."""

    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=OutboxChannel.choices)
    kind = models.CharField(_("notice"), max_length=32)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbox",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    webhook = models.ForeignKey(
        CustomerWebhook,
        verbose_name=_("webhook"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipient = models.CharField(_("recipient"), max_length=500)
    language = models.CharField(_("language"), max_length=8)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    digest = models.ForeignKey(
        "self",
        verbose_name=_("sent in digest"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="digested",
    )
    retried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("retried by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient} ({self.status})"
