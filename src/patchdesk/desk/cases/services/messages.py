"""Messages between the customer and the operators on a case (R9), and internal notes."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from patchdesk.desk.accounts.models import User
from patchdesk.desk.cases.choices import EventKind
from patchdesk.desk.cases.common import event_add, now_or
from patchdesk.desk.cases.errors import MessageEmptyError
from patchdesk.desk.cases.models import Case, CaseEvent
from patchdesk.desk.cases.notices import notify_customer, notify_operators
from patchdesk.desk.contracts.services._common import check_may_act_for
from patchdesk.desk.core.errors import PermissionDeniedError
from patchdesk.desk.core.services import audit_record

__all__ = ["case_message_post"]

MAX_MESSAGE = 10_000


@transaction.atomic
def case_message_post(
    case: Case,
    *,
    actor: User,
    text: str,
    is_internal: bool = False,
    now: datetime | None = None,
) -> CaseEvent:
    """A message on the case's timeline; the other side is told by mail. Internal notes are
    for operators only and tell nobody."""
    check_may_act_for(actor, case.customer, admin_only=False)
    if is_internal and not actor.is_operator:
        raise PermissionDeniedError
    text = text.strip()
    if not text:
        raise MessageEmptyError
    now = now_or(now)
    event = event_add(
        case,
        kind=EventKind.NOTE if is_internal else EventKind.MESSAGE,
        actor=actor,
        text=text[:MAX_MESSAGE],
        is_internal=is_internal,
        now=now,
    )
    audit_record(
        actor=actor,
        action="case.note" if is_internal else "case.message",
        obj=case,
        changes={"event": event.pk, "internal": is_internal},
    )
    if is_internal:
        return event
    context = {"event": "message", "text": event.text, "author": actor.get_username()}
    if actor.is_operator:
        notify_customer(
            case.customer,
            template="customer_notice",
            key=f"message:{event.pk}",
            context=context,
            case=case,
            now=now,
        )
    else:
        notify_operators(
            event="message",
            key=f"ops-message:{event.pk}",
            context=context,
            case=case,
            customer=case.customer,
            now=now,
        )
    return event
