"""Run a work plan on one server: scan, pre-checks, dry run, apply, restarts, rescan, verify.

Nothing changes on the server before every pre-check passed and the dry run showed exactly
the expected transaction. The work window is checked before each step that changes the
server; a running package transaction is never interrupted (an interrupted dpkg or rpm leaves
half-configured packages). Any failure ends the run with a recorded reason; a connection lost
after the update started is followed by one reconnection to record what the server looks
like. A retry is idempotent: items already at their minimum are recorded ``already_fixed``
and nothing is run for them.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Mapping
from datetime import datetime

from patchdesk.engine.collect.host import CollectOptions, collect_inventory
from patchdesk.engine.collect.pool import Connect, ScanTarget, open_target
from patchdesk.engine.model.work import (
    WorkIssue,
    WorkPhase,
    WorkPlan,
    WorkReason,
    WorkResult,
    WorkStatus,
)
from patchdesk.engine.remediate.apply import after_update, apply_update, reboot_into_kernel
from patchdesk.engine.remediate.flow import Stop, WorkFlow
from patchdesk.engine.remediate.outcome import RunState, finish
from patchdesk.engine.remediate.reboot import SessionFactory, reboot_and_rescan
from patchdesk.engine.remediate.session import (
    Clock,
    Masker,
    ProgressCallback,
    RunOptions,
    Sleep,
    WindowClock,
    WorkSession,
    default_sleep,
)
from patchdesk.engine.transport.base import Transport
from patchdesk.engine.transport.errors import TransportError
from patchdesk.engine.transport.ssh import SshOptions, SshTarget

__all__ = ["run_work"]

logger = logging.getLogger(__name__)


_REASONS = {str(reason): reason for reason in WorkReason}


def _unpinned_hop(target: ScanTarget) -> str:
    """The first SSH hop without a pinned host key ("" when every hop has one)."""
    hop = target if isinstance(target, SshTarget) else None
    while hop is not None:
        if hop.host_key is None and hop.accept_fingerprint is None:
            return hop.url
        hop = hop.jump
    return ""


def _secrets_of(target: ScanTarget) -> list[str | None]:
    if isinstance(target, SshTarget):
        found: list[str | None] = []
        hop: SshTarget | None = target
        while hop is not None:
            c = hop.credentials
            found += [c.password, c.sudo_password, c.key_passphrase]
            hop = hop.jump
        return found
    return [target.sudo_password]


async def run_work(
    plan: WorkPlan,
    target: ScanTarget,
    *,
    window_ends_at: datetime,
    clock: Clock,
    passphrases: Mapping[str, str] | None = None,
    secrets_to_mask: Iterable[str] = (),
    on_progress: ProgressCallback | None = None,
    options: RunOptions | None = None,
    connect: Connect | None = None,
    ssh_options: SshOptions | None = None,
    sleep: Sleep = default_sleep,
) -> WorkResult:
    """Run ``plan`` on ``target`` now; never raises for the server's own failures.

    ``passphrases`` maps a web-server service (``apache2``, ``httpd``, ``nginx``) to its TLS
    passphrase. Every secret (these, the target's passwords and key passphrase, and
    ``secrets_to_mask``) is masked in the recorded commands, outputs and messages.
    """
    options = options or RunOptions()
    passphrases = dict(passphrases or {})
    masker = Masker([*secrets_to_mask, *passphrases.values(), *_secrets_of(target)])
    state = RunState(plan=plan, items=plan.items)
    window = WindowClock(window_ends_at, clock)
    opener = connect or open_target(ssh_options)
    started_at = clock()

    def session_for(transport: Transport) -> WorkSession:
        return WorkSession(
            transport,
            clock=clock,
            masker=masker,
            options=options,
            steps=state.steps,
            on_progress=on_progress,
        )

    if options.require_pinned_host_key and (unpinned := _unpinned_hop(target)):
        state.stop(
            WorkStatus.REFUSED,
            WorkIssue(
                code=WorkReason.HOST_KEY_NOT_PINNED,
                message=f"{unpinned}: no pinned host key: scan the server first and pin its key",
                params={"target": unpinned},
            ),
        )
        return finish(state, target=plan.target, started_at=started_at, finished_at=clock())
    session: WorkSession | None = None
    try:
        async with opener(target) as transport:
            session = session_for(transport)
            flow = WorkFlow(session, state, clock=clock, window=window, passphrases=passphrases)
            with contextlib.suppress(Stop):
                prepared = await flow.prepare()
                if prepared is not None:
                    await apply_update(flow, prepared)
                    await after_update(flow)
                else:
                    await reboot_into_kernel(flow)
    except TransportError as exc:
        code = _REASONS.get(str(exc.code), WorkReason.UNREACHABLE)
        status = WorkStatus.FAILED if state.changes_started else WorkStatus.REFUSED
        if state.changes_started and code is WorkReason.UNREACHABLE:
            code = WorkReason.CONNECTION_LOST
        state.stop(status, WorkIssue(code=code, message=masker(exc.message)))
    except Exception as exc:  # a defect must not hide what was done
        logger.exception("internal error during work on target=%s", plan.target)
        state.stop(
            WorkStatus.FAILED if state.changes_started else WorkStatus.REFUSED,
            WorkIssue(
                code=WorkReason.INTERNAL_ERROR, message=f"internal error: {type(exc).__name__}"
            ),
        )
    if state.reboot_requested and state.stopped is None:
        await reboot_and_rescan(
            state, target, opener, session_for, clock=clock, sleep=sleep, options=options
        )
    elif state.changes_started and state.after is None:
        await _record_after_failure(state, target, opener, session_for, clock)
    if on_progress is not None and session is not None:
        session.enter(WorkPhase.FINISHED, "finished")
    return finish(state, target=plan.target, started_at=started_at, finished_at=clock())


async def _record_after_failure(
    state: RunState,
    target: ScanTarget,
    opener: Connect,
    session_for: SessionFactory,
    clock: Clock,
) -> None:
    """After a lost connection: reconnect once and scan, to record what the server has now."""
    try:
        async with opener(target) as transport:
            session = session_for(transport)
            session.enter(WorkPhase.SCAN_AFTER, "reconnect and rescan after the failure")
            after = await collect_inventory(
                session, options=CollectOptions(with_out_of_scope=False), clock=clock
            )
            if after.error is None:
                state.after = after
    except TransportError:
        pass
