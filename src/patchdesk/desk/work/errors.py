"""Refusals of the work app, worded for operators."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from patchdesk.desk.cases.errors import CaseError

__all__ = [
    "ItemsNotSchedulableError",
    "WorkOrderClosedError",
    "WorkOutcomeInvalidError",
    "WorkRunActiveError",
    "WorkWindowNotOpenError",
]


class ItemsNotSchedulableError(CaseError):
    code = "items_not_schedulable"
    message_format = _(
        "Only requested countermeasures of one server, for business hours, can be scheduled "
        "together (%(server)s: %(state)s)."
    )


class WorkOrderClosedError(CaseError):
    code = "work_order_closed"
    message_format = _("Work order %(number)s is already %(status)s.")


class WorkOutcomeInvalidError(CaseError):
    code = "work_outcome_invalid"
    message_format = _(
        "The result must be done or failed (partly done only with each countermeasure's outcome)."
    )


class WorkWindowNotOpenError(CaseError):
    code = "work_window_not_open"
    message_format = _(
        "The window of %(number)s is %(starts_at)s to %(ends_at)s: the update can run only "
        "inside it. Reschedule the work for another window."
    )


class WorkRunActiveError(CaseError):
    code = "work_run_active"
    message_format = _("%(number)s is already being worked on: wait for the run to finish.")
