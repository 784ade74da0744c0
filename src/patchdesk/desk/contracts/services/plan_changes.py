"""Plan changes (R2, R11): Standard ⇄ Security Update Service on a running contract.

A plan change is an application for a new contract that replaces the running one (``previous``):
a customer admin asks for it in the portal, or an operator records it (order form channel); an
operator accepts or rejects it like an application. On acceptance the new contract starts on the
next business day and the old one's last day is fixed to the day before (end reason *plan
changed*); the periodic job then activates the one and ends the other. Rules:
``engine.contracts.plan_changes``; refusals: ``selectors.plan_change_refusal``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import partial

from django.db import IntegrityError, transaction

from patchdesk.desk.accounts.models import User
from patchdesk.desk.contracts.choices import CancellationState, Channel, EndReasonChoices
from patchdesk.desk.contracts.errors import CustomerInactiveError, PlanChangePendingError
from patchdesk.desk.contracts.mappers import contract_facts
from patchdesk.desk.contracts.models import Contract
from patchdesk.desk.contracts.selectors import (
    business_calendar,
    documents_in_force,
    plan_change_refusal,
)
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
from patchdesk.desk.contracts.services.lifecycle import apply_due_action
from patchdesk.desk.contracts.services.notices import customer_notice_send
from patchdesk.desk.core.services import audit_record
from patchdesk.engine.contracts import (
    ContractAction,
    ContractRuleError,
    ContractState,
    Plan,
    check_plan_change,
    check_start,
    last_day_before_change,
    plan_change_effective_on,
)

__all__ = ["contract_plan_change_accept", "contract_plan_change_request"]


def _submitted(contract: Contract, submission_key: uuid.UUID | None) -> Contract | None:
    """The change an earlier submission of the same form made (None if none)."""
    if submission_key is None:
        return None
    return Contract.objects.filter(previous=contract, submission_key=submission_key).first()


@transaction.atomic
def contract_plan_change_request(
    contract: Contract,
    *,
    plan: str,
    actor: User | None,
    channel: str = Channel.PORTAL,
    submission_key: uuid.UUID | None = None,
    order_reference: str = "",
    now: datetime | None = None,
) -> Contract:
    """Ask to move ``contract`` to ``plan``; the new contract (state applied) is returned.

    Customer admins (portal) or operators (``Channel.ORDER_FORM``, on the customer's word).
    A repeated submission (same ``submission_key``) returns the first request.
    """
    contract = lock(contract)
    check_may_act_for(actor, contract.customer)
    if channel == Channel.ORDER_FORM:
        check_operator(actor)
    earlier = _submitted(contract, submission_key)
    if earlier is not None:
        return earlier
    if not contract.customer.is_active:
        raise CustomerInactiveError(customer=contract.customer.name)
    to_plan = Plan(plan)
    now = now_or(now)
    calendar = business_calendar()
    today = provider_today(calendar, now)
    apply_due_action(contract, today=today, now=now)  # e.g. the start date came this morning
    refusal = plan_change_refusal(contract, to_plan=to_plan, today=today, calendar=calendar)
    if refusal is not None:
        raise refusal
    specification, terms = documents_in_force(on=today)
    platform = contract.server.platform
    assert platform is not None  # refused above otherwise
    try:
        with transaction.atomic():
            new = Contract.objects.create(
                customer=contract.customer,
                server=contract.server,
                platform=platform,
                plan=to_plan.value,
                state=ContractState.APPLIED,
                channel=channel,
                order_reference=order_reference,
                submission_key=submission_key,
                applied_at=now,
                applied_by=actor,
                specification=specification,
                terms=terms,
                previous=contract,
            )
    except IntegrityError:
        # A concurrent request got there first: the same submission, or another change.
        earlier = _submitted(contract, submission_key)
        if earlier is not None:
            return earlier
        raise PlanChangePendingError(
            server=contract.server.name,
            plan=Contract(plan=to_plan.value).get_plan_display(),
            state=Contract(state=ContractState.APPLIED).get_state_display(),
        ) from None
    audit_record(
        actor=actor,
        action="contract.plan_change_request",
        obj=new,
        changes={
            "state": [None, ContractState.APPLIED],
            "plan": [contract.plan, new.plan],
            "replaces": contract.pk,
            "channel": channel,
            "order_reference": order_reference,
            "specification": specification.version,
            "terms": terms.version,
        },
    )
    return new


def contract_plan_change_accept(
    contract: Contract, *, actor: User | None, now: datetime
) -> Contract:
    """Accept the plan change ``contract`` (locked, replacing ``contract.previous``), inside the
    caller's transaction (``contract_accept``): the new plan takes effect on the next business
    day, the old contract's last day is the day before."""
    check_operator(actor)
    assert contract.previous_id is not None
    state = transition(contract, ContractAction.ACCEPT)
    old = lock(Contract(pk=contract.previous_id))
    calendar = business_calendar()
    today = provider_today(calendar, now)
    apply_due_action(old, today=today, now=now)
    effective_on = plan_change_effective_on(calendar, now)
    pending = old.cancellations.filter(state=CancellationState.PENDING).first()
    platform = contract.server.platform or contract.platform
    try:
        check_plan_change(contract_facts(old, pending=pending), to_plan=Plan(contract.plan))
        check_start(start_date=effective_on, support_ends_on=platform.vendor_support_ends_on)
    except ContractRuleError as exc:
        raise rule(exc, server=contract.server.name) from None
    last_day = last_day_before_change(effective_on)
    old.ended_on = last_day
    old.end_reason = EndReasonChoices.PLAN_CHANGED
    old.save(update_fields=["ended_on", "end_reason"])
    before = decide(contract, state, actor=actor, now=now, start_date=effective_on)
    audit_record(
        actor=actor,
        action="contract.plan_change_accept",
        obj=contract,
        changes={
            "state": [before, state],
            "plan": [old.plan, contract.plan],
            "start_date": effective_on.isoformat(),
            "replaces": old.pk,
        },
    )
    audit_record(
        actor=actor,
        action="contract.plan_change_scheduled",
        obj=old,
        changes={"ended_on": last_day.isoformat(), "replaced_by": contract.pk},
    )
    transaction.on_commit(
        partial(
            customer_notice_send,
            contract.customer_id,
            template="plan_change_accepted",
            context={
                "server_name": contract.server.name,
                "old_plan": old.get_plan_display(),
                "plan": contract.get_plan_display(),
                "start_date": effective_on,
                "last_day": last_day,
            },
        )
    )
    return contract
