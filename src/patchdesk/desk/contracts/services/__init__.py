"""Writing services of the contracts app: one transaction and one audit entry each."""

from __future__ import annotations

from patchdesk.desk.contracts.services.applications import (
    contract_accept,
    contract_apply,
    contract_reject,
)
from patchdesk.desk.contracts.services.cancellations import (
    contract_cancellation_request,
    contract_cancellation_withdraw,
)
from patchdesk.desk.contracts.services.lifecycle import (
    contract_advance,
    contract_eos_warn,
    contracts_advance_due,
    contracts_eos_warn_due,
)
from patchdesk.desk.contracts.services.plan_changes import contract_plan_change_request
from patchdesk.desk.contracts.services.provider_rules import (
    DocumentVersionExistsError,
    InvalidCalendarError,
    calendar_settings_update,
    closure_add,
    closure_delete,
    document_publish,
)

__all__ = [
    "DocumentVersionExistsError",
    "InvalidCalendarError",
    "calendar_settings_update",
    "closure_add",
    "closure_delete",
    "contract_accept",
    "contract_advance",
    "contract_apply",
    "contract_cancellation_request",
    "contract_cancellation_withdraw",
    "contract_eos_warn",
    "contract_plan_change_request",
    "contract_reject",
    "contracts_advance_due",
    "contracts_eos_warn_due",
    "document_publish",
]
