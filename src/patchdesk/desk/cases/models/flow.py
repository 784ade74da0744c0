"""Announcements per advisory and OS release, cases per customer, one item per server, the
case's timeline, the provider's flow settings and each server's service state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.advisories.models import Advisory
from patchdesk.desk.cases.choices import (
    AnnouncementState,
    DeliveryChoices,
    EventKind,
    ItemStateChoices,
    PauseReason,
    WindowKind,
)
from patchdesk.desk.customers.models import Customer
from patchdesk.desk.fleet.models import Server

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


class FlowSettings(models.Model):
    """The provider's choices for the service flow (one row, edited in the console)."""

    auto_confirm_high = models.BooleanField(
        _("announce High without review"),
        default=False,
        help_text=_("New High advisories are confirmed and announced at once."),
    )
    auto_confirm_medium = models.BooleanField(
        _("announce Medium without review"),
        default=False,
        help_text=_("New Medium advisories are confirmed and announced at once."),
    )
    announce_from = models.DateTimeField(
        _("review advisories confirmed from"),
        null=True,
        blank=True,
        help_text=_(
            "Advisories patchdesk confirmed before this moment are not listed (empty: from the "
            "first run of the review job, so an initial import is not announced)."
        ),
    )
    request_days = models.PositiveSmallIntegerField(
        _("business days to request"),
        default=5,
        help_text=_("After this, an unanswered case closes as not requested (R7)."),
    )
    verification_days = models.PositiveSmallIntegerField(
        _("business days to verify"),
        default=3,
        help_text=_("After this, finished work without a reported problem closes as verified."),
    )
    window_hours = models.PositiveSmallIntegerField(_("work window (hours)"), default=2)
    capacity_per_window = models.PositiveSmallIntegerField(
        _("operators per window"),
        default=2,
        help_text=_("How many work orders may overlap in business hours."),
    )
    offered_windows = models.PositiveSmallIntegerField(_("windows offered"), default=8)
    digest_hour = models.PositiveSmallIntegerField(
        _("daily digest at (hour)"), default=9, help_text=_("In the provider's time zone.")
    )
    operator_email = models.EmailField(
        _("operators' mailbox"),
        blank=True,
        help_text=_("Problems, messages and paused servers; empty: every operator with a mail."),
    )

    class Meta:
        verbose_name = _("service flow settings")
        verbose_name_plural = _("service flow settings")

    def __str__(self) -> str:
        return "service flow settings"


class Announcement(models.Model):
    """One advisory for one OS release (R6): confirmed by an operator, then announced."""

    advisory = models.ForeignKey(
        Advisory,
        verbose_name=_("advisory"),
        on_delete=models.PROTECT,
        related_name="announcements",
    )
    platform_key = models.CharField(_("platform"), max_length=64)
    platform_name = models.CharField(_("OS release"), max_length=200)
    level = models.CharField(_("level"), max_length=16)
    category = models.CharField(_("category"), max_length=64, blank=True)
    response_policy_ja = models.TextField(_("response policy (Japanese)"))
    response_policy_en = models.TextField(_("response policy (English)"))
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=AnnouncementState.choices,
        default=AnnouncementState.PENDING_REVIEW,
    )
    created_at = models.DateTimeField(_("listed at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = _user_fk(_("confirmed by"))
    is_auto_confirmed = models.BooleanField(_("confirmed automatically"), default=False)
    sent_at = models.DateTimeField(_("announced at"), null=True, blank=True)
    dismissed_reason = models.TextField(_("reason for dismissing"), blank=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["advisory", "platform_key"], name="announcement_advisory_platform"
            )
        ]

    def __str__(self) -> str:
        return f"{self.advisory.advisory_id} {self.platform_key}"

    def response_policy(self, language: str) -> str:
        return self.response_policy_ja if language.startswith("ja") else self.response_policy_en


class Case(models.Model):
    """What one customer hears of one announcement and does about it (R9)."""

    announcement = models.ForeignKey(
        Announcement, verbose_name=_("announcement"), on_delete=models.PROTECT, related_name="cases"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="cases"
    )
    delivery = models.CharField(_("delivery"), max_length=16, choices=DeliveryChoices.choices)
    request_deadline_at = models.DateTimeField(_("request by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    is_closed = models.BooleanField(_("closed"), default=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "customer"], name="case_announcement_customer"
            )
        ]

    def __str__(self) -> str:
        return f"C-{self.pk or 0:05d}"

    @property
    def number(self) -> str:
        return str(self)


class CaseItem(models.Model):
    """One server of the customer on the release: its countermeasure's state (Table 2)."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="items"
    )
    server = models.ForeignKey(
        Server, verbose_name=_("server"), on_delete=models.PROTECT, related_name="case_items"
    )
    state = models.CharField(_("state"), max_length=20, choices=ItemStateChoices.choices)
    is_affected = models.BooleanField(_("affected"), default=False)
    is_actionable = models.BooleanField(_("covered by the plan"), default=False)
    plan = models.CharField(_("plan on the confirmation day"), max_length=32, blank=True)
    request_key = models.CharField(_("submission key"), max_length=64, blank=True)
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    requested_by = _user_fk(_("requested by"))
    is_on_behalf = models.BooleanField(_("recorded by an operator"), default=False)
    received_via = models.CharField(_("received through"), max_length=200, blank=True)
    by_standing_consent = models.BooleanField(_("by standing consent"), default=False)
    window_kind = models.CharField(
        _("work time"), max_length=16, choices=WindowKind.choices, blank=True
    )
    preferred_starts_at = models.DateTimeField(_("preferred start"), null=True, blank=True)
    preferred_ends_at = models.DateTimeField(_("preferred end"), null=True, blank=True)
    specification = models.ForeignKey(
        "contracts.ServiceDocument",
        verbose_name=_("specification accepted"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    terms = models.ForeignKey(
        "contracts.ServiceDocument",
        verbose_name=_("terms accepted"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    quote = models.ForeignKey(
        "billing.Quote",
        verbose_name=_("quote"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_items",
    )
    declined_reason = models.TextField(_("reason for declining"), blank=True)
    done_at = models.DateTimeField(_("work done at"), null=True, blank=True)
    verification_deadline_at = models.DateTimeField(_("verify by"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = _user_fk(_("verified by"))
    is_auto_verified = models.BooleanField(_("closed without an answer"), default=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("case item")
        verbose_name_plural = _("case items")
        ordering = ["case", "server__name"]
        constraints = [models.UniqueConstraint(fields=["case", "server"], name="case_item_server")]
        indexes = [models.Index(fields=["state"], name="case_item_state")]

    def __str__(self) -> str:
        return f"{self.case} {self.server.name}"


class CaseEvent(models.Model):
    """One entry of a case's timeline; internal notes are shown to operators only."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events"
    )
    item = models.ForeignKey(
        CaseItem,
        verbose_name=_("server"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    actor = _user_fk(_("by"))
    actor_label = models.CharField(_("by (label)"), max_length=150, blank=True)
    is_operator = models.BooleanField(_("by the provider"), default=True)
    text = models.TextField(_("text"), blank=True)
    params = models.JSONField(_("details"), default=dict, blank=True)
    is_internal = models.BooleanField(_("internal"), default=False)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.kind}"


class ServerServiceState(models.Model):
    """Per server: the customer's standing consent, and a pause while we cannot log in (R14)."""

    server = models.OneToOneField(
        Server, verbose_name=_("server"), on_delete=models.CASCADE, related_name="service_state"
    )
    standing_consent = models.BooleanField(
        _("apply High automatically"),
        default=False,
        help_text=_("High countermeasures are requested and booked in the next business window."),
    )
    consent_set_at = models.DateTimeField(_("consent changed at"), null=True, blank=True)
    consent_set_by = _user_fk(_("consent changed by"))
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    pause_reason = models.CharField(
        _("reason for the pause"), max_length=32, choices=PauseReason.choices, blank=True
    )
    resumed_at = models.DateTimeField(_("last resumed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("server service state")
        verbose_name_plural = _("server service states")

    def __str__(self) -> str:
        return f"{self.server} {'paused' if self.paused_at else 'running'}"

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None
