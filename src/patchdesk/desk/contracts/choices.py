"""Labels of the engine's contract codes, in one place (values are the engine's enums)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from patchdesk.engine.contracts import ContractState, DocumentKind, EndReason, Plan

__all__ = [
    "HISTORY_LABELS",
    "CancellationState",
    "Channel",
    "ContractStateChoices",
    "DocumentKindChoices",
    "EndReasonChoices",
    "PlanChoices",
]


class PlanChoices(models.TextChoices):
    STANDARD = Plan.STANDARD.value, _("Standard (High only)")
    SECURITY_UPDATE = Plan.SECURITY_UPDATE.value, _("Security Update Service (High and Medium)")


class ContractStateChoices(models.TextChoices):
    APPLIED = ContractState.APPLIED.value, _("Applied")
    ACCEPTED = ContractState.ACCEPTED.value, _("Accepted")
    ACTIVE = ContractState.ACTIVE.value, _("Active")
    CANCELLATION_REQUESTED = ContractState.CANCELLATION_REQUESTED.value, _("Cancellation requested")
    ENDED = ContractState.ENDED.value, _("Ended")
    REJECTED = ContractState.REJECTED.value, _("Rejected")


class EndReasonChoices(models.TextChoices):
    CANCELLED = EndReason.CANCELLED.value, _("Cancelled")
    END_OF_SUPPORT = EndReason.END_OF_SUPPORT.value, _("Vendor end of support")
    PLAN_CHANGED = EndReason.PLAN_CHANGED.value, _("Plan changed")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Web form (portal)")
    ORDER_FORM = "order_form", _("Order form (entered by an operator)")


class CancellationState(models.TextChoices):
    PENDING = "pending", _("Pending")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DocumentKindChoices(models.TextChoices):
    SPECIFICATION = DocumentKind.SPECIFICATION.value, _("Service specification")
    TERMS = DocumentKind.TERMS.value, _("Terms of service")


HISTORY_LABELS = {
    "contract.apply": _("Application received"),
    "contract.accept": _("Application accepted"),
    "contract.reject": _("Application rejected"),
    "contract.activate": _("Service started"),
    "contract.cancellation_request": _("Cancellation requested"),
    "contract.cancellation_withdraw": _("Cancellation withdrawn"),
    "contract.end": _("Service ended"),
    "contract.eos_warning": _("End-of-support warning sent"),
    "contract.plan_change_request": _("Plan change requested"),
    "contract.plan_change_accept": _("Plan change accepted"),
    "contract.plan_change_reject": _("Plan change rejected"),
    "contract.plan_change_scheduled": _("Plan change accepted: last day of this plan fixed"),
}
"""What each audited contract action means, for the contract's history."""
