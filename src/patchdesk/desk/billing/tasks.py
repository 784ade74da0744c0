"""Periodic jobs of the billing app (declared in settings.PATCHDESK_PERIODIC_JOBS)."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from patchdesk.desk.billing.selectors import billing_month_get
from patchdesk.desk.billing.services import billing_month_generate, quotes_expire_due
from patchdesk.desk.contracts.selectors import business_calendar
from patchdesk.desk.core.errors import PatchdeskError
from patchdesk.engine.contracts import add_months, month_start

logger = logging.getLogger(__name__)

__all__ = ["billing_previous_month_draft", "quotes_expire"]


@task()
def quotes_expire() -> int:
    """Expire sent quotes past their validity or whose work window has started."""
    return quotes_expire_due()


@task()
def billing_previous_month_draft() -> str:
    """Once a month is over, prepare its draft lines (operators review and close them)."""
    today = business_calendar().local_date(timezone.now())
    previous = add_months(month_start(today), -1)
    if billing_month_get(previous) is not None:
        return "exists"
    try:
        billing_month_generate(previous, actor=None)
    except PatchdeskError as exc:
        logger.warning("billing draft for %s not generated: %s", previous, exc.message)
        return exc.code
    return "generated"
