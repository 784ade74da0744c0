"""The running contract: activation on the start date, the end (cancellation date or the
platform's end of support, R13), and the end-of-support warning. Run by periodic jobs."""

from __future__ import annotations

import logging
from datetime import date, datetime
from functools import partial

from django.db import transaction
from django.db.models import Q

from patchdesk.desk.contracts.choices import CancellationState
from patchdesk.desk.contracts.mappers import contract_facts
from patchdesk.desk.contracts.models import Contract
from patchdesk.desk.contracts.selectors import business_calendar, calendar_settings_get
from patchdesk.desk.contracts.services._common import lock, now_or, provider_today, transition
from patchdesk.desk.contracts.services.notices import customer_notice_send
from patchdesk.desk.core.services import audit_record
from patchdesk.engine.contracts import (
    ContractAction,
    ContractState,
    due_action,
    end_of_support_warning_due,
    end_reason,
)

logger = logging.getLogger(__name__)

__all__ = [
    "apply_due_action",
    "contract_advance",
    "contract_eos_warn",
    "contracts_advance_due",
    "contracts_eos_warn_due",
    "eos_warnings_reset",
]

JOB_LABEL = "contracts job"
_RUNNING = [ContractState.ACCEPTED, ContractState.ACTIVE, ContractState.CANCELLATION_REQUESTED]


def apply_due_action(contract: Contract, *, today: date, now: datetime) -> ContractAction | None:
    """Activate or end the locked ``contract`` if today calls for it (inside a transaction)."""
    pending = contract.cancellations.filter(state=CancellationState.PENDING).first()
    facts = contract_facts(contract, pending=pending)
    action = due_action(facts, today=today)
    if action is None:
        return None
    before = contract.state
    contract.state = transition(contract, action)
    changes: dict[str, object] = {"state": [before, contract.state]}
    if action is ContractAction.ACTIVATE:
        contract.activated_at = now
        contract.save(update_fields=["state", "activated_at"])
    else:
        assert facts.ends_on is not None
        contract.ended_on = facts.ends_on
        contract.ended_at = now
        contract.end_reason = end_reason(facts)
        contract.save(update_fields=["state", "ended_on", "ended_at", "end_reason"])
        if pending is not None:
            pending.state = CancellationState.COMPLETED
            pending.save(update_fields=["state"])
        changes |= {"ended_on": facts.ends_on.isoformat(), "end_reason": contract.end_reason}
    audit_record(
        actor=None,
        actor_label=JOB_LABEL,
        action=f"contract.{action.value}",
        obj=contract,
        changes=changes,
    )
    return action


@transaction.atomic
def contract_advance(contract_id: int, *, now: datetime | None = None) -> ContractAction | None:
    contract = lock(Contract(pk=contract_id))
    now = now_or(now)
    return apply_due_action(contract, today=provider_today(business_calendar(), now), now=now)


def contracts_advance_due(*, now: datetime | None = None) -> dict[str, int]:
    """Activate and end every contract due today, one transaction each; failures are logged
    and do not stop the others."""
    now = now_or(now)
    counts = {"activate": 0, "end": 0, "failed": 0}
    ids = Contract.objects.filter(state__in=_RUNNING).values_list("pk", flat=True)
    for contract_id in list(ids):
        try:
            action = contract_advance(contract_id, now=now)
        except Exception:
            logger.exception("advancing contract=%s failed", contract_id)
            counts["failed"] += 1
            continue
        if action is not None:
            counts[action.value] += 1
    return counts


@transaction.atomic
def contract_eos_warn(contract_id: int, *, now: datetime | None = None) -> bool:
    """Warn the customer that the service ends with the vendor's support; once per contract."""
    contract = lock(Contract(pk=contract_id))
    if contract.eos_warned_at is not None or contract.state not in _RUNNING:
        return False
    now = now_or(now)
    calendar = business_calendar()
    today = provider_today(calendar, now)
    pending = contract.cancellations.filter(state=CancellationState.PENDING).first()
    facts = contract_facts(contract, pending=pending)
    ends_on = facts.support_ends_on
    warn = end_of_support_warning_due(
        support_ends_on=ends_on, today=today, warning_days=calendar_settings_get().eos_warning_days
    )
    # Cancelled, or replaced by a plan change, before the end: the new contract is warned.
    ended_earlier = ends_on is not None and facts.ends_on is not None and facts.ends_on < ends_on
    if not warn or ends_on is None or ended_earlier:
        return False
    contract.eos_warned_at = now
    contract.save(update_fields=["eos_warned_at"])
    platform = contract.server.platform or contract.platform
    audit_record(
        actor=None,
        actor_label=JOB_LABEL,
        action="contract.eos_warning",
        obj=contract,
        changes={"support_ends_on": ends_on.isoformat(), "platform": platform.key},
    )
    transaction.on_commit(
        partial(
            customer_notice_send,
            contract.customer_id,
            template="end_of_support",
            context={
                "server_name": contract.server.name,
                "platform": platform.name,
                "ends_on": ends_on,
            },
        )
    )
    return True


def contracts_eos_warn_due(*, now: datetime | None = None) -> int:
    """Send every end-of-support warning that is due; the number sent."""
    now = now_or(now)
    candidates = Contract.objects.filter(state__in=_RUNNING, eos_warned_at__isnull=True)
    sent = 0
    for contract_id in list(candidates.values_list("pk", flat=True)):
        try:
            sent += contract_eos_warn(contract_id, now=now)
        except Exception:
            logger.exception("end-of-support warning for contract=%s failed", contract_id)
    return sent


def eos_warnings_reset(*, platform_id: int) -> int:
    """Forget the warnings sent for a platform whose end-of-support date changed, so the new
    date is announced in its turn. Runs inside the caller's (audited) transaction."""
    on_platform = Q(server__platform_id=platform_id) | Q(
        server__platform__isnull=True, platform_id=platform_id
    )
    return Contract.objects.filter(on_platform, state__in=_RUNNING).update(eos_warned_at=None)
