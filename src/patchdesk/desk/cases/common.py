"""Helpers shared by the flow's services: settings, locks, the timeline and item transitions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from patchdesk.desk.accounts.models import User
from patchdesk.desk.cases.choices import EventKind, ItemStateChoices
from patchdesk.desk.cases.errors import StateRefusedError
from patchdesk.desk.cases.models import Case, CaseEvent, CaseItem, FlowSettings, ServerServiceState
from patchdesk.desk.core.services import audit_record
from patchdesk.desk.fleet.models import Server
from patchdesk.engine.workflow.states import (
    CLOSED_STATES,
    ItemEvent,
    ItemState,
    TransitionRefused,
    transition,
)

__all__ = [
    "case_closed_refresh",
    "event_add",
    "flow_settings_get",
    "item_lock",
    "item_move",
    "now_or",
    "service_state_get",
    "state_label",
]


def now_or(now: datetime | None) -> datetime:
    return now if now is not None else timezone.now()


def flow_settings_get() -> FlowSettings:
    """The provider's flow settings (the stored row, or the defaults)."""
    return FlowSettings.objects.filter(pk=1).first() or FlowSettings(pk=1)


def service_state_get(server: Server, *, lock: bool = False) -> ServerServiceState:
    """The server's service state row (created on first use)."""
    if lock:
        ServerServiceState.objects.get_or_create(server=server)
        return ServerServiceState.objects.select_for_update().get(server=server)
    return ServerServiceState.objects.filter(server=server).first() or ServerServiceState(
        server=server
    )


def state_label(state: str) -> object:
    try:
        return ItemStateChoices(state).label
    except ValueError:
        return state


def item_lock(item: CaseItem) -> CaseItem:
    """The item again, locked for this transaction (PostgreSQL; SQLite locks the database)."""
    return (
        CaseItem.objects.select_for_update(of=("self",))
        .select_related(
            "case", "case__announcement", "case__announcement__advisory", "case__customer", "server"
        )
        .get(pk=item.pk)
    )


def event_add(
    case: Case,
    *,
    kind: EventKind,
    actor: User | None,
    item: CaseItem | None = None,
    actor_label: str = "",
    text: str = "",
    params: dict[str, Any] | None = None,
    is_internal: bool = False,
    now: datetime | None = None,
) -> CaseEvent:
    """One entry on the case's timeline."""
    label = actor_label or (actor.get_username() if actor is not None else "patchdesk")
    return CaseEvent.objects.create(
        case=case,
        item=item,
        kind=kind,
        actor=actor,
        actor_label=label[:150],
        is_operator=actor is None or actor.is_operator,
        text=text,
        params=dict(params or {}),
        is_internal=is_internal,
        created_at=now_or(now),
    )


def case_closed_refresh(case: Case, *, now: datetime | None = None) -> bool:
    """Close the case when every item is closed, reopen it otherwise; True if it changed."""
    states = list(CaseItem.objects.filter(case=case).values_list("state", flat=True))
    closed = bool(states) and all(ItemState(state) in CLOSED_STATES for state in states)
    if closed == case.is_closed:
        return False
    case.is_closed = closed
    case.closed_at = now_or(now) if closed else None
    case.save(update_fields=["is_closed", "closed_at"])
    return True


def item_move(
    item: CaseItem,
    event: ItemEvent,
    *,
    actor: User | None,
    kind: EventKind,
    actor_label: str = "",
    text: str = "",
    params: dict[str, Any] | None = None,
    is_internal: bool = False,
    now: datetime | None = None,
) -> CaseItem:
    """Apply ``event`` to the item (the engine's table decides), record it on the timeline and
    in the audit log; a move the table does not allow is refused and changes nothing."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("item_move() must run inside the transaction of the change")
    before = ItemState(item.state)
    try:
        after = transition(before, event)
    except TransitionRefused:
        raise StateRefusedError(server=item.server.name, state=state_label(before)) from None
    now = now_or(now)
    item.state, item.updated_at = after, now
    item.save()
    details = {"server": item.server.name, "from": before.value, "to": after.value}
    event_add(
        item.case,
        kind=kind,
        actor=actor,
        item=item,
        actor_label=actor_label,
        text=text,
        params={**details, **(params or {})},
        is_internal=is_internal,
        now=now,
    )
    audit_record(
        actor=actor,
        action=f"case.item_{event.value}",
        obj=item,
        changes={"state": [before.value, after.value], **(params or {})},
        message=text if not is_internal else "",
        actor_label=actor_label if actor is None else "",
    )
    case_closed_refresh(item.case, now=now)
    return item
