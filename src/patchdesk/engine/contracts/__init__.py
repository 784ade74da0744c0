"""Contract rules per OS instance: plans, states, start, cancellation, minimum term, end of
support, plan changes, and the service documents in force (R10-R13, R15)."""

from __future__ import annotations

from patchdesk.engine.contracts.dates import add_months, is_month_end, month_end, month_start
from patchdesk.engine.contracts.documents import (
    DocumentKind,
    DocumentVersion,
    NoDocumentInForce,
    document_in_force,
)
from patchdesk.engine.contracts.end_of_support import (
    FREE_EXTENDED_SUPPORT_DISTROS,
    has_service_ended,
    select_service_end,
)
from patchdesk.engine.contracts.errors import (
    CancellationAfterServiceEnd,
    CancellationDateInPast,
    CancellationDateNotMonthEnd,
    CancellationTooLate,
    ContractRuleError,
    MinimumTermNotReached,
    PlanChangeAfterCancellation,
    PlanChangeNotActive,
    PlanUnchanged,
    PlatformNotOffered,
    PlatformPastEndOfSupport,
    PlatformUnknown,
    StartAfterEndOfSupport,
    TransitionNotAllowed,
)
from patchdesk.engine.contracts.plan_changes import (
    check_plan_change,
    last_day_before_change,
    plan_change_effective_on,
)
from patchdesk.engine.contracts.plans import Plan, plan_covers
from patchdesk.engine.contracts.rules import (
    MINIMUM_TERM_MONTHS,
    ContractFacts,
    EndReason,
    cancellation_deadline,
    check_cancellation,
    check_platform_open,
    check_start,
    due_action,
    earliest_cancellation_date,
    end_of_support_warning_due,
    end_reason,
    is_covered,
    minimum_end_date,
    start_date_for,
)
from patchdesk.engine.contracts.states import (
    OPEN_STATES,
    TRANSITIONS,
    ContractAction,
    ContractState,
    next_state,
)

__all__ = [
    "FREE_EXTENDED_SUPPORT_DISTROS",
    "MINIMUM_TERM_MONTHS",
    "OPEN_STATES",
    "TRANSITIONS",
    "CancellationAfterServiceEnd",
    "CancellationDateInPast",
    "CancellationDateNotMonthEnd",
    "CancellationTooLate",
    "ContractAction",
    "ContractFacts",
    "ContractRuleError",
    "ContractState",
    "DocumentKind",
    "DocumentVersion",
    "EndReason",
    "MinimumTermNotReached",
    "NoDocumentInForce",
    "Plan",
    "PlanChangeAfterCancellation",
    "PlanChangeNotActive",
    "PlanUnchanged",
    "PlatformNotOffered",
    "PlatformPastEndOfSupport",
    "PlatformUnknown",
    "StartAfterEndOfSupport",
    "TransitionNotAllowed",
    "add_months",
    "cancellation_deadline",
    "check_cancellation",
    "check_plan_change",
    "check_platform_open",
    "check_start",
    "document_in_force",
    "due_action",
    "earliest_cancellation_date",
    "end_of_support_warning_due",
    "end_reason",
    "has_service_ended",
    "is_covered",
    "is_month_end",
    "last_day_before_change",
    "minimum_end_date",
    "month_end",
    "month_start",
    "next_state",
    "plan_change_effective_on",
    "plan_covers",
    "select_service_end",
    "start_date_for",
]
