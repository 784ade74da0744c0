"""Telling the customer about a work order: one notice per case of its countermeasures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from patchdesk.desk.cases.models import CaseItem
from patchdesk.desk.cases.notices import notify_customer
from patchdesk.desk.work.models import WorkOrder

__all__ = ["order_cases_notify"]


def order_cases_notify(
    order: WorkOrder,
    items: Sequence[CaseItem],
    *,
    event: str,
    key: str,
    now: datetime,
    **context: object,
) -> None:
    """The ``event`` of ``order`` to its customer, once per case of ``items`` (the notice key
    is ``key:order:case``, so a repeat never duplicates), each with that case's items."""
    for case in {item.case for item in items}:
        notify_customer(
            order.customer,
            template="customer_notice",
            key=f"{key}:{order.pk}:{case.pk}",
            context={
                "event": event,
                "order": order,
                "items": [item for item in items if item.case_id == case.pk],
                **context,
            },
            case=case,
            now=now,
        )
