"""Writing services of the findings console: a finding's state, overrides, the policy.

Each write is one transaction with an audit entry. Recomputing the verdicts and findings after
an override is synchronous and limited to the servers concerned; after a new policy version it
is a background job (every CVE may change), started after commit.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.accounts.models import User
from patchdesk.desk.core.errors import PatchdeskError, PermissionDeniedError
from patchdesk.desk.core.services import audit_record
from patchdesk.desk.findings.classification import classifications_refresh
from patchdesk.desk.findings.models import Finding, FindingState, PolicyDocument
from patchdesk.desk.findings.policy import (
    policy_document_activate,
    policy_override_clear,
    policy_override_set,
)
from patchdesk.desk.findings.refresh import findings_refresh
from patchdesk.desk.findings.selectors import server_ids_naming
from patchdesk.engine.model.classification import SecurityLevel

__all__ = [
    "FindingNoteRequiredError",
    "FindingStateChangeError",
    "OverrideReasonRequiredError",
    "finding_state_set",
    "policy_activate",
    "vulnerability_override_clear",
    "vulnerability_override_set",
]

# The states an operator may move a finding to, from each state. ``fixed`` is the refresh's:
# a finding is fixed when a scan no longer finds it, never by hand.
TRANSITIONS: dict[str, frozenset[str]] = {
    FindingState.OPEN: frozenset({FindingState.RISK_ACCEPTED, FindingState.NOT_APPLICABLE}),
    FindingState.RISK_ACCEPTED: frozenset({FindingState.OPEN, FindingState.NOT_APPLICABLE}),
    FindingState.NOT_APPLICABLE: frozenset({FindingState.OPEN, FindingState.RISK_ACCEPTED}),
    FindingState.FIXED: frozenset(),
}
NOTE_REQUIRED = frozenset({FindingState.RISK_ACCEPTED, FindingState.NOT_APPLICABLE})


class FindingStateChangeError(PatchdeskError):
    code = "finding_state_invalid"
    message_format = _("A finding cannot go from “%(before)s” to “%(after)s”.")


class FindingNoteRequiredError(PatchdeskError):
    code = "finding_note_required"
    message_format = _("Say why: a note is required for this state.")
    field = "note"


class OverrideReasonRequiredError(PatchdeskError):
    code = "override_reason_required"
    message_format = _("Say why: a reason is required for an override.")
    field = "reason"


def _check_operator(actor: User) -> None:
    if not actor.is_operator:
        raise PermissionDeniedError()


@transaction.atomic
def finding_state_set(finding: Finding, *, state: str, note: str, actor: User) -> Finding:
    """Accept the risk of a finding, mark it not applicable (each with a note), or reopen it."""
    _check_operator(actor)
    row = Finding.objects.select_for_update().get(pk=finding.pk)
    before = row.state
    if state not in TRANSITIONS.get(before, frozenset()):
        raise FindingStateChangeError(
            before=FindingState(before).label,
            after=FindingState(state).label if state in FindingState.values else state,
        )
    note = note.strip()
    if state in NOTE_REQUIRED and not note:
        raise FindingNoteRequiredError()
    row.state = state
    row.state_note = note
    row.save(update_fields=["state", "state_note"])
    audit_record(
        actor=actor,
        action="finding.state_set",
        obj=row,
        changes={"state": [before, state], "note": note},
    )
    finding.state, finding.state_note = row.state, row.state_note
    return row


def _refresh_after_override(cve_id: str) -> None:
    classifications_refresh([cve_id])
    servers = server_ids_naming(cve_id)
    if servers:
        findings_refresh(server_ids=servers)


def vulnerability_override_set(
    cve_id: str, *, level: SecurityLevel, reason: str, actor: User
) -> None:
    """An operator's level for one CVE; its verdict and the findings naming it follow now."""
    _check_operator(actor)
    if not reason.strip():
        raise OverrideReasonRequiredError()
    with transaction.atomic():
        policy_override_set(cve_id, level=level, reason=reason.strip(), actor=actor)
    _refresh_after_override(cve_id)


def vulnerability_override_clear(cve_id: str, *, actor: User) -> None:
    """Remove the override: the policy's own verdict applies again."""
    _check_operator(actor)
    with transaction.atomic():
        policy_override_clear(cve_id, actor=actor)
    _refresh_after_override(cve_id)


@transaction.atomic
def policy_activate(text: str, *, actor: User) -> PolicyDocument:
    """Validate and activate a policy version; every verdict and finding is recomputed by a
    background job after commit."""
    from patchdesk.desk.findings.tasks import findings_reclassify

    _check_operator(actor)
    document = policy_document_activate(text, actor=actor)
    transaction.on_commit(findings_reclassify.enqueue)
    return document
