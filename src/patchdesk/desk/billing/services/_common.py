from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from patchdesk.desk.accounts.models import User
from patchdesk.desk.contracts.selectors import business_calendar
from patchdesk.desk.core.errors import PermissionDeniedError


def now_or(now: datetime | None) -> datetime:
    return now if now is not None else timezone.now()


def provider_today(now: datetime) -> date:
    return business_calendar().local_date(now)


def check_operator(actor: User | None) -> None:
    if actor is not None and not actor.is_operator:
        raise PermissionDeniedError
