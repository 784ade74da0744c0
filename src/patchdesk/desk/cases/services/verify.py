"""Step 5 of Table 2 (R13): the customer checks their systems after the work — confirms, or
reports a problem (the case reopens and the operators are told); without an answer the
item closes as verified after the configured time. Unanswered requests expire (R7)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from patchdesk.desk.accounts.models import User
from patchdesk.desk.cases.choices import EventKind
from patchdesk.desk.cases.common import item_lock, item_move, now_or
from patchdesk.desk.cases.errors import MessageEmptyError, NothingToRequestError
from patchdesk.desk.cases.models import Case, CaseItem
from patchdesk.desk.cases.notices import notify_customer, notify_operators
from patchdesk.desk.contracts.services._common import check_may_act_for, check_operator
from patchdesk.engine.workflow.states import ItemEvent, ItemState

logger = logging.getLogger(__name__)

__all__ = [
    "case_verify",
    "item_problem_report",
    "item_problem_resolve",
    "requests_expire_due",
    "verifications_close_due",
]

JOB = "cases job"


@transaction.atomic
def case_verify(
    case: Case,
    *,
    actor: User,
    servers: Sequence[int] | None = None,
    now: datetime | None = None,
) -> list[CaseItem]:
    """The customer confirms their systems work after the update (every done item, or some)."""
    check_may_act_for(actor, case.customer)
    now = now_or(now)
    items = [
        item_lock(item)
        for item in case.items.filter(state=ItemState.DONE).order_by("server__name")
        if servers is None or item.server_id in servers
    ]
    if not items:
        raise NothingToRequestError
    for item in items:
        item.verified_at, item.verified_by = now, actor
        item_move(item, ItemEvent.CONFIRM, actor=actor, kind=EventKind.VERIFIED, now=now)
    return items


@transaction.atomic
def item_problem_report(
    item: CaseItem, *, actor: User, text: str, now: datetime | None = None
) -> CaseItem:
    """Something does not work after the update: the case reopens and operators are told."""
    item = item_lock(item)
    check_may_act_for(actor, item.case.customer)
    if not text.strip():
        raise MessageEmptyError
    now = now_or(now)
    item_move(
        item,
        ItemEvent.REPORT_PROBLEM,
        actor=actor,
        kind=EventKind.PROBLEM,
        text=text.strip(),
        now=now,
    )
    notify_operators(
        event="problem",
        key=f"ops-problem:{item.pk}:{now.timestamp():.0f}",
        context={"items": [item], "text": text.strip()},
        case=item.case,
        customer=item.case.customer,
        now=now,
    )
    return item


@transaction.atomic
def item_problem_resolve(
    item: CaseItem, *, actor: User, text: str, now: datetime | None = None
) -> CaseItem:
    """An operator closes a reported problem with an answer the customer reads."""
    check_operator(actor)
    item = item_lock(item)
    if not text.strip():
        raise MessageEmptyError
    now = now_or(now)
    item.verified_at, item.verified_by = now, None
    item_move(
        item, ItemEvent.RESOLVE, actor=actor, kind=EventKind.RESOLVED, text=text.strip(), now=now
    )
    notify_customer(
        item.case.customer,
        template="customer_notice",
        key=f"resolved:{item.pk}:{now.timestamp():.0f}",
        context={"event": "resolved", "items": [item], "text": text.strip()},
        case=item.case,
        now=now,
    )
    return item


@transaction.atomic
def _expire(item_id: int, now: datetime) -> bool:
    item = item_lock(CaseItem(pk=item_id))
    if item.state != ItemState.AWAITING_REQUEST or item.case.request_deadline_at >= now:
        return False
    item_move(item, ItemEvent.EXPIRE, actor=None, actor_label=JOB, kind=EventKind.EXPIRED, now=now)
    return True


def requests_expire_due(*, now: datetime | None = None) -> int:
    """Periodic: no request in time means no work — close those items as not requested."""
    now = now_or(now)
    ids = CaseItem.objects.filter(
        state=ItemState.AWAITING_REQUEST, case__request_deadline_at__lt=now
    ).values_list("pk", flat=True)
    return _each(list(ids), _expire, now, "expiring")


@transaction.atomic
def _auto_close(item_id: int, now: datetime) -> bool:
    item = item_lock(CaseItem(pk=item_id))
    deadline = item.verification_deadline_at
    if item.state != ItemState.DONE or deadline is None or deadline >= now:
        return False
    item.verified_at, item.is_auto_verified = now, True
    item_move(
        item,
        ItemEvent.AUTO_CLOSE,
        actor=None,
        actor_label=JOB,
        kind=EventKind.VERIFIED,
        params={"auto": True},
        now=now,
    )
    return True


def verifications_close_due(*, now: datetime | None = None) -> int:
    """Periodic: finished work without a reported problem in the time allowed is verified."""
    now = now_or(now)
    ids = CaseItem.objects.filter(
        state=ItemState.DONE, verification_deadline_at__lt=now
    ).values_list("pk", flat=True)
    return _each(list(ids), _auto_close, now, "auto-closing")


def _each(ids: list[int], step: object, now: datetime, what: str) -> int:
    done = 0
    for pk in ids:
        try:
            done += bool(step(pk, now))  # type: ignore[operator]
        except Exception:
            logger.exception("%s case item=%s failed", what, pk)
    return done
