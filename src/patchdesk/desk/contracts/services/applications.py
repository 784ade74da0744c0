"""Applications (R10): made in the portal or entered from an order form; accepted or rejected
by an operator, the start date being the next business day (R11)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from functools import partial

from django.db import IntegrityError, transaction

from patchdesk.desk.accounts.models import User
from patchdesk.desk.contracts.choices import Channel
from patchdesk.desk.contracts.errors import (
    AlreadyAppliedError,
    ApplicationRefusedError,
    ContractError,
    CustomerInactiveError,
    NoServerSelectedError,
)
from patchdesk.desk.contracts.models import Contract
from patchdesk.desk.contracts.selectors import business_calendar, documents_in_force
from patchdesk.desk.contracts.services._common import (
    check_may_act_for,
    check_operator,
    decide,
    lock,
    now_or,
    provider_today,
    rule,
    transition,
)
from patchdesk.desk.contracts.services.notices import customer_notice_send
from patchdesk.desk.contracts.services.plan_changes import contract_plan_change_accept
from patchdesk.desk.core.errors import ValidationFailedError
from patchdesk.desk.core.services import audit_record
from patchdesk.desk.customers.models import Customer
from patchdesk.desk.fleet.models import Server
from patchdesk.desk.platforms.models import SupportedPlatform
from patchdesk.engine.calendar import BusinessCalendar
from patchdesk.engine.contracts import (
    OPEN_STATES,
    ContractAction,
    ContractRuleError,
    ContractState,
    Plan,
    check_platform_open,
    check_start,
    start_date_for,
)

__all__ = ["contract_accept", "contract_apply", "contract_reject"]


def _submitted(customer: Customer, submission_key: uuid.UUID | None) -> list[Contract]:
    """The contracts an earlier submission of the same form made (empty if none)."""
    if submission_key is None:
        return []
    return list(Contract.objects.filter(customer=customer, submission_key=submission_key))


def _refusals(
    servers: Sequence[Server], *, customer: Customer, calendar: BusinessCalendar, today: date
) -> list[ContractError]:
    """Why each server cannot be applied for today (empty: all can)."""
    reasons: list[ContractError] = []
    open_states = [state.value for state in OPEN_STATES]
    for server in servers:
        if server.customer_id != customer.pk:
            raise ValidationFailedError(field="servers", reason=server.name)
        if server.contracts.filter(state__in=open_states).exists():
            reasons.append(AlreadyAppliedError(server=server.name))
            continue
        platform = server.platform
        try:
            check_platform_open(
                calendar,
                platform=platform.name if platform else None,
                is_offered=platform.is_offered if platform else False,
                support_ends_on=platform.vendor_support_ends_on if platform else None,
                on=today,
            )
        except ContractRuleError as exc:
            reasons.append(rule(exc, server=server.name))
    return reasons


@transaction.atomic
def contract_apply(
    customer: Customer,
    *,
    servers: Sequence[Server],
    plan: str,
    actor: User | None,
    channel: str = Channel.PORTAL,
    submission_key: uuid.UUID | None = None,
    order_reference: str = "",
    now: datetime | None = None,
) -> list[Contract]:
    """Apply for the service on each server; one contract per server, all or none.

    A repeated submission (same ``submission_key``) returns the contracts of the first one and
    changes nothing, so a double-clicked form makes one application.
    """
    check_may_act_for(actor, customer)
    if channel == Channel.ORDER_FORM:
        check_operator(actor)
    earlier = _submitted(customer, submission_key)
    if earlier:
        return earlier
    if not customer.is_active:
        raise CustomerInactiveError(customer=customer.name)
    if not servers:
        raise NoServerSelectedError
    plan_value = Plan(plan).value
    now = now_or(now)
    calendar = business_calendar()
    today = provider_today(calendar, now)
    specification, terms = documents_in_force(on=today)
    order = {server.pk: index for index, server in enumerate(servers)}
    checked = sorted(
        Server.objects.filter(pk__in=order).select_related("platform"),
        key=lambda server: order[server.pk],
    )
    reasons = _refusals(checked, customer=customer, calendar=calendar, today=today)
    if reasons:
        # The same submission may have been committed meanwhile by a concurrent request.
        earlier = _submitted(customer, submission_key)
        if earlier:
            return earlier
        raise ApplicationRefusedError(reasons=reasons)
    platforms: dict[int, SupportedPlatform] = {}
    for server in checked:
        assert server.platform is not None  # refused above otherwise
        platforms[server.pk] = server.platform
    try:
        with transaction.atomic():
            contracts = [
                Contract.objects.create(
                    customer=customer,
                    server=server,
                    platform=platforms[server.pk],
                    plan=plan_value,
                    state=ContractState.APPLIED,
                    channel=channel,
                    order_reference=order_reference,
                    submission_key=submission_key,
                    applied_at=now,
                    applied_by=actor,
                    specification=specification,
                    terms=terms,
                )
                for server in checked
            ]
    except IntegrityError:
        # A concurrent request got there first: the same submission, or the same server.
        earlier = _submitted(customer, submission_key)
        if earlier:
            return earlier
        raise ApplicationRefusedError(
            reasons=[AlreadyAppliedError(server=s.name) for s in checked]
        ) from None
    for contract in contracts:
        audit_record(
            actor=actor,
            action="contract.apply",
            obj=contract,
            changes={
                "state": [None, ContractState.APPLIED],
                "plan": plan_value,
                "channel": channel,
                "order_reference": order_reference,
                "specification": specification.version,
                "terms": terms.version,
            },
        )
    return contracts


@transaction.atomic
def contract_accept(
    contract: Contract, *, actor: User | None, now: datetime | None = None
) -> Contract:
    """Accept an application: the service starts on the next business day (R11). A plan
    change (an application replacing a contract) takes effect the same way."""
    check_operator(actor)
    contract = lock(contract)
    if contract.previous_id is not None:
        return contract_plan_change_accept(contract, actor=actor, now=now_or(now))
    state = transition(contract, ContractAction.ACCEPT)
    now = now_or(now)
    calendar = business_calendar()
    start = start_date_for(calendar, now)
    platform = contract.server.platform or contract.platform
    try:
        check_start(start_date=start, support_ends_on=platform.vendor_support_ends_on)
    except ContractRuleError as exc:
        raise rule(exc) from None
    before = decide(contract, state, actor=actor, now=now, start_date=start)
    audit_record(
        actor=actor,
        action="contract.accept",
        obj=contract,
        changes={"state": [before, state], "start_date": start.isoformat()},
    )
    transaction.on_commit(
        partial(
            customer_notice_send,
            contract.customer_id,
            template="accepted",
            context={
                "server_name": contract.server.name,
                "plan": contract.get_plan_display(),
                "start_date": start,
            },
        )
    )
    return contract


@transaction.atomic
def contract_reject(
    contract: Contract, *, actor: User | None, reason: str, now: datetime | None = None
) -> Contract:
    check_operator(actor)
    contract = lock(contract)
    state = transition(contract, ContractAction.REJECT)
    if not reason.strip():
        raise ValidationFailedError(field="reason", reason="empty")
    before = decide(contract, state, actor=actor, now=now_or(now), rejection_reason=reason.strip())
    audit_record(
        actor=actor,
        action="contract.plan_change_reject" if contract.previous_id else "contract.reject",
        obj=contract,
        changes={"state": [before, state]},
        message=contract.rejection_reason,
    )
    return contract
