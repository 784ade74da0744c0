"""Reboots: never unless the request allows it; when allowed and required, reboot, wait for a
new boot id and rescan. The testbed cannot reboot (sshd is its PID 1, there is no init), so
these replay the recorded run with the reboot flag set and the reboot answers added."""

from __future__ import annotations

import asyncio
import dataclasses

from engine.remediate.support import Clock, Recorded, ReplayConnect, load, plan_of, replay_run
from patchdesk.engine.collect import commands as collect_commands
from patchdesk.engine.model.work import WorkPhase, WorkReason, WorkStatus
from patchdesk.engine.remediate import commands
from patchdesk.engine.remediate.reboot import BOOT_ID
from patchdesk.engine.transport import RecordedCommand, Recording

BEFORE = b"0b7f1c52-3a3e-4d8e-9d51-6f0c2f1f9a11\n"
AFTER = b"5e2d8a90-7c41-4b6f-8f0e-2a9b3c4d5e6f\n"


def _needing_reboot() -> Recorded:
    recorded = load("apt-update-done").with_answer(
        lambda c: c.command == collect_commands.REBOOT_REQUIRED_FILE,
        stdout=b"reboot-required\nlibc6\n",
    )
    first = recorded.connections[0]
    extra = (
        RecordedCommand(command=BOOT_ID, stdout=BEFORE),
        RecordedCommand(command=commands.reboot(), as_root=True, stdout=b"scheduled\n"),
    )
    return dataclasses.replace(
        recorded, connections=(dataclasses.replace(first, commands=first.commands + extra),)
    )


def _after_reboot(boot_id: bytes) -> RecordedCommand:
    return RecordedCommand(command=BOOT_ID, stdout=boot_id)


def _back(recorded: Recorded, boot_id: bytes) -> tuple[Recording, ...]:
    after = recorded.keeping(-1).with_answer(
        lambda c: c.command == collect_commands.REBOOT_REQUIRED_FILE, stdout=b""
    )
    (connection,) = after.connections
    commands_ = tuple(c for c in connection.commands if c.command != BOOT_ID)
    return (dataclasses.replace(connection, commands=(_after_reboot(boot_id), *commands_)),)


async def _no_sleep(seconds: float) -> None:
    del seconds


def test_a_required_reboot_is_never_done_unless_the_request_allows_it() -> None:
    recorded = _needing_reboot()
    result, connect = asyncio.run(replay_run(recorded))
    assert result.status is WorkStatus.DONE
    assert result.reboot_required is True
    assert not result.rebooted
    assert not any(c == commands.reboot() for c, _, _ in connect.calls)


def test_an_allowed_reboot_waits_for_a_new_boot_and_rescans() -> None:
    recorded = _needing_reboot()
    plan = asyncio.run(plan_of(recorded, allow_reboot=True))
    same_boot = _back(recorded, BEFORE)  # still the old boot: not back yet
    connect = ReplayConnect([*recorded.connections, *same_boot, *_back(recorded, AFTER)])
    result, _ = asyncio.run(replay_run(recorded, plan=plan, connect=connect, sleep=_no_sleep))
    assert result.status is WorkStatus.DONE, result.issues
    assert result.rebooted
    assert result.reboot_required is False
    phases = [s.phase for s in result.steps]
    assert phases.count(WorkPhase.REBOOT) >= 3  # boot id, reboot, boot id, boot id
    assert phases[-1] is WorkPhase.SCAN_AFTER


def test_a_server_that_does_not_come_back_fails_the_run() -> None:
    recorded = _needing_reboot()
    plan = asyncio.run(plan_of(recorded, allow_reboot=True))
    clock = Clock(step_s=60)
    result, _ = asyncio.run(
        replay_run(
            recorded,
            plan=plan,
            clock=clock,
            window_s=10**6,
            connect=ReplayConnect(recorded.connections),
            sleep=_no_sleep,
        )
    )
    assert result.status is WorkStatus.FAILED
    assert result.reason is WorkReason.REBOOT_FAILED
    assert not result.rebooted
