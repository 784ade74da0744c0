"""Reads of findings, verdicts and the policy, and whether the service acts on a finding.

Every read of customer data takes ``actor=`` (or ``customer=``): operators see every customer,
a customer user only their own company, anyone else nothing.

Coverage (R2, R5, R11, R13): an open finding is *actionable* when the server has a contract in
service today (active, or cancelled but not yet at its last day) and either the level is High
(any plan), or the level is Medium, that contract is the Security Update Service and it started
on or before the day the advisory was confirmed (its ``first_seen_at``, in the provider's
calendar). A server without a contract in service (never had one, or it ended), a server whose
OS is past the vendor's end of support, a package from an out-of-scope origin, a level out of
scope or still to be reviewed are never actionable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from patchdesk.desk.accounts.models import User
from patchdesk.desk.advisories.models import Advisory, AdvisoryCve
from patchdesk.desk.contracts.models import Contract
from patchdesk.desk.contracts.selectors import (
    business_calendar,
    server_contract_on,
    server_plan_on,
)
from patchdesk.desk.customers.models import Customer
from patchdesk.desk.customers.selectors import scope_to_actor
from patchdesk.desk.findings.choices import CoverageChoices
from patchdesk.desk.findings.models import (
    Classification,
    Finding,
    FindingState,
    PolicyDocument,
    PolicyOverride,
)
from patchdesk.desk.findings.policy import policy_active
from patchdesk.desk.fleet.models import Server
from patchdesk.engine.calendar import BusinessCalendar
from patchdesk.engine.contracts import Plan
from patchdesk.engine.model.classification import SecurityLevel
from patchdesk.engine.policy.document import Category

__all__ = [
    "LEVEL_RANK",
    "CoverageJudge",
    "FindingRow",
    "ServerSecurity",
    "classification_get",
    "finding_get",
    "finding_list",
    "finding_rows",
    "override_get",
    "override_list",
    "policy_categories",
    "policy_document_active",
    "policy_document_list",
    "server_ids_naming",
    "server_is_out_of_service",
    "server_security_get",
    "server_security_list",
]

LEVEL_RANK = Case(
    When(level=SecurityLevel.HIGH.value, then=Value(3)),
    When(level=SecurityLevel.MEDIUM.value, then=Value(2)),
    When(level=SecurityLevel.NEEDS_REVIEW.value, then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)


def server_is_out_of_service(server: Server, *, today: date) -> bool:
    """The server's OS is past the vendor's end of support: the service ended (R13)."""
    platform = server.platform
    ends_on = platform.vendor_support_ends_on if platform is not None else None
    return ends_on is not None and ends_on < today


class CoverageJudge:
    """Decides the coverage of findings; remembers each server's contract in service today."""

    def __init__(
        self, *, calendar: BusinessCalendar | None = None, today: date | None = None
    ) -> None:
        self.calendar = calendar or business_calendar()
        self.today = today or self.calendar.local_date(timezone.now())
        self._contracts: dict[int, Contract | None] = {}

    def confirmed_on(self, advisory: Advisory) -> date:
        return self.calendar.local_date(advisory.first_seen_at)

    def contract_today(self, server: Server) -> Contract | None:
        """The server's contract in service today (None: none, or it has ended)."""
        if server.pk not in self._contracts:
            self._contracts[server.pk] = server_contract_on(server, on=self.today)
        return self._contracts[server.pk]

    def plan_today(self, server: Server) -> Plan | None:
        contract = self.contract_today(server)
        return Plan(contract.plan) if contract is not None else None

    def plan_covering(self, server: Server, confirmed_on: date) -> Plan | None:
        """The plan that covers what was confirmed on ``confirmed_on``: None without a contract
        in service today; the Security Update Service only if that contract had started by
        then (R11), else Standard (High only)."""
        contract = self.contract_today(server)
        if contract is None:
            return None
        started_on = contract.start_date
        if (
            contract.plan == Plan.SECURITY_UPDATE
            and started_on is not None
            and started_on <= confirmed_on
        ):
            return Plan.SECURITY_UPDATE
        return Plan.STANDARD

    def plan_on(self, server: Server, on: date) -> Plan | None:
        """The server's plan on ``on`` (None: no contract in service that day)."""
        if on == self.today:
            return self.plan_today(server)
        return server_plan_on(server, on=on)

    def __call__(self, finding: Finding) -> CoverageChoices:  # noqa: PLR0911 - one per case
        server = finding.server
        if finding.state != FindingState.OPEN:
            return CoverageChoices.CLOSED
        if not server.is_managed:
            return CoverageChoices.UNMANAGED
        if server_is_out_of_service(server, today=self.today):
            return CoverageChoices.OUT_OF_SERVICE
        if finding.is_out_of_scope_origin:
            return CoverageChoices.THIRD_PARTY
        if finding.level == SecurityLevel.NEEDS_REVIEW:
            return CoverageChoices.NEEDS_REVIEW
        if finding.level not in (SecurityLevel.HIGH, SecurityLevel.MEDIUM):
            return CoverageChoices.OUT_OF_SCOPE
        if self.contract_today(server) is None:
            return CoverageChoices.NO_CONTRACT
        if finding.level == SecurityLevel.HIGH:
            return CoverageChoices.ACTIONABLE
        # Medium: the Security Update Service, in service since the advisory was confirmed (R11).
        covering = self.plan_covering(server, self.confirmed_on(finding.advisory))
        if covering == Plan.SECURITY_UPDATE:
            return CoverageChoices.ACTIONABLE
        return CoverageChoices.NOT_COVERED


@dataclass(frozen=True, slots=True, kw_only=True)
class FindingRow:
    finding: Finding
    coverage: CoverageChoices

    @property
    def is_actionable(self) -> bool:
        return self.coverage == CoverageChoices.ACTIONABLE


def _findings() -> QuerySet[Finding]:
    return Finding.objects.select_related(
        "server", "server__customer", "server__platform", "advisory"
    ).annotate(level_rank=LEVEL_RANK)


def finding_list(
    *,
    actor: User,
    level: str = "",
    state: str = "",
    customer: Customer | None = None,
    server: Server | None = None,
    advisory: Advisory | None = None,
    cve_id: str = "",
    include_fixed: bool = True,
) -> QuerySet[Finding]:
    """Findings the actor may see, highest level first."""
    queryset = scope_to_actor(_findings(), actor=actor, field="server__customer")
    if not include_fixed:
        queryset = queryset.exclude(state=FindingState.FIXED)
    if level:
        queryset = queryset.filter(level=level)
    if state:
        queryset = queryset.filter(state=state)
    if customer is not None:
        queryset = queryset.filter(server__customer=customer)
    if server is not None:
        queryset = queryset.filter(server=server)
    if advisory is not None:
        queryset = queryset.filter(advisory=advisory)
    if cve_id:
        queryset = queryset.filter(_naming(cve_id))
    return queryset.order_by(
        "-level_rank", "server__customer__name", "server__name", "package", "pk"
    )


def finding_get(pk: int, *, actor: User) -> Finding:
    """One finding the actor may see; ``Finding.DoesNotExist`` otherwise."""
    return finding_list(actor=actor).get(pk=pk)


def finding_rows(
    findings: Iterable[Finding],
    *,
    judge: CoverageJudge | None = None,
    actionable_only: bool = False,
) -> list[FindingRow]:
    """The findings with their coverage (optionally only the actionable ones)."""
    decide = judge or CoverageJudge()
    rows = [FindingRow(finding=finding, coverage=decide(finding)) for finding in findings]
    if actionable_only:
        return [row for row in rows if row.is_actionable]
    return rows


def actionable_candidates(queryset: QuerySet[Finding]) -> QuerySet[Finding]:
    """Narrow a findings query to those that can be actionable at all (before the judge)."""
    return queryset.filter(
        state=FindingState.OPEN,
        level__in=[SecurityLevel.HIGH.value, SecurityLevel.MEDIUM.value],
        is_out_of_scope_origin=False,
        server__is_managed=True,
    )


# --- the portal: a customer's servers and what the service does about them -------------------


@dataclass(slots=True, kw_only=True)
class ServerSecurity:
    """One server of a customer: the open findings the service acts on, and the Medium ones
    its plan does not cover (S2)."""

    server: Server
    plan: Plan | None
    is_out_of_service: bool
    actionable: list[FindingRow] = field(default_factory=list)
    not_covered: list[FindingRow] = field(default_factory=list)


def _security_rows(servers: list[Server], actor: User) -> list[ServerSecurity]:
    judge = CoverageJudge()
    result = {
        server.pk: ServerSecurity(
            server=server,
            plan=judge.plan_today(server),
            is_out_of_service=server_is_out_of_service(server, today=judge.today),
        )
        for server in servers
    }
    findings = finding_list(actor=actor, state=FindingState.OPEN).filter(
        server__in=servers,
        level__in=[SecurityLevel.HIGH.value, SecurityLevel.MEDIUM.value],
    )
    for row in finding_rows(findings, judge=judge):
        entry = result[row.finding.server_id]
        if row.is_actionable:
            entry.actionable.append(row)
        elif row.coverage == CoverageChoices.NOT_COVERED:
            entry.not_covered.append(row)
    return list(result.values())


def _customer_servers(*, actor: User, customer: Customer) -> QuerySet[Server]:
    return scope_to_actor(
        Server.objects.filter(customer=customer, is_managed=True).select_related(
            "platform", "customer"
        ),
        actor=actor,
    ).order_by("name")


def server_security_list(*, actor: User, customer: Customer) -> list[ServerSecurity]:
    """Every managed server of ``customer`` the actor may see, with its open findings."""
    return _security_rows(list(_customer_servers(actor=actor, customer=customer)), actor)


def server_security_get(pk: int, *, actor: User, customer: Customer) -> ServerSecurity:
    """One server of ``customer``; ``Server.DoesNotExist`` when the actor may not see it."""
    server = _customer_servers(actor=actor, customer=customer).get(pk=pk)
    return _security_rows([server], actor)[0]


# --- verdicts and the policy -------------------------------------------------------------------


def classification_get(cve_id: str) -> Classification | None:
    return Classification.objects.filter(cve_id=cve_id).first()


def override_get(cve_id: str) -> PolicyOverride | None:
    return PolicyOverride.objects.select_related("decided_by").filter(cve_id=cve_id).first()


def override_list() -> QuerySet[PolicyOverride]:
    return PolicyOverride.objects.select_related("decided_by").order_by("-decided_at", "cve_id")


def policy_document_active() -> PolicyDocument | None:
    return PolicyDocument.objects.select_related("created_by").filter(is_active=True).first()


def policy_document_list() -> QuerySet[PolicyDocument]:
    return PolicyDocument.objects.select_related("created_by").order_by("-created_at", "-pk")


def policy_document_get(pk: int) -> PolicyDocument:
    return PolicyDocument.objects.get(pk=pk)


def policy_categories() -> dict[str, Category]:
    """The categories of the policy in force, by id (their names in English and Japanese)."""
    return dict(policy_active().categories)


def _naming(cve_id: str) -> Q:
    """Findings of an advisory that names ``cve_id`` (or is classified under it)."""
    advisories = AdvisoryCve.objects.filter(cve_id=cve_id).values("advisory_id")
    without_cves = ~Exists(AdvisoryCve.objects.filter(advisory_id=OuterRef("advisory_id")))
    return Q(advisory_id__in=advisories) | Q(without_cves, advisory__advisory_id=cve_id)


def server_ids_naming(cve_id: str) -> list[int]:
    """Servers with a finding of an advisory that names ``cve_id`` (or is classified as it)."""
    return sorted(set(Finding.objects.filter(_naming(cve_id)).values_list("server_id", flat=True)))
