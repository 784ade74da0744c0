"""The update and what follows it: the apply (with the TLS passphrases at hand when the
update replaces a web server that needs one), the automatic-install marks restored, the
rescan, the allowed restarts, a rescan after them, and the reboot when allowed and required.
"""

from __future__ import annotations

from patchdesk.engine.model.inventory import HostInventory
from patchdesk.engine.model.work import (
    ItemOutcome,
    ItemState,
    PackageManager,
    PendingRestart,
    RestartOutcome,
    WorkPhase,
    WorkReason,
    WorkStatus,
)
from patchdesk.engine.remediate import backends, commands
from patchdesk.engine.remediate.flow import Prepared, WorkFlow
from patchdesk.engine.remediate.outcome import verify_run
from patchdesk.engine.remediate.parsers import parse_showauto
from patchdesk.engine.remediate.reboot import schedule_reboot
from patchdesk.engine.remediate.restarts import (
    StagingFailed,
    classify_restarts,
    restart_services,
    staged_for,
)
from patchdesk.engine.transport.errors import CommandTimeoutError

__all__ = ["after_update", "apply_update", "reboot_into_kernel"]


async def apply_update(flow: WorkFlow, prepared: Prepared) -> None:
    session, state, plan, options = flow.session, flow.state, flow.plan, flow.session.options
    before, packages, approved = prepared.before, prepared.packages, prepared.approved
    affected = prepared.affected
    if flow.window() < options.min_window_left_s:
        raise flow.refuse(
            WorkReason.WINDOW_CLOSED,
            f"less than {options.min_window_left_s:g} s of the work window left",
            window_ends_at=flow.window.ends_at.isoformat(),
        )
    auto: frozenset[str] = frozenset()
    if plan.package_manager is PackageManager.APT:
        marks = await session.step(commands.APT_SHOWAUTO, purpose="automatic-install marks")
        auto = parse_showauto(marks.stdout) if marks.exit_status == 0 else frozenset()
    session.enter(WorkPhase.APPLY, f"update {len(approved)} package(s)")
    command = backends.apply_command(plan, packages, approved, lock_wait_s=options.lock_wait_s)
    own = [t for t in before.tls if t.service in affected and affected[t.service].own_package]
    try:
        if own:
            command = commands.with_tls_passphrases(
                command, await staged_for(session, own, flow.passphrases)
            )
    except StagingFailed as exc:
        raise flow.refuse(
            WorkReason.TLS_PASSPHRASE_MISSING,
            f"the TLS passphrase could not be handed to the server: {exc}",
        ) from None
    state.approved = approved
    state.changes_started = True
    try:
        result = await session.step(
            command, purpose="apply the update", as_root=True, timeout_s=options.apply_timeout_s
        )
    except CommandTimeoutError as exc:
        state.stop(
            WorkStatus.FAILED,
            session.issue(WorkReason.APPLY_TIMEOUT, exc.message, **exc.params),
        )
        return
    if result.exit_status != 0:
        detail = result.stderr_line() or f"exit status {result.exit_status}"
        locked = backends.is_lock_failure(result)
        state.apply_locked = locked
        state.stop(
            WorkStatus.FAILED,
            session.issue(
                WorkReason.PACKAGE_MANAGER_LOCKED if locked else WorkReason.APPLY_FAILED,
                f"the package manager reported an error: {detail}",
                detail=detail,
            ),
        )
    keep_auto = sorted({e.name for e in approved} & auto)
    if keep_auto:
        await session.step(
            commands.apt_mark_auto(keep_auto),
            purpose="restore the automatic-install marks",
            as_root=True,
        )


async def after_update(flow: WorkFlow) -> None:
    session, state, plan = flow.session, flow.state, flow.plan
    session.enter(WorkPhase.SCAN_AFTER, "rescan the server")
    after = await flow.scan(full=True)
    state.after = after
    if after.error is not None:
        state.stop(
            WorkStatus.FAILED,
            session.issue(WorkReason.RESCAN_FAILED, after.error.message),
        )
        return
    if state.stopped is not None:  # the apply failed: restart nothing, record what waits
        state.pending = classify_restarts(plan, after, flow.passphrases)[1]
        return
    session.enter(WorkPhase.RESTART, "restart services")
    summary = await restart_services(
        session, plan, after, passphrases=flow.passphrases, window=flow.window
    )
    state.restarts, state.pending = summary.records, summary.pending
    state.issues.extend(summary.issues)
    state.window_ended = summary.window_ended
    if any(r.outcome is RestartOutcome.RESTARTED for r in summary.records):
        session.enter(WorkPhase.SCAN_AFTER, "rescan after the restarts")
        final = await flow.scan(full=True)
        if final.error is None:
            state.after = final
            _still_waiting(flow, final)
    await _maybe_reboot(flow)


def _still_waiting(flow: WorkFlow, final: HostInventory) -> None:
    """A restarted service that still runs replaced code did not really restart."""
    waiting = {s.name for s in final.restart.services} if final.restart else set()
    for index, record in enumerate(flow.state.restarts):
        if record.outcome is RestartOutcome.RESTARTED and record.service in waiting:
            flow.state.restarts[index] = type(record)(
                service=record.service,
                outcome=RestartOutcome.FAILED,
                with_passphrase=record.with_passphrase,
            )
            flow.state.pending.append(
                PendingRestart(service=record.service, reason=RestartOutcome.FAILED)
            )
            flow.state.issues.append(
                flow.session.issue(
                    WorkReason.RESTART_FAILED,
                    f"{record.service} still runs replaced files after its restart",
                    service=record.service,
                )
            )


async def reboot_into_kernel(flow: WorkFlow) -> None:
    """Nothing to update, but a fixed kernel waits to be booted: with the request's leave,
    rescan (the restart check included) and reboot."""
    state = flow.state
    if not flow.plan.allow_reboot or not any(i.state is ItemState.REBOOT_ONLY for i in state.items):
        return
    flow.session.enter(WorkPhase.SCAN_AFTER, "scan before the reboot into the fixed kernel")
    after = await flow.scan(full=True)
    if after.error is not None:
        state.stop(
            WorkStatus.FAILED, flow.session.issue(WorkReason.RESCAN_FAILED, after.error.message)
        )
        return
    state.after = after
    await _maybe_reboot(flow)


def _reboot_required(flow: WorkFlow) -> bool:
    """The rescan says so, or a kernel item's fixed kernel is installed but not running."""
    after = flow.state.after
    if after is None:
        return False
    if after.restart is not None and after.restart.reboot_required:
        return True
    return any(i.outcome is ItemOutcome.FIXED_PENDING_REBOOT for i in verify_run(flow.state))


async def _maybe_reboot(flow: WorkFlow) -> None:
    state, plan = flow.state, flow.plan
    if not _reboot_required(flow):
        return
    if not plan.allow_reboot:
        return
    if flow.window() < flow.session.options.min_window_left_s:
        state.window_ended = True
        return
    flow.session.enter(WorkPhase.REBOOT, "reboot (allowed by the request)")
    await schedule_reboot(flow.session, state)
