"""Reads of contracts, the business calendar and service documents.

Every read of customer data takes ``actor=`` (or ``customer=``): operators see every customer,
a customer user only their own company, anyone else nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from patchdesk.desk.accounts.models import User
from patchdesk.desk.contracts.choices import (
    HISTORY_LABELS,
    CancellationState,
    DocumentKindChoices,
)
from patchdesk.desk.contracts.errors import (
    ContractError,
    NoDocumentInForceError,
    PlanChangePendingError,
    from_rule,
)
from patchdesk.desk.contracts.mappers import calendar_to_engine, contract_facts, document_to_engine
from patchdesk.desk.contracts.models import (
    CalendarSettings,
    CancellationRequest,
    Contract,
    ProviderClosure,
    ServiceDocument,
)
from patchdesk.desk.core.models import AuditEntry
from patchdesk.desk.customers.models import Customer
from patchdesk.desk.customers.selectors import scope_to_actor
from patchdesk.desk.fleet.models import Server
from patchdesk.engine.calendar import BusinessCalendar
from patchdesk.engine.contracts import (
    OPEN_STATES,
    ContractFacts,
    ContractRuleError,
    ContractState,
    DocumentKind,
    NoDocumentInForce,
    Plan,
    check_plan_change,
    check_platform_open,
    document_in_force,
    earliest_cancellation_date,
)

__all__ = [
    "ApplicationOption",
    "HistoryRow",
    "ServerContractRow",
    "business_calendar",
    "calendar_settings_get",
    "closure_get",
    "closure_list",
    "contract_facts_get",
    "contract_get",
    "contract_history",
    "contract_history_rows",
    "contract_list",
    "contract_pending_cancellation",
    "contract_plan_change",
    "contracts_of_submission",
    "document_list",
    "documents_in_force",
    "earliest_cancellation_for",
    "plan_change_refusal",
    "plan_change_target",
    "plan_change_upgradable",
    "server_application_options",
    "server_contract_on",
    "server_contract_rows",
    "server_plan_on",
    "service_started_on",
]

OPEN = [state.value for state in OPEN_STATES]


# --- provider rules --------------------------------------------------------------------------


def calendar_settings_get() -> CalendarSettings:
    """The provider's calendar settings (the seeded row, or the defaults if it is missing)."""
    return CalendarSettings.objects.filter(pk=1).first() or CalendarSettings(pk=1)


def closure_list() -> QuerySet[ProviderClosure]:
    return ProviderClosure.objects.all()


def closure_get(pk: int) -> ProviderClosure | None:
    return ProviderClosure.objects.filter(pk=pk).first()


def business_calendar() -> BusinessCalendar:
    """The provider's calendar: settings and closures from the database, the installation's
    time zone."""
    return calendar_to_engine(
        calendar_settings_get(), closure_list(), time_zone=str(settings.TIME_ZONE)
    )


def document_list() -> QuerySet[ServiceDocument]:
    return ServiceDocument.objects.select_related("created_by")


def documents_in_force(*, on: date) -> tuple[ServiceDocument, ServiceDocument]:
    """The specification and the terms of service in force on ``on`` (R15)."""
    rows = {row.pk: row for row in ServiceDocument.objects.all()}
    versions = [document_to_engine(row) for row in rows.values()]
    found = []
    for kind in (DocumentKind.SPECIFICATION, DocumentKind.TERMS):
        try:
            version = document_in_force(versions, kind=kind, on=on)
        except NoDocumentInForce:
            raise NoDocumentInForceError(document=DocumentKindChoices(kind).label, on=on) from None
        assert version.id is not None
        found.append(rows[version.id])
    return found[0], found[1]


# --- contracts -------------------------------------------------------------------------------


def _contracts() -> QuerySet[Contract]:
    pending = CancellationRequest.objects.filter(state=CancellationState.PENDING)
    return Contract.objects.select_related(
        "customer",
        "server",
        "server__platform",
        "platform",
        "applied_by",
        "decided_by",
        "specification",
        "terms",
    ).prefetch_related(Prefetch("cancellations", queryset=pending, to_attr="pending_cancellations"))


def contract_list(
    *,
    actor: User,
    customer: Customer | None = None,
    states: list[str] | None = None,
    server: Server | None = None,
) -> QuerySet[Contract]:
    queryset = scope_to_actor(_contracts(), actor=actor)
    if customer is not None:
        queryset = queryset.filter(customer=customer)
    if states:
        queryset = queryset.filter(state__in=states)
    if server is not None:
        queryset = queryset.filter(server=server)
    return queryset


def contract_get(pk: int, *, actor: User) -> Contract:
    """One contract the actor may see; ``Contract.DoesNotExist`` otherwise."""
    return contract_list(actor=actor).get(pk=pk)


def contracts_of_submission(*, customer: Customer, key: str) -> list[Contract]:
    """The contracts made by one submission of the application form (empty if none)."""
    try:
        submission_key = uuid.UUID(key)
    except ValueError:
        return []
    return list(
        _contracts()
        .filter(customer=customer, submission_key=submission_key)
        .order_by("server__name")
    )


def contract_pending_cancellation(contract: Contract) -> CancellationRequest | None:
    pending = getattr(contract, "pending_cancellations", None)
    if pending is not None:
        return pending[0] if pending else None
    return contract.cancellations.filter(state=CancellationState.PENDING).first()


def contract_facts_get(contract: Contract) -> ContractFacts:
    return contract_facts(contract, pending=contract_pending_cancellation(contract))


def earliest_cancellation_for(contract: Contract, *, today: date) -> date | None:
    """The earliest cancellation date a request made today could ask for (None: not possible,
    e.g. not started, or its last day already fixed by a plan change)."""
    started_on = service_started_on(contract)
    if (
        started_on is None
        or contract.state not in (ContractState.ACCEPTED, ContractState.ACTIVE)
        or contract.ended_on is not None
        or contract_plan_change(contract) is not None
    ):
        return None
    return earliest_cancellation_date(start_date=started_on, requested_on=today)


def service_started_on(contract: Contract) -> date | None:
    """The day the server's service began: the start of the first contract of a chain of plan
    changes (the minimum term, R13, counts from it: the service did not stop in between)."""
    started_on = contract.start_date
    previous_id = contract.previous_id
    seen = {contract.pk}
    while previous_id is not None and previous_id not in seen:
        seen.add(previous_id)
        row = Contract.objects.filter(pk=previous_id).values("start_date", "previous_id").first()
        if row is None:
            break
        started_on = row["start_date"] or started_on
        previous_id = row["previous_id"]
    return started_on


# --- plan changes ----------------------------------------------------------------------------

_CHANGING = [ContractState.APPLIED, ContractState.ACCEPTED]


def contract_plan_change(contract: Contract) -> Contract | None:
    """The change of ``contract``'s plan in progress: the new contract, requested or accepted
    and not started yet (None: no change in progress)."""
    return (
        Contract.objects.filter(previous=contract, state__in=_CHANGING)
        .select_related("applied_by", "decided_by")
        .first()
    )


def plan_change_upgradable(*, actor: User, server_ids: list[int]) -> list[Contract]:
    """The active Standard contracts of these servers that could be upgraded (no change in
    progress, no last day fixed), for links straight to the upgrade."""
    today = business_calendar().local_date(timezone.now())
    started = Q(state=ContractState.ACTIVE) | Q(state=ContractState.ACCEPTED, start_date__lte=today)
    return list(
        contract_list(actor=actor)
        .filter(started, server_id__in=server_ids, plan=Plan.STANDARD, ended_on__isnull=True)
        .exclude(successors__state__in=_CHANGING)
        .order_by("server__name")
    )


def plan_change_target(contract: Contract) -> Plan:
    """The plan a change of ``contract`` would move to: the other one."""
    return Plan.STANDARD if contract.plan == Plan.SECURITY_UPDATE else Plan.SECURITY_UPDATE


def plan_change_refusal(
    contract: Contract, *, to_plan: Plan, today: date, calendar: BusinessCalendar
) -> ContractError | None:
    """Why ``contract`` cannot change to ``to_plan`` today (None: it can be requested)."""
    name = contract.server.name
    changing = contract_plan_change(contract)
    if changing is not None:
        return PlanChangePendingError(
            server=name,
            plan=changing.get_plan_display(),
            state=changing.get_state_display(),
        )
    facts = contract_facts_get(contract)
    if facts.state is ContractState.ACCEPTED and facts.start_date and facts.start_date <= today:
        facts = replace(facts, state=ContractState.ACTIVE)  # the job activates it this hour
    try:
        check_plan_change(facts, to_plan=to_plan)
        platform = contract.server.platform
        check_platform_open(
            calendar,
            platform=platform.name if platform else None,
            is_offered=platform.is_offered if platform else False,
            support_ends_on=platform.vendor_support_ends_on if platform else None,
            on=today,
        )
    except ContractRuleError as exc:
        return from_rule(exc, server=name)
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryRow:
    recorded_at: datetime
    actor_label: str
    action: str
    label: str
    message: str


def contract_history_rows(contract: Contract) -> list[HistoryRow]:
    """The contract's history for people: each audited action with what it means."""
    return [
        HistoryRow(
            recorded_at=entry.recorded_at,
            actor_label=entry.actor_label,
            action=entry.action,
            label=str(HISTORY_LABELS.get(entry.action, entry.action)),
            message=entry.message,
        )
        for entry in contract_history(contract)
    ]


def contract_history(contract: Contract) -> QuerySet[AuditEntry]:
    """Audit entries of the contract and of its cancellation requests, oldest first."""
    contract_type = ContentType.objects.get_for_model(Contract)
    cancellation_type = ContentType.objects.get_for_model(CancellationRequest)
    cancellation_ids = [str(pk) for pk in contract.cancellations.values_list("pk", flat=True)]
    return (
        AuditEntry.objects.filter(
            Q(object_type=contract_type, object_id=str(contract.pk))
            | Q(object_type=cancellation_type, object_id__in=cancellation_ids)
        )
        .select_related("actor")
        .order_by("recorded_at", "id")
    )


def server_contract_on(server: Server, *, on: date) -> Contract | None:
    """The contract in service for ``server`` on ``on`` (None: none that day).

    In service: started on or before ``on`` and not ended before it — a contract whose
    cancellation was accepted still runs until its last day; an ended or rejected one does not.
    """
    candidates = (
        Contract.objects.filter(server=server, start_date__isnull=False, start_date__lte=on)
        .exclude(state=ContractState.REJECTED)
        .exclude(state=ContractState.ENDED, ended_on__isnull=True)
        .order_by("-start_date", "-pk")
    )
    for contract in candidates.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on)):
        facts = contract_facts_get(contract)
        ends_on = contract.ended_on or facts.ends_on
        if ends_on is None or on <= ends_on:
            return contract
    return None


def server_plan_on(server: Server, *, on: date) -> Plan | None:
    """The plan covering ``server`` on ``on`` (None: no contract in service that day).

    Coverage (R2, R11) needs more than the plan on the confirmation day: the contract must
    still be in service today and have started by then (``findings.selectors.CoverageJudge``).
    """
    contract = server_contract_on(server, on=on)
    return Plan(contract.plan) if contract is not None else None


# --- applications ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationOption:
    """A server of the customer, and whether it can be applied for today (with the reason)."""

    server: Server
    is_eligible: bool
    reason: ContractError | None = None


def server_application_options(
    *, customer: Customer, on: date, calendar: BusinessCalendar
) -> list[ApplicationOption]:
    """Every managed server of ``customer`` without an open contract, eligible or not."""
    servers = Server.objects.filter(customer=customer, is_managed=True).select_related("platform")
    servers = servers.exclude(contracts__state__in=OPEN).order_by("name")
    options = []
    for server in servers:
        platform = server.platform
        try:
            check_platform_open(
                calendar,
                platform=platform.name if platform else None,
                is_offered=platform.is_offered if platform else False,
                support_ends_on=platform.vendor_support_ends_on if platform else None,
                on=on,
            )
        except ContractRuleError as exc:
            options.append(
                ApplicationOption(
                    server=server, is_eligible=False, reason=from_rule(exc, server=server.name)
                )
            )
        else:
            options.append(ApplicationOption(server=server, is_eligible=True))
    return options


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerContractRow:
    """A server of the customer with its current (or last) contract, for the portal's list."""

    server: Server
    contract: Contract | None
    ends_on: date | None  # last day of service known today (cancellation or end of support)
    cancel_on: date | None
    support_ends_on: date | None
    plan_change: Contract | None = None  # the new contract of a plan change not started yet

    @property
    def can_change_plan(self) -> bool:
        """Whether a plan change may be offered (the service re-checks every rule)."""
        contract = self.contract
        return (
            contract is not None
            and contract.state == ContractState.ACTIVE
            and contract.ended_on is None
            and self.plan_change is None
        )


def server_contract_rows(*, actor: User, customer: Customer) -> list[ServerContractRow]:
    """Every managed server of ``customer`` the actor may see, with its latest contract."""
    servers = scope_to_actor(
        Server.objects.filter(customer=customer, is_managed=True).select_related("platform"),
        actor=actor,
    ).order_by("name")
    contracts: dict[int, Contract] = {}
    changes: dict[int, Contract] = {}
    for contract in contract_list(actor=actor, customer=customer).order_by("applied_at", "pk"):
        if contract.previous_id is not None and contract.state in _CHANGING:
            changes[contract.server_id] = contract  # shown beside the contract it replaces
            continue
        current = contracts.get(contract.server_id)
        if current is None or current.state not in OPEN or contract.state in OPEN:
            contracts[contract.server_id] = contract
    rows = []
    for server in servers:
        latest = contracts.get(server.pk)
        facts = contract_facts_get(latest) if latest is not None else None
        platform = server.platform
        rows.append(
            ServerContractRow(
                server=server,
                contract=latest,
                ends_on=(latest.ended_on if latest and latest.ended_on else None)
                or (facts.ends_on if facts else None),
                cancel_on=facts.cancel_on if facts else None,
                support_ends_on=platform.vendor_support_ends_on if platform else None,
                plan_change=changes.get(server.pk),
            )
        )
    return rows
