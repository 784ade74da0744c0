"""Recording a work run's result: the run's summary and full record, each countermeasure's
outcome as the engine verified it, the order's outcome, and the notes for the customer and the
case history (in the customer's language)."""

from __future__ import annotations

import gzip
import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from patchdesk.desk.work.errors import WorkOrderClosedError
from patchdesk.desk.work.models import WorkRun, WorkRunStatus
from patchdesk.desk.work.reasons import WORKER_LOST, reason_text, restart_reason_text
from patchdesk.desk.work.run_prepare import PreparedRun
from patchdesk.desk.work.services.results import work_order_result_record
from patchdesk.engine.model.work import ItemOutcome
from patchdesk.engine.remediate import WorkResult
from patchdesk.engine.remediate.document import work_document_json

logger = logging.getLogger(__name__)

__all__ = ["record_run"]

_OK = frozenset(
    {
        ItemOutcome.FIXED,
        ItemOutcome.ALREADY_FIXED,
        ItemOutcome.NOT_INSTALLED,
        ItemOutcome.FIXED_PENDING_REBOOT,  # the notes say a reboot is required
    }
)
_CHANGES_SHOWN = 20


def _summary(result: WorkResult) -> dict[str, Any]:
    return {
        "changes": [
            {"name": c.name, "arch": c.arch, "before": c.before, "after": c.after,
             "expected": c.is_expected}
            for c in result.changes
        ],
        "items": [
            {"id": i.request.item_id, "package": i.request.package,
             "min_version": i.request.min_version, "outcome": str(i.outcome),
             "before": i.version_before, "after": i.version_after}
            for i in result.items
        ],
        "restarts": [{"service": r.service, "outcome": str(r.outcome)} for r in result.restarts],
        "pending_restarts": [
            {"service": p.service, "reason": str(p.reason)} for p in result.pending_restarts
        ],
        "reboot_required": result.reboot_required,
        "rebooted": result.rebooted,
        "is_changed": result.is_changed,
        "apply_started": result.apply_started,
        "steps": len(result.steps),
        "duration_s": round(result.duration_s, 1),
    }  # fmt: skip


def _notes(outcome: str, reason: str, summary: dict[str, Any]) -> str:
    """The result for the customer and the case history (in the active language)."""
    lines = []
    changes = summary.get("changes", [])
    if changes:
        shown = ", ".join(
            f"{c['name']} {c['before']} → {c['after']}" for c in changes[:_CHANGES_SHOWN]
        )
        lines.append(_("Updated: %(packages)s") % {"packages": shown})
        if (more := len(changes) - _CHANGES_SHOWN) > 0:
            lines.append(_("… and %(count)d more packages.") % {"count": more})
    elif outcome == "done":
        lines.append(_("No package needed an update: the fixes were in place."))
    restarted = [r["service"] for r in summary.get("restarts", []) if r["outcome"] == "restarted"]
    if restarted:
        lines.append(_("Services restarted: %(services)s") % {"services": ", ".join(restarted)})
    pending = [
        f"{p['service']} ({restart_reason_text(p['reason'])})"
        for p in summary.get("pending_restarts", [])
    ]
    if pending:
        lines.append(_("Still to restart: %(services)s") % {"services": ", ".join(pending)})
    if summary.get("reboot_required"):
        lines.append(_("A reboot is required to complete the update."))
    if reason:
        lines.append(reason_text(reason))
    return "\n".join(lines)


def _item_outcomes(prepared: PreparedRun, result: WorkResult | None) -> dict[int, bool]:
    """A countermeasure is done when every one of its requests is verified fixed (or was
    already fixed, or its package is gone); one without any open finding left is done."""
    verified = {r.request.item_id for r in (result.items if result else ()) if r.outcome in _OK}
    return {
        item.pk: all(request in verified for request in prepared.requests[item.pk])
        for item in prepared.items
    }


def _order_outcome(outcomes: dict[int, bool]) -> str:
    if outcomes and all(outcomes.values()):
        return "done"
    return "partial" if any(outcomes.values()) else "failed"


@transaction.atomic
def record_run(
    prepared: PreparedRun,
    result: WorkResult | None,
    now: datetime,
    *,
    status: WorkRunStatus = WorkRunStatus.REFUSED,
) -> WorkRun:
    """Store the run's result (``None``: it never reached the engine, ``status`` says how it
    ended) and move the order and its countermeasures on."""
    run = WorkRun.objects.select_for_update().get(pk=prepared.run.pk)
    if result is None:
        code, detail = prepared.refusal or (WORKER_LOST, "")
        run.status, run.reason_code = status, code
        run.issues = [{"code": code, "message": detail, "params": {}}]
        run.summary = {}
        # nothing ran: only a countermeasure with nothing left to fix is done
        outcomes = {item.pk: not prepared.requests[item.pk] for item in prepared.items}
    else:
        run.status = WorkRunStatus(str(result.status))
        run.reason_code = str(result.reason or "")
        run.issues = [
            {"code": str(i.code), "message": i.message, "params": dict(i.params)}
            for i in result.issues
        ]
        run.summary = _summary(result)
        run.document = gzip.compress(
            work_document_json(result, prepared.plan).encode("utf-8"), mtime=0
        )
        run.steps_done = len(result.steps)
        outcomes = _item_outcomes(prepared, result)
    run.finished_at = run.progress_at = now
    run.phase = "finished"
    run.save()
    order = run.order
    outcome = _order_outcome(outcomes)
    with translation.override(order.customer.language or None):
        notes = _notes(outcome, "" if outcome == "done" else run.reason_code, run.summary)
    try:
        with transaction.atomic():  # the run's record stays even if the order cannot move
            work_order_result_record(
                order,
                outcome=outcome,
                notes=notes,
                actor=None,
                reason_code="" if outcome == "done" else run.reason_code,
                item_outcomes=outcomes,
                now=now,
            )
    except WorkOrderClosedError:  # an operator recorded a result by hand meanwhile
        logger.warning("work run=%s finished on closed order=%s", run.pk, order.pk)
    except Exception:
        logger.exception("work run=%s: order=%s could not record the result", run.pk, order.pk)
    return run
