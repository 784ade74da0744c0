"""Helpers shared by the contract services: who may act, the clock, locking."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from patchdesk.desk.accounts.models import CustomerRole, User
from patchdesk.desk.contracts.errors import ContractError, from_rule
from patchdesk.desk.contracts.models import Contract
from patchdesk.desk.core.errors import PermissionDeniedError
from patchdesk.desk.customers.models import Customer
from patchdesk.engine.calendar import BusinessCalendar
from patchdesk.engine.contracts import ContractAction, ContractRuleError, ContractState, next_state


def now_or(now: datetime | None) -> datetime:
    return now if now is not None else timezone.now()


def provider_today(calendar: BusinessCalendar, now: datetime) -> date:
    return calendar.local_date(now)


def check_may_act_for(actor: User | None, customer: Customer, *, admin_only: bool = True) -> None:
    """Operators act for every customer; a customer user for their own, as an admin."""
    if actor is None or actor.is_operator:
        return
    is_own = actor.is_customer_user and actor.customer_id == customer.pk
    if is_own and (not admin_only or actor.customer_role == CustomerRole.ADMIN):
        return
    raise PermissionDeniedError


def check_operator(actor: User | None) -> None:
    if actor is not None and not actor.is_operator:
        raise PermissionDeniedError


def lock(contract: Contract) -> Contract:
    """The contract row again, locked for this transaction (PostgreSQL; SQLite locks the db)."""
    return (
        Contract.objects.select_for_update(of=("self",))
        .select_related("customer", "server", "server__platform", "platform")
        .get(pk=contract.pk)
    )


def transition(contract: Contract, action: ContractAction) -> ContractState:
    try:
        return next_state(ContractState(contract.state), action)
    except ContractRuleError as exc:
        raise from_rule(exc) from None


def rule(exc: ContractRuleError, **extra: object) -> ContractError:
    return from_rule(exc, **extra)


def decide(
    contract: Contract,
    state: ContractState,
    *,
    actor: User | None,
    now: datetime,
    **fields: object,
) -> str:
    """Record an operator's decision on an application (the locked ``contract``): its new
    state, when and by whom, and ``fields``; returns the state before, for the audit entry."""
    before = contract.state
    contract.state, contract.decided_at, contract.decided_by = state, now, actor
    for name, value in fields.items():
        setattr(contract, name, value)
    contract.save(update_fields=["state", "decided_at", "decided_by", *fields])
    return before
