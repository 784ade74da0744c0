"""Step 3 of Table 2 (R7, R16): the customer requests or declines the countermeasure per
server (or for every affected server), or an operator records it on their behalf.

Every refusal is a coded error with the reason (not covered by the plan, too late, already
requested, paused...); nothing changes then. A double submission (same key) returns the first
request and creates nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from patchdesk.desk.accounts.models import User
from patchdesk.desk.cases.choices import EventKind, WindowKind
from patchdesk.desk.cases.common import (
    flow_settings_get,
    item_move,
    now_or,
    service_state_get,
    state_label,
)
from patchdesk.desk.cases.errors import (
    DisclaimersNotAcceptedError,
    NotAffectedError,
    NothingToRequestError,
    OffHoursWindowInvalidError,
    WindowNotOfferedError,
    from_refusal,
)
from patchdesk.desk.cases.models import Case, CaseItem
from patchdesk.desk.cases.notices import notify_customer, notify_operators
from patchdesk.desk.contracts.selectors import business_calendar, documents_in_force
from patchdesk.desk.contracts.services._common import check_may_act_for
from patchdesk.desk.fleet.models import Server
from patchdesk.engine.calendar import needs_quote
from patchdesk.engine.contracts import Plan
from patchdesk.engine.workflow.requests import check_request
from patchdesk.engine.workflow.states import ItemEvent, ItemState
from patchdesk.engine.workflow.timing import WindowProblem, check_business_window

__all__ = ["RequestChoice", "case_decline", "case_request", "window_problem_text"]

_REQUESTABLE = {ItemState.AWAITING_REQUEST, ItemState.DECLINED}
_DECLINABLE = {
    ItemState.AWAITING_REQUEST,
    ItemState.QUOTE_PENDING,
    ItemState.REQUESTED,
    ItemState.SCHEDULED,
    ItemState.FAILED,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestChoice:
    window_kind: str = WindowKind.BUSINESS
    window_starts_at: datetime | None = None  # business hours: one of the windows offered
    off_hours_starts_at: datetime | None = None
    off_hours_ends_at: datetime | None = None
    accept_disclaimers: bool = False
    submission_key: str = ""
    received_via: str = ""  # on behalf: how the customer asked (phone, mail...)


def window_problem_text(code: str) -> str:
    from django.utils.translation import gettext as _

    return {
        WindowProblem.IN_THE_PAST: _("it has already begun."),
        WindowProblem.NOT_BUSINESS_HOURS: _("it is not entirely in business hours."),
        WindowProblem.FULL: _("every operator is already booked then."),
    }.get(code, code)


def _items(
    case: Case, servers: Sequence[Server] | None, wanted: set[ItemState], now: datetime
) -> list[CaseItem]:
    rows = list(
        CaseItem.objects.select_for_update(of=("self",))
        .select_related("server", "case", "case__announcement", "case__customer")
        .filter(case=case)
        .order_by("server__name")
    )
    if servers is None:
        chosen = [row for row in rows if row.is_actionable and ItemState(row.state) in wanted]
        if not chosen:
            for row in rows:  # say why: not covered, too late, already requested...
                if row.is_affected:
                    _check(row, case, now)
            raise NothingToRequestError
        return chosen
    by_server = {row.server_id: row for row in rows}
    chosen = []
    for server in servers:
        if server.pk not in by_server:
            raise NotAffectedError(server=server.name)
        chosen.append(by_server[server.pk])
    return chosen


def _check(item: CaseItem, case: Case, now: datetime) -> None:
    refusal = check_request(
        ItemState(item.state),
        level=case.announcement.level,
        plan=Plan(item.plan) if item.plan else None,
        is_affected=item.is_affected,
        deadline_at=case.request_deadline_at,
        now=now,
        is_paused=service_state_get(item.server).is_paused,
    )
    if refusal is not None:
        raise from_refusal(
            refusal,
            server=item.server.name,
            deadline=case.request_deadline_at,
            state=state_label(item.state),
        )


def _check_window(choice: RequestChoice, now: datetime) -> None:
    calendar = business_calendar()
    if choice.window_kind == WindowKind.OFF_HOURS:
        start, end = choice.off_hours_starts_at, choice.off_hours_ends_at
        if start is None or end is None or start <= now or end <= start:
            raise OffHoursWindowInvalidError
        if not needs_quote(calendar, start, end):
            raise OffHoursWindowInvalidError
        return
    if choice.window_starts_at is None:
        return  # the earliest window we can offer
    from patchdesk.desk.work.selectors import booked_intervals

    settings = flow_settings_get()
    start = choice.window_starts_at
    problem = check_business_window(
        calendar,
        starts_at=start,
        ends_at=start + timedelta(hours=settings.window_hours),
        now=now,
        capacity=settings.capacity_per_window,
        occupied=booked_intervals(),
    )
    if problem is not None:
        raise WindowNotOfferedError(starts_at=start, reason=window_problem_text(problem))


@transaction.atomic
def case_request(
    case: Case,
    *,
    servers: Sequence[Server] | None,
    actor: User,
    choice: RequestChoice,
    now: datetime | None = None,
) -> list[CaseItem]:
    """Request the countermeasure for ``servers`` (None: every server still waiting)."""
    check_may_act_for(actor, case.customer)
    now = now_or(now)
    case = Case.objects.select_related("announcement", "customer").get(pk=case.pk)
    key = choice.submission_key[:64]
    locked = list(CaseItem.objects.select_for_update(of=("self",)).filter(case=case).order_by("pk"))
    same = [item for item in locked if key and item.request_key == key]
    if same:
        return same  # the same form submitted twice (or racing): the first request stands
    items = _items(case, servers, _REQUESTABLE, now)
    for item in items:
        _check(item, case, now)
    if not choice.accept_disclaimers:
        raise DisclaimersNotAcceptedError
    _check_window(choice, now)
    specification, terms = documents_in_force(on=business_calendar().local_date(now))
    off_hours = choice.window_kind == WindowKind.OFF_HOURS
    for item in items:
        item.request_key = key
        item.requested_at, item.requested_by = now, actor
        item.is_on_behalf = actor.is_operator
        item.received_via = choice.received_via.strip()[:200] if actor.is_operator else ""
        item.window_kind = WindowKind.OFF_HOURS if off_hours else WindowKind.BUSINESS
        item.preferred_starts_at = (
            choice.off_hours_starts_at if off_hours else choice.window_starts_at
        )
        item.preferred_ends_at = choice.off_hours_ends_at if off_hours else None
        item.specification, item.terms = specification, terms
        item.declined_reason = ""
        item_move(
            item,
            ItemEvent.REQUEST_OFF_HOURS if off_hours else ItemEvent.REQUEST,
            actor=actor,
            kind=EventKind.REQUESTED,
            text=item.received_via,
            params={
                "window_kind": item.window_kind,
                "preferred_starts_at": item.preferred_starts_at.isoformat()
                if item.preferred_starts_at
                else "",
                "preferred_ends_at": item.preferred_ends_at.isoformat()
                if item.preferred_ends_at
                else "",
                "on_behalf": item.is_on_behalf,
                "specification": specification.version,
                "terms": terms.version,
            },
            now=now,
        )
    _notify(case, items, now, event="request_received")
    return items


@transaction.atomic
def case_decline(
    case: Case,
    *,
    servers: Sequence[Server] | None,
    actor: User,
    reason: str = "",
    now: datetime | None = None,
) -> list[CaseItem]:
    """The customer does not want the work (a change of mind is possible until the deadline);
    a booked window is released."""
    check_may_act_for(actor, case.customer)
    now = now_or(now)
    case = Case.objects.select_related("announcement", "customer").get(pk=case.pk)
    items = _items(case, servers, _DECLINABLE, now)
    scheduled = [item for item in items if item.state == ItemState.SCHEDULED]
    for item in items:
        item.declined_reason = reason.strip()
        item.is_on_behalf = actor.is_operator
        item_move(
            item,
            ItemEvent.DECLINE,
            actor=actor,
            kind=EventKind.DECLINED,
            text=item.declined_reason,
            params={"on_behalf": item.is_on_behalf},
            now=now,
        )
    if scheduled:
        from patchdesk.desk.work.services import work_items_withdraw

        work_items_withdraw(scheduled, actor=actor, now=now)
    _notify(case, items, now, event="declined")
    return items


def _notify(case: Case, items: list[CaseItem], now: datetime, *, event: str) -> None:
    stamp = f"{now.timestamp():.0f}"
    ids = "-".join(str(item.pk) for item in items)
    context = {
        "event": event,
        "items": items,
        "announcement": case.announcement,
        "advisory": case.announcement.advisory,
        "show_disclaimers": event == "request_received",
        "specification": items[0].specification if event == "request_received" else None,
    }
    notify_customer(
        case.customer,
        template="customer_notice",
        key=f"{event}:{case.pk}:{ids}:{stamp}",
        context=context,
        case=case,
        now=now,
    )
    notify_operators(
        event="request" if event == "request_received" else "declined",
        key=f"ops-{event}:{case.pk}:{ids}:{stamp}",
        context=context,
        case=case,
        customer=case.customer,
        now=now,
    )
