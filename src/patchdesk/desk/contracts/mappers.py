"""Where contract rows and the engine's dataclasses meet (and nowhere else)."""

from __future__ import annotations

from collections.abc import Iterable

from patchdesk.desk.contracts.models import (
    CalendarSettings,
    CancellationRequest,
    Contract,
    ProviderClosure,
    ServiceDocument,
)
from patchdesk.engine.calendar import (
    AnnualClosure,
    BusinessCalendar,
    BusinessHours,
    Closure,
    DateClosure,
)
from patchdesk.engine.contracts import (
    ContractFacts,
    ContractState,
    DocumentKind,
    DocumentVersion,
    EndReason,
    Plan,
)

__all__ = ["calendar_to_engine", "closure_to_engine", "contract_facts", "document_to_engine"]


def closure_to_engine(row: ProviderClosure) -> Closure:
    if row.is_annual:
        assert row.start_month is not None
        assert row.start_day is not None
        assert row.end_month is not None
        assert row.end_day is not None
        return AnnualClosure(
            label=row.label,
            start_month=row.start_month,
            start_day=row.start_day,
            end_month=row.end_month,
            end_day=row.end_day,
        )
    assert row.starts_on is not None
    assert row.ends_on is not None
    return DateClosure(label=row.label, starts_on=row.starts_on, ends_on=row.ends_on)


def calendar_to_engine(
    settings_row: CalendarSettings, closures: Iterable[ProviderClosure], *, time_zone: str
) -> BusinessCalendar:
    return BusinessCalendar(
        time_zone=time_zone,
        hours=BusinessHours(opens_at=settings_row.opens_at, closes_at=settings_row.closes_at),
        holiday_country=settings_row.holiday_country or None,
        closures=tuple(closure_to_engine(row) for row in closures),
    )


def document_to_engine(row: ServiceDocument) -> DocumentVersion:
    return DocumentVersion(
        kind=DocumentKind(row.kind), version=row.version, effective_on=row.effective_on, id=row.pk
    )


def contract_facts(contract: Contract, *, pending: CancellationRequest | None) -> ContractFacts:
    """The rules' view of a contract. The server's current OS decides the end of support; an
    accepted plan change has fixed the last day (``ended_on``, reason *plan changed*)."""
    platform = contract.server.platform or contract.platform
    replaced = contract.end_reason == EndReason.PLAN_CHANGED and contract.ended_on is not None
    return ContractFacts(
        state=ContractState(contract.state),
        plan=Plan(contract.plan),
        start_date=contract.start_date,
        cancel_on=pending.cancel_on if pending is not None else None,
        support_ends_on=platform.vendor_support_ends_on,
        replaced_after=contract.ended_on if replaced else None,
    )
