"""Cancellation requests (R12, R13): checked against the rules, recorded with the documents in
force (R15), and withdrawn by an operator if the customer changes their mind."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial

from django.db import transaction

from patchdesk.desk.accounts.models import User
from patchdesk.desk.contracts.choices import CancellationState, Channel
from patchdesk.desk.contracts.errors import (
    CancellationDuringPlanChangeError,
    CancellationPendingError,
)
from patchdesk.desk.contracts.mappers import contract_facts
from patchdesk.desk.contracts.models import CancellationRequest, Contract
from patchdesk.desk.contracts.selectors import (
    business_calendar,
    contract_plan_change,
    documents_in_force,
    service_started_on,
)
from patchdesk.desk.contracts.services._common import (
    check_may_act_for,
    check_operator,
    lock,
    now_or,
    provider_today,
    rule,
    transition,
)
from patchdesk.desk.contracts.services.lifecycle import apply_due_action
from patchdesk.desk.contracts.services.notices import customer_notice_send
from patchdesk.desk.core.services import audit_record
from patchdesk.engine.contracts import ContractAction, ContractRuleError, check_cancellation

__all__ = ["contract_cancellation_request", "contract_cancellation_withdraw"]


def _pending(contract: Contract) -> CancellationRequest | None:
    return contract.cancellations.filter(state=CancellationState.PENDING).first()


@transaction.atomic
def contract_cancellation_request(
    contract: Contract,
    *,
    cancel_on: date,
    actor: User | None,
    channel: str = Channel.PORTAL,
    now: datetime | None = None,
) -> CancellationRequest:
    """Ask to end ``contract`` on ``cancel_on`` (its last day of service).

    The same request made twice returns the first one. Refusals carry the earliest date.
    """
    contract = lock(contract)
    check_may_act_for(actor, contract.customer)
    now = now_or(now)
    calendar = business_calendar()
    today = provider_today(calendar, now)
    apply_due_action(contract, today=today, now=now)  # e.g. the start date came this morning
    pending = _pending(contract)
    if pending is not None:
        if pending.cancel_on == cancel_on:
            return pending
        raise CancellationPendingError(cancel_on=pending.cancel_on)
    changing = contract_plan_change(contract)
    if changing is not None:
        raise CancellationDuringPlanChangeError(
            server=contract.server.name,
            plan=changing.get_plan_display(),
            state=changing.get_state_display(),
        )
    state = transition(contract, ContractAction.REQUEST_CANCELLATION)
    facts = contract_facts(contract, pending=None)
    started_on = service_started_on(contract)
    assert started_on is not None  # an active contract has started
    try:
        check_cancellation(
            start_date=started_on,
            requested_on=today,
            cancel_on=cancel_on,
            support_ends_on=facts.support_ends_on,
        )
    except ContractRuleError as exc:
        raise rule(exc) from None
    specification, terms = documents_in_force(on=today)
    request = CancellationRequest.objects.create(
        contract=contract,
        cancel_on=cancel_on,
        channel=channel,
        requested_at=now,
        requested_by=actor,
        specification=specification,
        terms=terms,
    )
    before = contract.state
    contract.state = state
    contract.save(update_fields=["state"])
    audit_record(
        actor=actor,
        action="contract.cancellation_request",
        obj=contract,
        changes={
            "state": [before, state],
            "cancel_on": cancel_on.isoformat(),
            "channel": channel,
            "specification": specification.version,
            "terms": terms.version,
        },
    )
    transaction.on_commit(
        partial(
            customer_notice_send,
            contract.customer_id,
            template="cancellation_received",
            context={"server_name": contract.server.name, "cancel_on": cancel_on},
        )
    )
    return request


@transaction.atomic
def contract_cancellation_withdraw(
    contract: Contract, *, actor: User | None, reason: str = "", now: datetime | None = None
) -> Contract:
    """Withdraw the pending cancellation (operators, on the customer's word)."""
    check_operator(actor)
    contract = lock(contract)
    state = transition(contract, ContractAction.WITHDRAW_CANCELLATION)
    pending = _pending(contract)
    assert pending is not None
    now = now_or(now)
    pending.state = CancellationState.WITHDRAWN
    pending.withdrawn_at = now
    pending.withdrawn_by = actor
    pending.save(update_fields=["state", "withdrawn_at", "withdrawn_by"])
    before = contract.state
    contract.state = state
    contract.save(update_fields=["state"])
    audit_record(
        actor=actor,
        action="contract.cancellation_withdraw",
        obj=contract,
        changes={"state": [before, state], "cancel_on": pending.cancel_on.isoformat()},
        message=reason,
    )
    return contract
