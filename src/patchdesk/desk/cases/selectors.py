"""Reads of the service flow. Customer data is scoped by ``actor=``: operators see every
customer, a customer user their own company only (another company's case is absent / 404)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from patchdesk.desk.accounts.models import User
from patchdesk.desk.advisories.models import AdvisoryCve, AffectedPackage
from patchdesk.desk.cases.choices import AnnouncementState, OutboxStatus
from patchdesk.desk.cases.common import flow_settings_get
from patchdesk.desk.cases.models import (
    Announcement,
    Case,
    CaseEvent,
    CaseItem,
    ContactPreference,
    CustomerWebhook,
    OutboxMessage,
    ServerServiceState,
)
from patchdesk.desk.customers.models import Contact, Customer
from patchdesk.desk.customers.selectors import scope_to_actor
from patchdesk.desk.findings.models import Finding, FindingState
from patchdesk.desk.fleet.models import Server
from patchdesk.engine.workflow.states import ItemState

__all__ = [
    "ACTION_STATES",
    "AnnouncementReview",
    "announcement_get",
    "announcement_list",
    "announcement_review_rows",
    "case_events",
    "case_get",
    "case_list",
    "contact_preferences",
    "customer_server_states",
    "flow_settings_get",
    "outbox_counts",
    "outbox_list",
    "paused_server_count",
    "paused_server_ids",
    "server_pause_get",
    "service_states",
    "webhook_list",
]

# what an operator has to act on
ACTION_STATES = [ItemState.REQUESTED, ItemState.FAILED, ItemState.PROBLEM_REPORTED]


@dataclass(slots=True, kw_only=True)
class AnnouncementReview:
    announcement: Announcement
    cve_ids: list[str] = field(default_factory=list)
    packages: list[AffectedPackage] = field(default_factory=list)
    customers: int = 0
    servers: int = 0
    affected_servers: list[Server] = field(default_factory=list)


def announcement_list(*, state: str = "") -> QuerySet[Announcement]:
    queryset = Announcement.objects.select_related("advisory", "confirmed_by").annotate(
        case_count=Count("cases", distinct=True)
    )
    if state:
        queryset = queryset.filter(state=state)
    return queryset.order_by("-created_at", "-pk")


def announcement_get(pk: int) -> Announcement:
    return Announcement.objects.select_related("advisory", "confirmed_by").get(pk=pk)


def announcement_review_rows(announcements: list[Announcement]) -> list[AnnouncementReview]:
    """What an operator needs to confirm: CVEs, fixed packages, who runs the release, who is
    affected."""
    rows = []
    for announcement in announcements:
        servers = Server.objects.filter(
            platform__key=announcement.platform_key, is_managed=True
        ).select_related("customer")
        affected_ids = set(
            Finding.objects.filter(
                advisory=announcement.advisory,
                server__in=servers,
                state=FindingState.OPEN,
                is_out_of_scope_origin=False,
            ).values_list("server_id", flat=True)
        )
        rows.append(
            AnnouncementReview(
                announcement=announcement,
                cve_ids=sorted(
                    AdvisoryCve.objects.filter(advisory=announcement.advisory).values_list(
                        "cve_id", flat=True
                    )
                ),
                packages=list(
                    AffectedPackage.objects.filter(
                        advisory=announcement.advisory, platform_key=announcement.platform_key
                    ).order_by("package")
                ),
                customers=len({s.customer_id for s in servers}),
                servers=len(servers),
                affected_servers=[s for s in servers if s.pk in affected_ids],
            )
        )
    return rows


def _cases() -> QuerySet[Case]:
    return Case.objects.select_related(
        "announcement", "announcement__advisory", "customer"
    ).annotate(
        affected_count=Count("items", filter=Q(items__is_affected=True), distinct=True),
        waiting_count=Count(
            "items", filter=Q(items__state=ItemState.AWAITING_REQUEST), distinct=True
        ),
        action_count=Count("items", filter=Q(items__state__in=ACTION_STATES), distinct=True),
        verify_count=Count("items", filter=Q(items__state=ItemState.DONE), distinct=True),
    )


def case_list(
    *,
    actor: User,
    customer: Customer | None = None,
    state: str = "",
    needs_action: bool = False,
    announcement: Announcement | None = None,
) -> QuerySet[Case]:
    """Cases the actor may see, newest first. ``state``: open or closed."""
    queryset = scope_to_actor(_cases(), actor=actor)
    if customer is not None:
        queryset = queryset.filter(customer=customer)
    if announcement is not None:
        queryset = queryset.filter(announcement=announcement)
    if state == "open":
        queryset = queryset.filter(is_closed=False)
    elif state == "closed":
        queryset = queryset.filter(is_closed=True)
    if needs_action:
        queryset = queryset.filter(
            Exists(CaseItem.objects.filter(case=OuterRef("pk"), state__in=ACTION_STATES))
        )
    return queryset.order_by("-created_at", "-pk")


def case_get(pk: int, *, actor: User) -> Case:
    """One case the actor may see; ``Case.DoesNotExist`` otherwise (a 404 for the view)."""
    return scope_to_actor(_cases(), actor=actor).get(pk=pk)


def case_items(case: Case) -> QuerySet[CaseItem]:
    return case.items.select_related(
        "server", "server__service_state", "quote", "specification", "requested_by"
    ).order_by("server__name")


def case_events(case: Case, *, actor: User) -> QuerySet[CaseEvent]:
    """The timeline; internal notes only for operators."""
    events = CaseEvent.objects.filter(case=case).select_related("item", "item__server", "actor")
    if not actor.is_operator:
        events = events.filter(is_internal=False)
    return events.order_by("created_at", "pk")


def service_states(servers: list[Server]) -> dict[int, ServerServiceState]:
    rows = ServerServiceState.objects.filter(server__in=servers)
    return {row.server_id: row for row in rows}


def paused_server_ids(servers: Iterable[Server]) -> set[int]:
    """Which of these servers (already scoped by the caller) have their service paused (R14):
    for the server pages of the console and the portal, one query per page."""
    return set(
        ServerServiceState.objects.filter(
            server_id__in=[server.pk for server in servers], paused_at__isnull=False
        ).values_list("server_id", flat=True)
    )


def server_pause_get(server: Server) -> ServerServiceState | None:
    """The server's pause (R14); None while its service runs."""
    return ServerServiceState.objects.filter(server=server, paused_at__isnull=False).first()


def paused_server_count() -> int:
    """How many servers have their service paused (operators: the console home)."""
    return ServerServiceState.objects.filter(paused_at__isnull=False).count()


def customer_server_states(*, actor: User) -> list[tuple[Server, ServerServiceState | None]]:
    """The actor's company's managed servers with their service state (portal)."""
    servers = list(
        scope_to_actor(
            Server.objects.filter(is_managed=True).select_related("platform"),
            actor=actor,
        ).order_by("name")
    )
    states = service_states(servers)
    return [(server, states.get(server.pk)) for server in servers]


def outbox_list(*, status: str = "") -> QuerySet[OutboxMessage]:
    queryset = OutboxMessage.objects.select_related("customer", "case")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-pk")


def outbox_counts() -> dict[str, int]:
    rows = OutboxMessage.objects.values("status").annotate(total=Count("pk")).order_by()
    counts = {row["status"]: row["total"] for row in rows}
    return {status.value: counts.get(status.value, 0) for status in OutboxStatus}


def webhook_list(customer: Customer) -> QuerySet[CustomerWebhook]:
    return CustomerWebhook.objects.filter(customer=customer).order_by("pk")


def contact_preferences(customer: Customer) -> list[tuple[Contact, bool]]:
    contacts = list(customer.contacts.order_by("name"))
    digest = set(
        ContactPreference.objects.filter(contact__in=contacts, wants_digest=True).values_list(
            "contact_id", flat=True
        )
    )
    return [(contact, contact.pk in digest) for contact in contacts]


def pending_review_count() -> int:
    return Announcement.objects.filter(state=AnnouncementState.PENDING_REVIEW).count()


__all__ += ["case_items", "pending_review_count"]
