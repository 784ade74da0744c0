"""Refusals of the service flow, worded for the people who asked (dates shown in their zone)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from patchdesk.desk.contracts.errors import ContractError
from patchdesk.engine.workflow.requests import RequestRefusal, RequestRefusalCode

__all__ = [
    "AlreadyRequestedError",
    "AnnouncementNotPendingError",
    "AnnouncementNotSentError",
    "CaseClosedError",
    "CaseError",
    "DisclaimersNotAcceptedError",
    "MessageEmptyError",
    "NotAffectedError",
    "NotCoveredError",
    "NothingToRequestError",
    "OffHoursWindowInvalidError",
    "ServicePausedError",
    "StateRefusedError",
    "TooLateError",
    "WindowNotOfferedError",
    "from_refusal",
]


class CaseError(ContractError):
    """Base of the flow's refusals (shares the contracts' date formatting and ``field``)."""


class NotCoveredError(CaseError):
    code = "not_covered"
    message_format = _(
        "Medium vulnerabilities are covered only by the Security Update Service: %(server)s has "
        "the Standard plan, which covers High only. Upgrade its contract to have Medium fixes "
        "applied."
    )


class NotAffectedError(CaseError):
    code = "not_affected"
    message_format = _("%(server)s does not have the affected package: there is nothing to do.")


class TooLateError(CaseError):
    code = "too_late"
    message_format = _(
        "The time to request this countermeasure for %(server)s ended on %(deadline)s; the case "
        "closed as not requested. Write to us in the case if you still need the update."
    )


class AlreadyRequestedError(CaseError):
    code = "already_requested"
    message_format = _("The countermeasure for %(server)s is already requested (%(state)s).")


class CaseClosedError(CaseError):
    code = "case_closed"
    message_format = _("The countermeasure for %(server)s is closed (%(state)s).")


class ServicePausedError(CaseError):
    code = "service_paused"
    message_format = _(
        "The service for %(server)s is paused: the server rejected our credentials. Update its "
        "password or key under Server access; the service resumes once we can log in again."
    )


class StateRefusedError(CaseError):
    code = "state_refused"
    message_format = _("This is not possible while %(server)s is in the state: %(state)s.")


class DisclaimersNotAcceptedError(CaseError):
    code = "disclaimers_not_accepted"
    message_format = _("Please read and accept the disclaimers before requesting the work.")
    field = "accept_disclaimers"


class OffHoursWindowInvalidError(CaseError):
    code = "off_hours_window_invalid"
    message_format = _(
        "Give an off-hours window that starts in the future, ends after it starts and lies at "
        "least partly outside business hours (otherwise choose business hours: no quote needed)."
    )
    field = "off_hours_starts_at"


class WindowNotOfferedError(CaseError):
    code = "window_not_offered"
    message_format = _(
        "The window %(starts_at)s is not available: %(reason)s Choose one of the windows offered."
    )
    field = "window"


class NothingToRequestError(CaseError):
    code = "nothing_to_request"
    message_format = _("No server of this case is waiting for a request.")


class AnnouncementNotPendingError(CaseError):
    code = "announcement_not_pending"
    message_format = _("This announcement is no longer waiting for review (%(state)s).")


class AnnouncementNotSentError(CaseError):
    code = "announcement_not_sent"
    message_format = _("This advisory has not been announced yet: confirm it first.")


class MessageEmptyError(CaseError):
    code = "message_empty"
    message_format = _("Write a message first.")
    field = "text"


_BY_CODE: dict[RequestRefusalCode, type[CaseError]] = {
    RequestRefusalCode.NOT_COVERED: NotCoveredError,
    RequestRefusalCode.NOT_AFFECTED: NotAffectedError,
    RequestRefusalCode.TOO_LATE: TooLateError,
    RequestRefusalCode.ALREADY_REQUESTED: AlreadyRequestedError,
    RequestRefusalCode.CLOSED: CaseClosedError,
    RequestRefusalCode.SERVICE_PAUSED: ServicePausedError,
}


def from_refusal(refusal: RequestRefusal, **params: Any) -> CaseError:
    """The engine's refusal as a coded desk error (``params``: server, deadline, state...)."""
    return _BY_CODE[refusal.code](**params)
