"""Step 2 of Table 2 (R6): from a confirmed announcement to cases, items and notices.

Idempotent: running it again (a resend) creates only what is missing — a case for a customer
who has a server on the release now, an item for a new server, a notice for a new contact —
and never a second notice for the same announcement, recipient and channel.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.conf import settings as django_settings
from django.utils import translation
from django.utils.translation import gettext as _

from patchdesk.desk.advisories.models import AdvisoryCve, AffectedPackage
from patchdesk.desk.cases.choices import EventKind, WindowKind
from patchdesk.desk.cases.common import (
    case_closed_refresh,
    event_add,
    flow_settings_get,
    item_move,
)
from patchdesk.desk.cases.models import Announcement, Case, CaseItem, ServerServiceState
from patchdesk.desk.cases.notices import notify_customer, notify_webhooks
from patchdesk.desk.contracts.selectors import (
    business_calendar,
    documents_in_force,
)
from patchdesk.desk.customers.models import Customer
from patchdesk.desk.findings.models import Finding, FindingState
from patchdesk.desk.findings.selectors import CoverageJudge, server_is_out_of_service
from patchdesk.desk.fleet.models import Server
from patchdesk.engine.calendar import BusinessCalendar
from patchdesk.engine.workflow.audience import (
    AnnouncementTarget,
    Delivery,
    ServerStanding,
    announcement_audience,
)
from patchdesk.engine.workflow.consent import standing_consent_applies
from patchdesk.engine.workflow.states import ItemEvent, ItemState
from patchdesk.engine.workflow.timing import request_deadline

__all__ = ["announcement_deliver"]


def _targets(
    announcement: Announcement, calendar: BusinessCalendar, now: datetime
) -> tuple[list[AnnouncementTarget], dict[int, Server], dict[int, str]]:
    servers = {
        s.pk: s
        for s in Server.objects.filter(
            platform__key=announcement.platform_key, is_managed=True
        ).select_related("platform", "customer")
    }
    confirmed_on = calendar.local_date(announcement.advisory.first_seen_at)
    today = calendar.local_date(now)
    judge = CoverageJudge(calendar=calendar, today=today)  # the same answer as the findings
    plans = {pk: judge.plan_covering(s, confirmed_on) for pk, s in servers.items()}
    standing = [
        ServerStanding(
            server_id=pk,
            customer_id=s.customer_id,
            platform_key=announcement.platform_key,
            plan=plans[pk],
            is_managed=s.is_managed,
            is_in_service=not server_is_out_of_service(s, today=today),
        )
        for pk, s in servers.items()
    ]
    affected = set(
        Finding.objects.filter(
            advisory=announcement.advisory,
            server_id__in=list(servers),
            state=FindingState.OPEN,
            is_out_of_scope_origin=False,
        ).values_list("server_id", flat=True)
    )
    targets = announcement_audience(
        level=announcement.level,
        platform_key=announcement.platform_key,
        servers=standing,
        affected_server_ids=affected,
    )
    return targets, servers, {pk: (plan.value if plan else "") for pk, plan in plans.items()}


def announcement_deliver(announcement: Announcement, *, now: datetime) -> list[Case]:
    """Cases and items for every customer on the release, standing consent applied, notices
    queued. Runs inside the confirming (or resending) transaction."""
    calendar = business_calendar()
    settings = flow_settings_get()
    targets, servers, plans = _targets(announcement, calendar, now)
    deadline = request_deadline(calendar, now, business_days=settings.request_days)
    cases = []
    for target in targets:
        case, created = Case.objects.get_or_create(
            announcement=announcement,
            customer_id=target.customer_id,
            defaults={
                "delivery": target.delivery,
                "request_deadline_at": deadline,
                "created_at": now,
            },
        )
        new_items = _items_add(case, target, servers, plans, now)
        reopened = [] if created else _items_now_affected(case, target, now)
        if reopened and case.request_deadline_at < deadline:
            case.request_deadline_at = deadline  # time to answer for the servers found late
            case.save(update_fields=["request_deadline_at"])
        if created:
            event_add(
                case,
                kind=EventKind.ANNOUNCED,
                actor=None,
                actor_label="patchdesk",
                params={
                    "servers": [servers[pk].name for pk in target.servers],
                    "affected": [servers[pk].name for pk in target.affected],
                    "delivery": target.delivery.value,
                },
                now=now,
            )
        _standing_consent(announcement, [*new_items, *reopened], now)
        case_closed_refresh(case, now=now)
        if case.delivery == Delivery.ANNOUNCE:
            _notify(case, now)
            if reopened:
                _notify(case, now, late=sorted(item.server_id for item in reopened))
        cases.append(case)
    return cases


def _items_now_affected(case: Case, target: AnnouncementTarget, now: datetime) -> list[CaseItem]:
    """Servers a later scan found affected (they lacked the package when it was announced):
    their countermeasure can be requested now (R6, R7)."""
    late = case.items.filter(
        server_id__in=target.actionable, state=ItemState.NOT_APPLICABLE, is_affected=False
    ).select_related("server")
    reopened = []
    for item in late:
        item.is_affected = item.is_actionable = True
        item_move(
            item,
            ItemEvent.BECAME_AFFECTED,
            actor=None,
            actor_label="patchdesk",
            kind=EventKind.BECAME_AFFECTED,
            params={"server": item.server.name},
            now=now,
        )
        reopened.append(item)
    return reopened


def _items_add(
    case: Case,
    target: AnnouncementTarget,
    servers: dict[int, Server],
    plans: dict[int, str],
    now: datetime,
) -> list[CaseItem]:
    known = set(case.items.values_list("server_id", flat=True))
    created = []
    for pk in target.servers:
        if pk in known:
            continue
        actionable = pk in target.actionable
        created.append(
            CaseItem.objects.create(
                case=case,
                server=servers[pk],
                state=ItemState.AWAITING_REQUEST if actionable else ItemState.NOT_APPLICABLE,
                is_affected=pk in target.affected,
                is_actionable=actionable,
                plan=plans[pk],
                updated_at=now,
            )
        )
    return created


def _standing_consent(announcement: Announcement, items: list[CaseItem], now: datetime) -> None:
    """HIGH items on servers with standing consent are requested (and booked) at once."""
    states = {
        s.server_id: s
        for s in ServerServiceState.objects.filter(server_id__in=[i.server_id for i in items])
    }
    consented: dict[int, list[CaseItem]] = defaultdict(list)
    for item in items:
        state = states.get(item.server_id)
        if state is None or not standing_consent_applies(
            announcement.level,
            has_consent=state.standing_consent,
            is_actionable=item.is_actionable,
            is_paused=state.is_paused,
        ):
            continue
        item.requested_at, item.by_standing_consent = now, True
        item.window_kind = WindowKind.BUSINESS
        item.requested_by = state.consent_set_by  # who gave the consent (and its disclaimers)
        item.specification, item.terms = documents_in_force(on=business_calendar().local_date(now))
        item_move(
            item,
            ItemEvent.REQUEST,
            actor=None,
            actor_label="standing consent",
            kind=EventKind.REQUESTED,
            params={"standing_consent": True},
            now=now,
        )
        consented[item.server_id].append(item)
    if consented:
        from patchdesk.desk.work.services import standing_consent_book

        for server_items in consented.values():
            standing_consent_book(server_items, now=now)


def _announcement_context(case: Case) -> dict[str, object]:
    announcement = case.announcement
    items = list(case.items.select_related("server").order_by("server__name"))
    return {
        "announcement": announcement,
        "advisory": announcement.advisory,
        "cve_ids": list(
            AdvisoryCve.objects.filter(advisory=announcement.advisory)
            .order_by("cve_id")
            .values_list("cve_id", flat=True)
        ),
        "packages": list(
            AffectedPackage.objects.filter(
                advisory=announcement.advisory, platform_key=announcement.platform_key
            ).order_by("package")
        ),
        "items": items,
        "affected": [item for item in items if item.is_affected],
        "actionable": [item for item in items if item.state == ItemState.AWAITING_REQUEST],
        "requested": [item for item in items if item.by_standing_consent],
        "show_disclaimers": True,
    }


def _notify(case: Case, now: datetime, *, late: list[int] | None = None) -> None:
    """The announcement to the customer; ``late``: again, for servers found affected since
    (one notice per such set of servers, never twice)."""
    context = _announcement_context(case)
    needs_action = bool(context["actionable"]) or bool(context["requested"])
    key = f"announcement:{case.announcement_id}:customer:{case.customer_id}"
    if late:
        key += ":late:" + ",".join(str(pk) for pk in late)
    notify_customer(
        case.customer,
        template="announcement",
        key=key,
        context=context,
        case=case,
        digest_allowed=True,
        needs_action=needs_action,
        now=now,
    )
    _webhooks(case.customer, case, context, key, now)


def _webhooks(
    customer: Customer, case: Case, context: dict[str, object], key: str, now: datetime
) -> None:
    announcement = case.announcement
    affected = [item.server.name for item in context["affected"]]  # type: ignore[attr-defined]
    url = f"{django_settings.PATCHDESK_BASE_URL}/portal/cases/{case.pk}/"
    with translation.override(customer.language):
        level = _("High") if announcement.level == "high" else _("Medium")
        text = _(
            "Security announcement %(advisory)s (%(level)s) for %(platform)s: %(summary)s\n"
            "Affected servers: %(affected)s\nRequest by: %(deadline)s\n%(url)s"
        ) % {
            "advisory": announcement.advisory.advisory_id,
            "level": level,
            "platform": announcement.platform_name,
            "summary": announcement.advisory.summary,
            "affected": ", ".join(affected) or _("none"),
            "deadline": case.request_deadline_at.isoformat(),
            "url": url,
        }
    payload = {
        "event": "announcement",
        "case": case.pk,
        "customer": customer.code,
        "advisory": announcement.advisory.advisory_id,
        "summary": announcement.advisory.summary,
        "level": announcement.level,
        "platform": announcement.platform_key,
        "cves": context["cve_ids"],
        "servers": [item.server.name for item in context["items"]],  # type: ignore[attr-defined]
        "affected": affected,
        "request_deadline": case.request_deadline_at.isoformat(),
        "url": url,
    }
    notify_webhooks(
        customer, kind="announcement", key=key, text=text, payload=payload, case=case, now=now
    )
