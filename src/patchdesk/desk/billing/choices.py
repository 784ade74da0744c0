"""Labels of the engine's billing codes (values are the engine's enums)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from patchdesk.engine.billing import QuoteState, RateBasis
from patchdesk.engine.calendar import TimeKind

__all__ = [
    "BillingLineKind",
    "BillingMonthState",
    "OffHoursKind",
    "QuoteStateChoices",
    "RateBasisChoices",
]


class OffHoursKind(models.TextChoices):
    WEEKDAY_NIGHT = TimeKind.WEEKDAY_NIGHT.value, _("Weekday night (outside business hours)")
    HOLIDAY = TimeKind.HOLIDAY.value, _("Weekend, public holiday or closure")


class RateBasisChoices(models.TextChoices):
    HOURLY = RateBasis.HOURLY.value, _("per started hour")
    FIXED = RateBasis.FIXED.value, _("fixed, per continuous window")


class QuoteStateChoices(models.TextChoices):
    DRAFT = QuoteState.DRAFT.value, _("Draft")
    SENT = QuoteState.SENT.value, _("Sent")
    ACCEPTED = QuoteState.ACCEPTED.value, _("Accepted")
    DECLINED = QuoteState.DECLINED.value, _("Declined")
    EXPIRED = QuoteState.EXPIRED.value, _("Expired")


class BillingMonthState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CLOSED = "closed", _("Closed")


class BillingLineKind(models.TextChoices):
    MONTHLY_FEE = "monthly_fee", _("Monthly fee")
    OFF_HOURS_WORK = "off_hours_work", _("Off-hours work")
