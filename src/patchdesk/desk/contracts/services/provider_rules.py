"""Provider-editable rules: business hours, closures, warning days, service documents (R4, R15)."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.accounts.models import User
from patchdesk.desk.contracts.errors import ContractError
from patchdesk.desk.contracts.models import CalendarSettings, ProviderClosure, ServiceDocument
from patchdesk.desk.contracts.services._common import check_operator, now_or
from patchdesk.desk.core.services import audit_record
from patchdesk.engine.calendar import AnnualClosure, BusinessCalendar, BusinessHours, DateClosure

__all__ = [
    "DocumentVersionExistsError",
    "InvalidCalendarError",
    "calendar_settings_update",
    "closure_add",
    "closure_delete",
    "document_publish",
]


class InvalidCalendarError(ContractError):
    code = "invalid_calendar"
    message_format = _("The calendar is not valid: %(reason)s")


class DocumentVersionExistsError(ContractError):
    code = "document_version_exists"
    message_format = _(
        "Version %(version)s already exists, or another version takes effect that day."
    )


@transaction.atomic
def calendar_settings_update(
    *,
    opens_at: time,
    closes_at: time,
    holiday_country: str,
    eos_warning_days: int,
    actor: User | None,
    now: datetime | None = None,
) -> CalendarSettings:
    check_operator(actor)
    try:
        BusinessHours(opens_at=opens_at, closes_at=closes_at)
        BusinessCalendar(holiday_country=holiday_country or None).describe_day(date(2000, 1, 1))
    except (ValueError, NotImplementedError, KeyError) as exc:
        raise InvalidCalendarError(reason=str(exc)) from None
    row = CalendarSettings.objects.select_for_update().filter(pk=1).first() or CalendarSettings(
        pk=1
    )
    before = {
        "opens_at": row.opens_at.isoformat(),
        "closes_at": row.closes_at.isoformat(),
        "holiday_country": row.holiday_country,
        "eos_warning_days": row.eos_warning_days,
    }
    row.opens_at, row.closes_at = opens_at, closes_at
    row.holiday_country = holiday_country.upper()
    row.eos_warning_days = eos_warning_days
    row.updated_at = now_or(now)
    row.save()
    after = {
        "opens_at": opens_at.isoformat(),
        "closes_at": closes_at.isoformat(),
        "holiday_country": row.holiday_country,
        "eos_warning_days": eos_warning_days,
    }
    audit_record(
        actor=actor,
        action="calendar.update",
        obj=row,
        changes={key: [before[key], after[key]] for key in after if before[key] != after[key]},
    )
    return row


@transaction.atomic
def closure_add(
    *,
    label: str,
    starts_on: date,
    ends_on: date,
    is_annual: bool,
    actor: User | None,
) -> ProviderClosure:
    """Add a closure: every year from ``starts_on``'s month/day to ``ends_on``'s, or once."""
    check_operator(actor)
    try:
        if is_annual:
            AnnualClosure(
                label=label,
                start_month=starts_on.month,
                start_day=starts_on.day,
                end_month=ends_on.month,
                end_day=ends_on.day,
            )
        else:
            DateClosure(label=label, starts_on=starts_on, ends_on=ends_on)
    except ValueError as exc:
        raise InvalidCalendarError(reason=str(exc)) from None
    if is_annual:
        row = ProviderClosure.objects.create(
            label=label,
            is_annual=True,
            start_month=starts_on.month,
            start_day=starts_on.day,
            end_month=ends_on.month,
            end_day=ends_on.day,
        )
    else:
        row = ProviderClosure.objects.create(
            label=label, is_annual=False, starts_on=starts_on, ends_on=ends_on
        )
    audit_record(
        actor=actor,
        action="calendar.closure_add",
        obj=row,
        changes={
            "label": label,
            "is_annual": is_annual,
            "from": starts_on.isoformat(),
            "to": ends_on.isoformat(),
        },
    )
    return row


@transaction.atomic
def closure_delete(closure: ProviderClosure, *, actor: User | None) -> None:
    check_operator(actor)
    audit_record(
        actor=actor, action="calendar.closure_delete", obj=closure, changes={"label": closure.label}
    )
    closure.delete()


@transaction.atomic
def document_publish(
    *,
    kind: str,
    version: str,
    title: str,
    effective_on: date,
    url: str = "",
    summary: str = "",
    actor: User | None,
) -> ServiceDocument:
    """Record a new version of a service document; it is in force from ``effective_on`` (R15)."""
    check_operator(actor)
    clash = ServiceDocument.objects.filter(
        kind=kind, version=version
    ) | ServiceDocument.objects.filter(kind=kind, effective_on=effective_on)
    if clash.exists():
        raise DocumentVersionExistsError(version=version)
    row = ServiceDocument.objects.create(
        kind=kind,
        version=version,
        title=title,
        effective_on=effective_on,
        url=url,
        summary=summary,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="document.publish",
        obj=row,
        changes={"kind": kind, "version": version, "effective_on": effective_on.isoformat()},
    )
    return row
