"""Contract errors as people read them: the engine's rule codes worded in the user's language.

Dates in the parameters are formatted when the message is shown, in the active language.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, ClassVar

from django.utils import formats
from django.utils import timezone as dj_timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.contracts.choices import ContractStateChoices, PlanChoices
from patchdesk.desk.core.errors import PatchdeskError
from patchdesk.engine.contracts import ContractRuleError

__all__ = [
    "AlreadyAppliedError",
    "ApplicationRefusedError",
    "CancellationDuringPlanChangeError",
    "ContractError",
    "CustomerInactiveError",
    "NoDocumentInForceError",
    "NoServerSelectedError",
    "PlanChangePendingError",
    "display_value",
    "from_rule",
]


def display_value(value: object) -> object:
    """A parameter as shown to people: dates in the active language's format."""
    if isinstance(value, datetime):
        return formats.date_format(dj_timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, Promise):
        return str(value)
    return value


class ContractError(PatchdeskError):
    """A contract rule or request the desk refuses; ``field`` names the form field it is about."""

    field: ClassVar[str | None] = None

    @property
    def message(self) -> str:
        params = {key: display_value(value) for key, value in self.params.items()}
        return str(self.message_format) % params if params else str(self.message_format)


def _error(code: str, message: str | Promise, field: str | None = None) -> type[ContractError]:
    return type(
        "".join(part.title() for part in code.split("_")) + "Error",
        (ContractError,),
        {"code": code, "message_format": message, "field": field, "__module__": __name__},
    )


TransitionNotAllowedError = _error(
    "transition_not_allowed",
    _("This is not possible while the contract is in the state: %(state)s."),
)
PlatformUnknownError = _error(
    "platform_unknown",
    _(
        "%(server)s: its OS is not known yet, so it cannot be applied for until it has been "
        "scanned."
    ),
    "servers",
)
PlatformNotOfferedError = _error(
    "platform_not_offered",
    _("%(server)s: %(platform)s is not offered for new contracts."),
    "servers",
)
PlatformPastEndOfSupportError = _error(
    "platform_past_end_of_support",
    _(
        "%(server)s: the vendor's support for %(platform)s ended on %(ends_on)s, so the service "
        "cannot be applied for."
    ),
    "servers",
)
StartAfterEndOfSupportError = _error(
    "start_after_end_of_support",
    _(
        "The service would start on %(start_date)s, after the vendor's end of support on "
        "%(ends_on)s: the application cannot be accepted."
    ),
)
CancellationDateInPastError = _error(
    "cancellation_date_in_past",
    _(
        "The cancellation date %(cancel_on)s is not in the future. The earliest possible "
        "cancellation date is %(earliest)s."
    ),
    "cancel_on",
)
CancellationDateNotMonthEndError = _error(
    "cancellation_date_not_month_end",
    _(
        "A contract ends on the last day of a month (for example %(month_end)s), not on "
        "%(cancel_on)s. The earliest possible cancellation date is %(earliest)s."
    ),
    "cancel_on",
)
CancellationTooLateError = _error(
    "cancellation_too_late",
    _(
        "A cancellation on %(cancel_on)s had to be requested by %(deadline)s, the last day of the "
        "month before. The earliest possible cancellation date is %(earliest)s."
    ),
    "cancel_on",
)
MinimumTermNotReachedError = _error(
    "minimum_term_not_reached",
    _(
        "The minimum term is one month: this contract cannot end before %(minimum_end)s. The "
        "earliest possible cancellation date is %(earliest)s."
    ),
    "cancel_on",
)
CancellationAfterServiceEndError = _error(
    "cancellation_after_service_end",
    _(
        "The contract already ends on %(ends_on)s with the vendor's end of support; no "
        "cancellation is needed."
    ),
    "cancel_on",
)

PlanChangeNotActiveError = _error(
    "plan_change_not_active",
    _(
        "%(server)s: the plan can be changed only while the service is running and no other "
        "change has been decided (the contract is: %(state)s)."
    ),
    "plan",
)
PlanChangeAfterCancellationError = _error(
    "plan_change_after_cancellation",
    _(
        "%(server)s: a cancellation on %(cancel_on)s has been requested, so the plan cannot be "
        "changed. To keep the service with the other plan, ask us to withdraw the cancellation "
        "first, then request the plan change."
    ),
    "plan",
)
PlanUnchangedError = _error(
    "plan_unchanged", _("%(server)s already has the plan: %(plan)s."), "plan"
)


class AlreadyAppliedError(ContractError):
    code = "already_applied"
    message_format = _("%(server)s already has a contract or an application in progress.")
    field = "servers"


class NoServerSelectedError(ContractError):
    code = "no_server_selected"
    message_format = _("Choose at least one server.")
    field = "servers"


class CustomerInactiveError(ContractError):
    code = "customer_inactive"
    message_format = _("%(customer)s is not an active customer.")


class NoDocumentInForceError(ContractError):
    code = "no_document_in_force"
    message_format = _(
        "No version of the %(document)s is in force on %(on)s; an operator must publish one."
    )


class CancellationPendingError(ContractError):
    code = "cancellation_pending"
    message_format = _("A cancellation on %(cancel_on)s has already been requested.")
    field = "cancel_on"


class PlanChangePendingError(ContractError):
    code = "plan_change_pending"
    message_format = _(
        "%(server)s: a change to %(plan)s has already been requested (%(state)s); the plan "
        "cannot be changed again until it has taken effect."
    )
    field = "plan"


class CancellationDuringPlanChangeError(ContractError):
    code = "cancellation_during_plan_change"
    message_format = _(
        "%(server)s is changing to %(plan)s (%(state)s): request the cancellation of the new "
        "contract once its service has started, or ask us to reject the plan change first."
    )
    field = "cancel_on"


class ApplicationRefusedError(ContractError):
    """Several servers of one application were refused; ``reasons`` holds one error each."""

    code = "application_refused"
    message_format = _("The application was not made: %(reasons)s")
    field = "servers"

    def __init__(self, *, reasons: Sequence[ContractError]) -> None:
        super().__init__(reasons=" ".join(reason.message for reason in reasons))
        self.reasons = list(reasons)

    @property
    def message(self) -> str:
        reasons = " ".join(reason.message for reason in self.reasons)
        return str(self.message_format) % {"reasons": reasons}


_BY_CODE: dict[str, type[ContractError]] = {
    cls.code: cls
    for cls in (
        TransitionNotAllowedError,
        PlatformUnknownError,
        PlatformNotOfferedError,
        PlatformPastEndOfSupportError,
        StartAfterEndOfSupportError,
        CancellationDateInPastError,
        CancellationDateNotMonthEndError,
        CancellationTooLateError,
        MinimumTermNotReachedError,
        CancellationAfterServiceEndError,
        PlanChangeNotActiveError,
        PlanChangeAfterCancellationError,
        PlanUnchangedError,
    )
}


def from_rule(exc: ContractRuleError, **extra: Any) -> ContractError:
    """The desk error for an engine rule violation (``extra`` adds e.g. the server's name)."""
    params: dict[str, Any] = {**exc.params, **extra}
    if "state" in params:
        params["state"] = ContractStateChoices(params["state"]).label
    if "plan" in params:
        params["plan"] = PlanChoices(params["plan"]).label
    params.pop("action", None)
    return _BY_CODE[exc.code](**params)
