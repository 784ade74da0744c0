"""Labels of the service flow's codes (values are the engine's enums where one exists)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from patchdesk.engine.workflow.audience import Delivery
from patchdesk.engine.workflow.states import ItemState

__all__ = [
    "AnnouncementState",
    "DeliveryChoices",
    "EventKind",
    "ItemStateChoices",
    "OutboxChannel",
    "OutboxStatus",
    "PauseReason",
    "WebhookKind",
    "WindowKind",
]


class AnnouncementState(models.TextChoices):
    PENDING_REVIEW = "pending_review", _("To be confirmed")
    SENT = "sent", _("Announced")
    DISMISSED = "dismissed", _("Dismissed")


class DeliveryChoices(models.TextChoices):
    ANNOUNCE = Delivery.ANNOUNCE.value, _("Announced")
    PORTAL_ONLY = Delivery.PORTAL_ONLY.value, _("Not covered by the plan (portal only)")


class ItemStateChoices(models.TextChoices):
    AWAITING_REQUEST = ItemState.AWAITING_REQUEST.value, _("Waiting for your request")
    QUOTE_PENDING = ItemState.QUOTE_PENDING.value, _("Off-hours: quote pending")
    REQUESTED = ItemState.REQUESTED.value, _("Requested")
    SCHEDULED = ItemState.SCHEDULED.value, _("Scheduled")
    IN_PROGRESS = ItemState.IN_PROGRESS.value, _("In progress")
    FAILED = ItemState.FAILED.value, _("Failed: to be rescheduled")
    DONE = ItemState.DONE.value, _("Done: waiting for verification")
    PROBLEM_REPORTED = ItemState.PROBLEM_REPORTED.value, _("Problem reported")
    VERIFIED = ItemState.VERIFIED.value, _("Verified")
    DECLINED = ItemState.DECLINED.value, _("Declined")
    NOT_REQUESTED = ItemState.NOT_REQUESTED.value, _("Not requested")
    NOT_APPLICABLE = ItemState.NOT_APPLICABLE.value, _("No action needed")


class WindowKind(models.TextChoices):
    BUSINESS = "business", _("Business hours")
    OFF_HOURS = "off_hours", _("Off-hours (quoted)")


class EventKind(models.TextChoices):
    ANNOUNCED = "announced", _("Announcement")
    BECAME_AFFECTED = "became_affected", _("Server now affected")
    REQUESTED = "requested", _("Request")
    DECLINED = "declined", _("Declined")
    QUOTE = "quote", _("Quote")
    SCHEDULED = "scheduled", _("Scheduled")
    UNSCHEDULED = "unscheduled", _("Schedule cancelled")
    REMINDER = "reminder", _("Reminder")
    WORK_STARTED = "work_started", _("Work started")
    WORK_DONE = "work_done", _("Work done")
    WORK_FAILED = "work_failed", _("Work failed")
    VERIFIED = "verified", _("Verified")
    PROBLEM = "problem", _("Problem reported")
    RESOLVED = "resolved", _("Problem resolved")
    EXPIRED = "expired", _("Not requested in time")
    MESSAGE = "message", _("Message")
    NOTE = "note", _("Internal note")
    SERVICE = "service", _("Service paused or resumed")


class PauseReason(models.TextChoices):
    AUTH_REJECTED = "auth_rejected", _("The server rejected our credentials")


class WebhookKind(models.TextChoices):
    SLACK = "slack", _("Slack-compatible")
    JSON = "json", _("Generic JSON")


class OutboxChannel(models.TextChoices):
    EMAIL = "email", _("Mail")
    SLACK = "slack", _("Slack webhook")
    JSON = "json", _("JSON webhook")


class OutboxStatus(models.TextChoices):
    HELD = "held", _("Held for the daily digest")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    DIGESTED = "digested", _("Sent in a digest")
