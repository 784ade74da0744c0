"""Run the remediation engine for queued work runs and record what it did (R7 step 4, R13).

For each run: the requested countermeasures (the order's case items) become one
:class:`RequestedItem` per open finding with a fix; the server's last inventory and its
passphrases on file give the engine's :class:`WorkPlan`. The plans run over SSH with a
bounded pool in a worker thread while this thread writes each run's progress for the console.
Each result is stored with the full record (commands and outputs with secrets masked,
versions before and after, restarts, reboot), the order and its countermeasures move on
(done → the customer verifies; not fixed → scheduled again; credentials rejected → paused),
and every server the work touched is rescanned so its findings show what is fixed.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import gzip
import logging
import queue
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from patchdesk.desk.cases.models import CaseItem
from patchdesk.desk.core.secrets import secret_decrypt
from patchdesk.desk.findings.models import Finding, FindingState
from patchdesk.desk.fleet.mappers import (
    MissingCredentialsError,
    inventory_from_scan,
    scan_target_for,
)
from patchdesk.desk.fleet.models import Scan, Server
from patchdesk.desk.work.errors import WorkOrderClosedError
from patchdesk.desk.work.models import WorkOrder, WorkRun, WorkRunStatus
from patchdesk.desk.work.reasons import (
    NO_CREDENTIALS,
    NO_INVENTORY,
    WORKER_LOST,
    reason_text,
    restart_reason_text,
)
from patchdesk.desk.work.services.results import work_order_result_record
from patchdesk.desk.work.services.runs import ALL_SERVICES
from patchdesk.engine.collect.pool import Connect
from patchdesk.engine.model.advisory import FixStatus
from patchdesk.engine.model.finding import MatchMethod
from patchdesk.engine.model.work import ItemOutcome, WorkReason
from patchdesk.engine.remediate import (
    DEFAULT_WORK_CONCURRENCY,
    PlanRefusal,
    RequestedItem,
    RestartPolicy,
    RunOptions,
    VersionBasis,
    WorkJob,
    WorkPlan,
    WorkProgress,
    WorkResult,
    build_work_plan,
    run_works_blocking,
)
from patchdesk.engine.remediate.document import work_document_json
from patchdesk.engine.workflow.states import ItemState

logger = logging.getLogger(__name__)

__all__ = ["RUN_STALE_AFTER", "work_runs_execute", "work_runs_recover"]

PROGRESS_INTERVAL_S: Final = 0.5
RUN_STALE_AFTER: Final = timedelta(hours=2)
"""A run with no progress for this long lost its job (the worker stopped): recorded failed."""

_OK = frozenset(
    {
        ItemOutcome.FIXED,
        ItemOutcome.ALREADY_FIXED,
        ItemOutcome.NOT_INSTALLED,
        ItemOutcome.FIXED_PENDING_REBOOT,  # the notes say a reboot is required
    }
)
_CHANGES_SHOWN = 20


@dataclasses.dataclass(slots=True)
class _Prepared:
    """One claimed run, ready for the engine (``job``) or already refused (``refusal``)."""

    run: WorkRun
    items: list[CaseItem]
    requests: dict[int, list[str]]  # case item pk → its RequestedItem ids
    plan: WorkPlan | None = None
    job: WorkJob | None = None
    refusal: tuple[str, str] | None = None  # (code, detail)


def _now() -> datetime:
    return timezone.now()  # looked up at each call (tests move the desk's clock)


def _claim(run_ids: Sequence[int] | None, now: datetime) -> list[WorkRun]:
    """The queued runs this job takes (each exactly once, even with jobs racing)."""
    queued = WorkRun.objects.filter(status=WorkRunStatus.QUEUED)
    if run_ids is not None:
        queued = queued.filter(pk__in=run_ids)
    claimed = []
    for pk in queued.order_by("pk").values_list("pk", flat=True):
        taken = WorkRun.objects.filter(pk=pk, status=WorkRunStatus.QUEUED).update(
            status=WorkRunStatus.RUNNING, started_at=now, progress_at=now
        )
        if taken:
            claimed.append(pk)
    return list(
        WorkRun.objects.select_related("order__server", "order__customer")
        .filter(pk__in=claimed)
        .order_by("pk")
    )


def _requests_for(order: WorkOrder, items: list[CaseItem]) -> list[tuple[int, RequestedItem]]:
    """One request per open finding with a fix, for each countermeasure of the order."""
    found = Finding.objects.filter(
        server=order.server,
        advisory__in=[item.case.announcement.advisory_id for item in items],
        state=FindingState.OPEN,
        fix_status=FixStatus.FIXED,
    ).select_related("advisory")
    by_advisory: dict[int, list[Finding]] = {}
    for finding in found.order_by("pk"):
        by_advisory.setdefault(finding.advisory_id, []).append(finding)
    requests = []
    for item in items:
        for finding in by_advisory.get(item.case.announcement.advisory_id, []):
            requests.append(
                (
                    item.pk,
                    RequestedItem(
                        package=finding.package,
                        min_version=finding.fixed_version,
                        basis=VersionBasis.SOURCE
                        if finding.match_method == MatchMethod.SOURCE_NAME
                        else VersionBasis.BINARY,
                        advisory_id=finding.advisory.advisory_id,
                        cve_ids=tuple(finding.cve_ids),
                        item_id=f"{item.pk}:{finding.pk}",
                    ),
                )
            )
    return requests


def _restart_policy(names: list[str]) -> RestartPolicy:
    if ALL_SERVICES in names:
        return RestartPolicy(allow_all=True)
    return RestartPolicy.of(names)


def _prepare(run: WorkRun) -> _Prepared:
    order = run.order
    items = list(
        order.items.filter(state=ItemState.IN_PROGRESS)
        .select_related("case__announcement")
        .order_by("pk")
    )
    pairs = _requests_for(order, items)
    prepared = _Prepared(run=run, items=items, requests={item.pk: [] for item in items})
    for item_pk, request in pairs:
        prepared.requests[item_pk].append(request.item_id)
    scan = (
        Scan.objects.filter(server=order.server, status=Scan.Status.SUCCEEDED)
        .exclude(document=b"")
        .order_by("-finished_at", "-pk")
        .first()
    )
    inventory = inventory_from_scan(scan) if scan is not None else None
    if inventory is None:
        prepared.refusal = (NO_INVENTORY, f"{order.server.name}: no successful scan on file")
        return prepared
    passphrases = {
        row.service: secret_decrypt(row.passphrase) for row in order.server.passphrases.all()
    }
    built = build_work_plan(
        [request for _, request in pairs],
        inventory,
        allow_reboot=run.allow_reboot,
        restart_services=_restart_policy(run.restart_services),
        passphrases_on_file=tuple(passphrases),
    )
    if isinstance(built, PlanRefusal):
        prepared.refusal = (built.code.value, "; ".join([built.message, *built.problems]))
        return prepared
    try:
        target = scan_target_for(order.server)
    except MissingCredentialsError:
        prepared.refusal = (NO_CREDENTIALS, f"{order.server.name}: no credentials on file")
        return prepared
    prepared.plan = built
    prepared.job = WorkJob(
        plan=built,
        target=target,
        window_ends_at=order.ends_at,
        passphrases=passphrases,
    )
    return prepared


def _prepare_or_refuse(run: WorkRun) -> _Prepared:
    """:func:`_prepare`, with a defect (e.g. a secret that no key decrypts) ending only this
    run, as refused with nothing sent to the server."""
    try:
        return _prepare(run)
    except Exception as exc:
        logger.exception("preparing work run=%s failed", run.pk)
        items = list(run.order.items.filter(state=ItemState.IN_PROGRESS).order_by("pk"))
        return _Prepared(
            run=run,
            items=items,
            requests={item.pk: ["?"] for item in items},
            refusal=(str(WorkReason.INTERNAL_ERROR), f"preparing the run: {type(exc).__name__}"),
        )


# --- running, with progress written from this thread --------------------------------------


def _write_progress(events: queue.Queue[tuple[int, WorkProgress]]) -> None:
    latest: dict[int, WorkProgress] = {}
    while True:
        try:
            pk, progress = events.get_nowait()
        except queue.Empty:
            break
        latest[pk] = progress
    for pk, progress in latest.items():
        WorkRun.objects.filter(pk=pk, status=WorkRunStatus.RUNNING).update(
            phase=str(progress.phase),
            progress=progress.message[:500],
            steps_done=progress.steps_done,
            progress_at=progress.at,
        )


def _run_jobs(
    prepared: list[_Prepared], *, concurrency: int, clock: Callable[[], datetime], **engine: Any
) -> list[WorkResult]:
    """The engine in a worker thread (Django's ORM refuses calls from inside an event loop);
    this thread writes the progress it reports until every server is finished."""
    events: queue.Queue[tuple[int, WorkProgress]] = queue.Queue()

    def reporter(pk: int) -> Callable[[WorkProgress], None]:
        return lambda progress: events.put((pk, progress))

    jobs = [
        dataclasses.replace(p.job, on_progress=reporter(p.run.pk))
        for p in prepared
        if p.job is not None
    ]
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="work-runs") as pool:
        future = pool.submit(
            run_works_blocking, jobs, clock=clock, concurrency=concurrency, **engine
        )
        while True:
            finished = concurrent.futures.wait([future], timeout=PROGRESS_INTERVAL_S).done
            _write_progress(events)
            if finished:
                return future.result()


# --- recording ------------------------------------------------------------------------------


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


def _item_outcomes(prepared: _Prepared, result: WorkResult | None) -> dict[int, bool]:
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
def _record(
    prepared: _Prepared,
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


def _rescan(servers: list[Server]) -> None:
    """Scan the servers the work touched, so their findings show what is fixed now."""
    from patchdesk.desk.fleet.services import scan_queue
    from patchdesk.desk.fleet.tasks import scans_execute

    if servers:
        scans = scan_queue(servers, trigger="work", actor=None, enqueue=False)
        scans_execute([scan.pk for scan in scans])


def work_runs_execute(
    run_ids: Sequence[int] | None = None,
    *,
    concurrency: int = DEFAULT_WORK_CONCURRENCY,
    clock: Callable[[], datetime] | None = None,
    connect: Connect | None = None,
    options: RunOptions | None = None,
) -> list[WorkRun]:
    """Take the queued runs (``run_ids``, or every queued one) and carry them out: at most
    ``concurrency`` servers at once; one server's failure never stops the others."""
    clock = clock or _now
    claimed = _claim(run_ids, clock())
    prepared = [_prepare_or_refuse(run) for run in claimed]
    ready = [p for p in prepared if p.job is not None]
    for p in prepared:
        if p.job is None:
            _record(p, None, clock())
    if not ready:
        return [p.run for p in prepared]
    engine: dict[str, Any] = {"connect": connect, "options": options}
    results = _run_jobs(ready, concurrency=concurrency, clock=clock, **engine)
    for p, result in zip(ready, results, strict=True):
        try:
            _record(p, result, clock())
        except Exception:  # one result that cannot be recorded must not lose the others
            logger.exception("recording work run=%s failed", p.run.pk)
    touched = [p.run.order.server for p, r in zip(ready, results, strict=True) if r.is_changed]
    _rescan(touched)
    return [p.run for p in prepared]


def work_runs_recover(*, now: datetime | None = None) -> int:
    """Runs left running by a worker that stopped: recorded as failed so the countermeasures
    can be scheduled again (the engine's retry is idempotent)."""
    now = now or timezone.now()
    stale = WorkRun.objects.filter(
        status=WorkRunStatus.RUNNING, progress_at__lt=now - RUN_STALE_AFTER
    ).select_related("order__server", "order__customer")
    count = 0
    for run in stale:
        items = list(run.order.items.filter(state=ItemState.IN_PROGRESS).order_by("pk"))
        prepared = _Prepared(
            run=run,
            items=items,
            requests={item.pk: ["?"] for item in items},
            refusal=(WORKER_LOST, "no progress since " + (run.progress_at or now).isoformat()),
        )
        _record(prepared, None, now, status=WorkRunStatus.FAILED)
        count += 1
    return count
