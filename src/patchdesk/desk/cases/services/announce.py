"""Step 1 of Table 2: new High/Medium advisories for OS releases in service are listed for an
operator's review (or confirmed automatically, per level); confirming announces them."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef

from patchdesk.desk.accounts.models import User
from patchdesk.desk.advisories.models import Advisory, AffectedPackage
from patchdesk.desk.cases.choices import AnnouncementState
from patchdesk.desk.cases.common import flow_settings_get, now_or
from patchdesk.desk.cases.errors import AnnouncementNotPendingError, AnnouncementNotSentError
from patchdesk.desk.cases.models import Announcement, CaseItem, FlowSettings
from patchdesk.desk.cases.outbox import outbox_kick_on_commit
from patchdesk.desk.cases.services.audience import announcement_deliver
from patchdesk.desk.cases.services.levels import advisory_level, default_response_policy
from patchdesk.desk.contracts.selectors import business_calendar
from patchdesk.desk.contracts.services._common import check_operator
from patchdesk.desk.core.errors import ValidationFailedError
from patchdesk.desk.core.services import audit_record
from patchdesk.desk.findings.models import Finding, FindingState
from patchdesk.desk.fleet.models import Server
from patchdesk.desk.platforms.models import SupportedPlatform
from patchdesk.engine.workflow.review import ReviewRoute, review_route
from patchdesk.engine.workflow.states import ItemState

logger = logging.getLogger(__name__)

__all__ = [
    "announcement_confirm",
    "announcement_dismiss",
    "announcement_list_for_review",
    "announcement_resend",
    "announcements_discover",
    "announcements_follow_late_findings",
    "platform_keys_in_service",
]

JOB = "cases job"


def platform_keys_in_service(*, now: datetime) -> set[str]:
    """OS releases with at least one managed server whose vendor support has not ended."""
    today = business_calendar().local_date(now)
    rows = (
        Server.objects.filter(is_managed=True, platform__isnull=False)
        .values_list("platform__key", "platform__vendor_support_ends_on")
        .distinct()
    )
    return {key for key, ends_on in rows if ends_on is None or ends_on >= today}


def _auto_levels(settings: FlowSettings) -> set[str]:
    return {
        level
        for level, on in (
            ("high", settings.auto_confirm_high),
            ("medium", settings.auto_confirm_medium),
        )
        if on
    }


@transaction.atomic
def announcement_list_for_review(
    advisory: Advisory, platform_key: str, *, actor: User | None, now: datetime | None = None
) -> Announcement | None:
    """List one advisory for one release (or confirm it at once when its level is set to be
    announced automatically). None when its level is not announced (out of scope, undecided);
    the existing announcement when there is one."""
    check_operator(actor)
    now = now_or(now)
    existing = Announcement.objects.filter(advisory=advisory, platform_key=platform_key).first()
    if existing is not None:
        return existing
    level, category = advisory_level(advisory)
    settings = flow_settings_get()
    route = review_route(level, auto_confirm_levels=_auto_levels(settings))
    if route == ReviewRoute.IGNORE:
        return None
    platform = SupportedPlatform.objects.filter(key=platform_key).first()
    announcement = Announcement.objects.create(
        advisory=advisory,
        platform_key=platform_key,
        platform_name=platform.name if platform else platform_key,
        level=level,
        category=category,
        response_policy_ja=default_response_policy(level, category, "ja"),
        response_policy_en=default_response_policy(level, category, "en"),
        created_at=now,
    )
    audit_record(
        actor=actor,
        action="announcement.list",
        obj=announcement,
        changes={"level": level, "platform": platform_key, "route": route.value},
        actor_label="" if actor else JOB,
    )
    if route == ReviewRoute.AUTO_CONFIRM:
        _confirm(announcement, actor=None, auto=True, now=now)
    return announcement


def announcements_discover(*, now: datetime | None = None) -> list[Announcement]:
    """Periodic: list every new advisory for the releases in service (each in its own
    transaction; one failure is logged and does not stop the others)."""
    now = now_or(now)
    settings = flow_settings_get()
    if settings.announce_from is None:
        settings.announce_from = now  # the first run: what was imported before is history
        settings.save()
        return []
    keys = platform_keys_in_service(now=now)
    if not keys:
        return []
    pairs = (
        AffectedPackage.objects.filter(
            platform_key__in=keys, advisory__first_seen_at__gte=settings.announce_from
        )
        .filter(
            ~Exists(
                Announcement.objects.filter(
                    advisory_id=OuterRef("advisory_id"), platform_key=OuterRef("platform_key")
                )
            )
        )
        .values_list("advisory_id", "platform_key")
        .distinct()
    )
    listed = []
    for advisory_id, platform_key in sorted(set(pairs)):
        try:
            advisory = Advisory.objects.get(pk=advisory_id)
            announcement = announcement_list_for_review(advisory, platform_key, actor=None, now=now)
        except Exception:
            logger.exception("listing advisory=%s for %s failed", advisory_id, platform_key)
            continue
        if announcement is not None:
            listed.append(announcement)
    return listed


def _lock(announcement: Announcement) -> Announcement:
    return (
        Announcement.objects.select_for_update(of=("self",))
        .select_related("advisory")
        .get(pk=announcement.pk)
    )


def _confirm(
    announcement: Announcement, *, actor: User | None, auto: bool, now: datetime
) -> Announcement:
    announcement.state = AnnouncementState.SENT
    announcement.confirmed_at = announcement.sent_at = now
    announcement.confirmed_by, announcement.is_auto_confirmed = actor, auto
    announcement.save()
    cases = announcement_deliver(announcement, now=now)
    audit_record(
        actor=actor,
        action="announcement.confirm",
        obj=announcement,
        changes={
            "state": [AnnouncementState.PENDING_REVIEW, AnnouncementState.SENT],
            "auto": auto,
            "cases": len(cases),
        },
        actor_label="" if actor else JOB,
    )
    outbox_kick_on_commit()
    return announcement


@transaction.atomic
def announcement_confirm(
    announcement: Announcement,
    *,
    actor: User,
    response_policy_ja: str,
    response_policy_en: str,
    now: datetime | None = None,
) -> Announcement:
    """The operator confirms the vulnerability (step 1) with the response policy as edited, and
    it is announced to every customer on the release (step 2)."""
    check_operator(actor)
    announcement = _lock(announcement)
    if announcement.state != AnnouncementState.PENDING_REVIEW:
        raise AnnouncementNotPendingError(state=announcement.get_state_display())
    ja, en = response_policy_ja.strip(), response_policy_en.strip()
    if not ja or not en:
        raise ValidationFailedError(field="response_policy", reason="required in both languages")
    announcement.response_policy_ja, announcement.response_policy_en = ja, en
    return _confirm(announcement, actor=actor, auto=False, now=now_or(now))


@transaction.atomic
def announcement_dismiss(
    announcement: Announcement, *, actor: User, reason: str, now: datetime | None = None
) -> Announcement:
    """Not announced (e.g. the package is not one the service updates); the reason is kept."""
    check_operator(actor)
    announcement = _lock(announcement)
    if announcement.state != AnnouncementState.PENDING_REVIEW:
        raise AnnouncementNotPendingError(state=announcement.get_state_display())
    if not reason.strip():
        raise ValidationFailedError(field="reason", reason="required")
    announcement.state = AnnouncementState.DISMISSED
    announcement.dismissed_reason = reason.strip()
    announcement.confirmed_by, announcement.confirmed_at = actor, now_or(now)
    announcement.save()
    audit_record(
        actor=actor,
        action="announcement.dismiss",
        obj=announcement,
        changes={"state": [AnnouncementState.PENDING_REVIEW, AnnouncementState.DISMISSED]},
        message=announcement.dismissed_reason,
    )
    return announcement


@transaction.atomic
def announcement_resend(
    announcement: Announcement, *, actor: User, now: datetime | None = None
) -> Announcement:
    """Deliver again: only what is missing is created or sent (never a duplicate)."""
    check_operator(actor)
    announcement = _lock(announcement)
    if announcement.state != AnnouncementState.SENT:
        raise AnnouncementNotSentError
    cases = announcement_deliver(announcement, now=now_or(now))
    audit_record(
        actor=actor, action="announcement.resend", obj=announcement, changes={"cases": len(cases)}
    )
    outbox_kick_on_commit()
    return announcement


def announcements_follow_late_findings(*, now: datetime | None = None) -> int:
    """Periodic: a server that lacked the package when an advisory was announced and has it
    now (a later scan found it) gets its countermeasure to request, and its customer is told
    again, once per such server. Each announcement in its own transaction."""
    now = now_or(now)
    found_late = Finding.objects.filter(
        server_id=OuterRef("server_id"),
        advisory_id=OuterRef("case__announcement__advisory_id"),
        state=FindingState.OPEN,
        is_out_of_scope_origin=False,
    )
    announcement_ids = set(
        CaseItem.objects.filter(
            state=ItemState.NOT_APPLICABLE,
            is_affected=False,
            case__announcement__state=AnnouncementState.SENT,
        )
        .filter(Exists(found_late))
        .values_list("case__announcement_id", flat=True)
    )
    followed = 0
    for pk in sorted(announcement_ids):
        try:
            with transaction.atomic():
                announcement_deliver(_lock(Announcement(pk=pk)), now=now)
                outbox_kick_on_commit()
            followed += 1
        except Exception:
            logger.exception("following late findings of announcement=%s failed", pk)
    return followed
