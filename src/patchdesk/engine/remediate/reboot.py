"""Reboot only when the request allows it and the rescan says a reboot is required; then wait
for the server to come back with a new boot id and rescan it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from patchdesk.engine.collect.host import CollectOptions, collect_inventory
from patchdesk.engine.collect.pool import Connect, ScanTarget
from patchdesk.engine.model.work import WorkIssue, WorkPhase, WorkReason, WorkStatus
from patchdesk.engine.remediate import commands
from patchdesk.engine.remediate.outcome import RunState
from patchdesk.engine.remediate.session import Clock, RunOptions, Sleep, WorkSession
from patchdesk.engine.transport.base import Transport
from patchdesk.engine.transport.errors import TransportError

__all__ = ["BOOT_ID", "SessionFactory", "reboot_and_rescan", "schedule_reboot"]

BOOT_ID: Final = commands.PRELUDE + "cat /proc/sys/kernel/random/boot_id"
_UUID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

SessionFactory = Callable[[Transport], WorkSession]


async def _boot_id(session: WorkSession) -> str:
    result = await session.step(BOOT_ID, purpose="boot id")
    text = result.stdout.decode("ascii", "replace").strip()
    return text if _UUID.fullmatch(text) else ""


async def schedule_reboot(session: WorkSession, state: RunState) -> None:
    state.boot_id = await _boot_id(session)
    result = await session.step(commands.reboot(), purpose="schedule the reboot", as_root=True)
    if result.exit_status == 0:
        state.reboot_requested = True
    else:
        detail = result.stderr_line() or f"exit status {result.exit_status}"
        state.stop(
            WorkStatus.FAILED,
            session.issue(WorkReason.REBOOT_FAILED, f"the reboot failed: {detail}"),
        )


async def reboot_and_rescan(
    state: RunState,
    target: ScanTarget,
    opener: Connect,
    session_for: SessionFactory,
    *,
    clock: Clock,
    sleep: Sleep,
    options: RunOptions,
) -> None:
    """Poll until the server answers with another boot id (or ``reboot_wait_s`` passes)."""
    deadline = clock().timestamp() + options.reboot_wait_s
    while clock().timestamp() < deadline:
        await sleep(options.reboot_poll_s)
        try:
            async with opener(target) as transport:
                session = session_for(transport)
                session.enter(WorkPhase.REBOOT, "waiting for the server to come back")
                boot_id = await _boot_id(session)
                if not boot_id or boot_id == state.boot_id:
                    continue
                state.rebooted = True
                session.enter(WorkPhase.SCAN_AFTER, "rescan after the reboot")
                after = await collect_inventory(
                    session,
                    options=CollectOptions(
                        with_out_of_scope=False, origin_rules=options.origin_rules
                    ),
                    clock=clock,
                )
                if after.error is None:
                    state.after = after
                    waiting = {s.name for s in after.restart.services} if after.restart else set()
                    state.pending = [p for p in state.pending if p.service in waiting]
                return
        except TransportError:
            continue
    state.stop(
        WorkStatus.FAILED,
        WorkIssue(
            code=WorkReason.REBOOT_FAILED,
            message=f"the server did not come back within {options.reboot_wait_s:g} s",
        ),
    )
