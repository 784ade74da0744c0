"""Failures, replayed on real recordings with one answer changed: every run stops cleanly,
says why, records what happened and never reports done when it is not."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from engine.remediate.support import (
    Clock,
    QueueReplay,
    Recorded,
    ReplayConnect,
    load,
    plan_of,
    replay_run,
    target_of,
)
from patchdesk.engine.model.inventory import HostKey, ScanErrorCode
from patchdesk.engine.model.work import (
    ItemOutcome,
    PendingRestart,
    RestartOutcome,
    WorkPhase,
    WorkProgress,
    WorkReason,
    WorkResult,
    WorkStatus,
)
from patchdesk.engine.remediate import RequestedItem, RunOptions, VersionBasis
from patchdesk.engine.transport import (
    AuthenticationRejectedError,
    CommandResult,
    Elevation,
    HostKeyChangedError,
    RecordedCommand,
    Transport,
)

_APPLY = " install --only-upgrade libexpat1="


def _is(text: str, *, root: bool | None = None) -> Callable[[RecordedCommand], bool]:
    return lambda c: text in c.command and (root is None or c.as_root is root)


def _apply(c: RecordedCommand) -> bool:
    return _APPLY in c.command and "apt-get -s" not in c.command


def _run(recorded: Recorded, **kwargs: Any) -> WorkResult:
    return asyncio.run(replay_run(recorded, **kwargs))[0]


def test_connection_lost_during_the_apply_reconnects_once_to_record_the_state() -> None:
    recorded = load("apt-update-done")
    broken = recorded.with_answer(_apply, error=ScanErrorCode.UNREACHABLE)
    after = recorded.keeping(-1)  # the server did finish the update before the link dropped
    connect = ReplayConnect([*broken.connections, *after.connections])
    result, _ = asyncio.run(replay_run(recorded, connect=connect))
    assert result.status is WorkStatus.FAILED
    assert result.reason is WorkReason.CONNECTION_LOST
    assert result.is_changed
    assert {i.outcome for i in result.items} == {ItemOutcome.FIXED}  # recorded, yet not "done"
    assert result.steps[-1].phase is WorkPhase.SCAN_AFTER
    assert any(s.purpose == "reconnect and rescan after the failure" for s in result.steps)
    failed = next(s for s in result.steps if s.error)
    assert failed.phase is WorkPhase.APPLY
    assert failed.exit_status is None
    assert failed.error.startswith("unreachable")


def test_connection_lost_and_the_server_stays_away_leaves_items_unverified() -> None:
    recorded = load("apt-update-done").with_answer(_apply, error=ScanErrorCode.UNREACHABLE)
    result = _run(recorded, connect=ReplayConnect(recorded.connections))
    assert result.status is WorkStatus.FAILED
    assert {i.outcome for i in result.items} == {ItemOutcome.NOT_VERIFIED}
    assert result.is_changed  # may have changed: said so


def test_a_package_manager_error_fails_the_run_and_restarts_nothing() -> None:
    recorded = (
        load("apt-apache-restarted-with-passphrase")
        .keeping(0)
        .with_answer(
            lambda c: " install --only-upgrade 'libssl3=" in c.command,
            exit_status=100,
            stdout=b"",
            stderr=b"E: Sub-process /usr/bin/dpkg returned an error code (1)\n",
        )
    )
    result, connect = asyncio.run(replay_run(recorded))
    assert result.status is WorkStatus.FAILED
    assert result.reason is WorkReason.APPLY_FAILED
    assert "returned an error code" in result.issues[0].message
    assert result.restarts == ()
    assert not any("restart" in c and "apache2" in c for c, _, _ in connect.calls)
    assert {i.outcome for i in result.items} == {ItemOutcome.NOT_FIXED}


def test_a_lock_taken_between_the_check_and_the_apply_is_a_refusal_when_nothing_changed() -> None:
    recorded = (
        load("apt-update-done")
        .keeping(0)
        .with_answer(
            _apply,
            exit_status=100,
            stdout=b"",
            stderr=b"E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process "
            b"4242 (unattended-upgr)\nE: Unable to acquire the dpkg frontend lock "
            b"(/var/lib/dpkg/lock-frontend), is another process using it?\n",
        )
    )
    result = _run(recorded)
    assert result.status is WorkStatus.REFUSED
    assert result.reason is WorkReason.PACKAGE_MANAGER_LOCKED
    assert result.changes == ()


def test_an_apply_that_times_out_fails_and_the_rescan_records_the_state() -> None:
    recorded = load("apt-update-done").with_answer(_apply, error=ScanErrorCode.TIMEOUT)
    result = _run(recorded)
    assert result.status is WorkStatus.FAILED
    assert result.reason is WorkReason.APPLY_TIMEOUT
    assert result.changes


def test_the_window_closed_before_the_start_refuses_without_a_single_change() -> None:
    result, connect = asyncio.run(replay_run(load("apt-update-done"), window_s=-1))
    assert result.status is WorkStatus.REFUSED
    assert result.reason is WorkReason.WINDOW_CLOSED
    assert not any("apt-get -s" in c for c, _, _ in connect.calls)  # no dry run either


def test_too_little_window_left_for_the_apply_refuses_after_the_dry_run() -> None:
    result, connect = asyncio.run(replay_run(load("apt-update-done"), window_s=30))
    assert result.status is WorkStatus.REFUSED
    assert result.reason is WorkReason.WINDOW_CLOSED
    assert any("apt-get -s" in c for c, _, _ in connect.calls)
    assert not any(_APPLY in c and "apt-get -s" not in c for c, _, _ in connect.calls)


def test_the_window_ending_after_the_update_skips_the_restarts() -> None:
    clock = Clock()

    def jump(progress: WorkProgress) -> None:
        if progress.phase is WorkPhase.SCAN_AFTER:
            clock.now += timedelta(hours=2)

    result, connect = asyncio.run(
        replay_run(load("apt-apache-restarted-with-passphrase"), clock=clock, on_progress=jump)
    )
    assert result.status is WorkStatus.STOPPED_WINDOW_ENDED
    assert result.reason is WorkReason.WINDOW_ENDED
    assert result.issues[0].params == {"pending": "sshd, apache2"}
    assert result.restarts == ()
    assert PendingRestart(service="apache2", reason=RestartOutcome.WINDOW_ENDED) in (
        result.pending_restarts
    )
    assert {i.outcome for i in result.items} == {ItemOutcome.FIXED}
    assert not any("restart" in c and "apache2" in c for c, _, _ in connect.calls)


def test_a_server_without_a_pinned_host_key_is_never_connected_to() -> None:
    recorded = load("apt-update-done")
    unpinned = dataclasses.replace(target_of(recorded), host_key=None)
    connect = ReplayConnect(recorded.connections)
    result, _ = asyncio.run(replay_run(recorded, target=unpinned, connect=connect))
    assert result.status is WorkStatus.REFUSED
    assert result.reason is WorkReason.HOST_KEY_NOT_PINNED
    assert connect.transports == []  # not even a connection
    jump = dataclasses.replace(unpinned, host="bastion")
    via = dataclasses.replace(target_of(recorded), jump=jump)
    result, _ = asyncio.run(replay_run(recorded, target=via))
    assert result.issues[0].params == {"target": "ssh://deploy@bastion:22"}
    allowed, _ = asyncio.run(
        replay_run(recorded, target=unpinned, options=RunOptions(require_pinned_host_key=False))
    )
    assert allowed.status is WorkStatus.DONE


def test_rejected_credentials_refuse_the_work_r14() -> None:
    recorded = load("apt-update-done")
    connect = ReplayConnect(
        [], then_error=AuthenticationRejectedError("ssh://deploy@h: authentication rejected")
    )
    result, _ = asyncio.run(replay_run(recorded, connect=connect))
    assert result.status is WorkStatus.REFUSED
    assert result.reason is WorkReason.AUTH_REJECTED
    assert result.steps == ()
    assert {i.outcome for i in result.items} == {ItemOutcome.NOT_VERIFIED}


def test_a_changed_host_key_refuses_the_work() -> None:
    key = HostKey(algorithm="ssh-ed25519", public_key="ssh-ed25519 AAAA", fingerprint="SHA256:x")
    error = HostKeyChangedError("changed", expected=key, observed=None)
    result = _run(load("apt-update-done"), connect=ReplayConnect([], then_error=error))
    assert result.status is WorkStatus.REFUSED
    assert result.reason is WorkReason.HOST_KEY_CHANGED


def test_sudo_refused_stops_before_anything() -> None:
    recorded = load("apt-update-done")
    refusing = recorded.with_answer(
        lambda c: c.command == "true" and c.as_root, error=ScanErrorCode.PERMISSION_DENIED
    )
    result = _run(refusing, plan=asyncio.run(plan_of(recorded)))
    assert result.reason is WorkReason.PERMISSION_DENIED
    assert result.status is WorkStatus.REFUSED


def test_without_root_or_sudo_the_work_is_refused() -> None:
    recorded = load("apt-update-done")
    unprivileged = dataclasses.replace(
        recorded,
        connections=tuple(
            dataclasses.replace(
                r,
                elevation=Elevation.NONE,
                commands=tuple(dataclasses.replace(c, as_root=False) for c in r.commands),
            )
            for r in recorded.connections
        ),
    )
    result = _run(unprivileged, plan=asyncio.run(plan_of(recorded)))
    assert result.reason is WorkReason.NOT_PRIVILEGED


def test_a_plan_for_another_release_is_stale() -> None:
    recorded = load("apt-update-done")
    plan = dataclasses.replace(asyncio.run(plan_of(recorded)), platform_key="debian:11")
    result = _run(recorded, plan=plan)
    assert result.reason is WorkReason.PLAN_STALE


def test_low_disk_space_refuses() -> None:
    recorded = load("apt-update-done").with_answer(
        _is("df -Pk"),
        stdout=b"Filesystem     1024-blocks   Used Available Capacity Mounted on\n"
        b"/dev/vda1          6291456 6200000    91456      99% /\n",
    )
    result = _run(recorded)
    assert result.reason is WorkReason.DISK_SPACE_LOW
    assert result.issues[0].params == {
        "mount": "/",
        "free_mib": "89",
        "required_mib": "300",
    }


def test_an_interrupted_dpkg_is_reported_not_repaired() -> None:
    recorded = load("apt-update-done").with_answer(
        _is(" check", root=True),
        exit_status=100,
        stdout=b"",
        stderr=b"E: dpkg was interrupted, you must manually run 'dpkg --configure -a' to "
        b"correct the problem. \n",
    )
    result = _run(recorded)
    assert result.reason is WorkReason.PACKAGE_MANAGER_BROKEN
    assert "dpkg --configure -a" in result.issues[0].message


def test_a_failed_index_refresh_refuses() -> None:
    recorded = load("apt-update-done").with_answer(
        _is(" update", root=True), exit_status=100, stderr=b"E: Some index files failed\n"
    )
    assert _run(recorded).reason is WorkReason.INDEX_UPDATE_FAILED


def test_a_garbled_dry_run_is_not_trusted() -> None:
    recorded = load("apt-update-done").with_answer(
        _is("apt-get -s"),
        stdout=b"Inst libexpat1 [2.5.0-1+deb12u2] (2.5.0-1+deb12u5 Debian [amd64])\n"
        b"Inst libexpat1;reboot [1] (2 Debian [amd64])\n",
    )
    result = _run(recorded)
    assert result.reason is WorkReason.DRY_RUN_FAILED


def test_a_candidate_below_the_minimum_refuses() -> None:
    recorded = load("apt-update-done")
    inventory_plan = asyncio.run(plan_of(recorded))
    first = dataclasses.replace(
        inventory_plan.items[0],
        request=RequestedItem(
            package="libexpat1", min_version="2.5.0-1+deb12u9", basis=VersionBasis.SOURCE
        ),
    )
    items = (first, *inventory_plan.items[1:])
    result = _run(recorded, plan=dataclasses.replace(inventory_plan, items=items))
    assert result.status is WorkStatus.REFUSED
    assert [i.code for i in result.issues] == [WorkReason.FIX_NOT_AVAILABLE]
    assert result.issues[0].params == {
        "package": "libexpat1",
        "minimum": "2.5.0-1+deb12u9",
        "candidate": "2.5.0-1+deb12u5",
    }


def test_a_package_changed_outside_the_transaction_makes_the_work_partial() -> None:
    recorded = load("apt-update-done")
    after = recorded.commands
    dpkg = [c for c in after if "dpkg-query -W" in c.command]
    changed = dpkg[-1].stdout.replace(b"zlib1g\tamd64\t1:1.2.13.dfsg-1", b"zlib1g\tamd64\t9:9")
    tampered = recorded.with_answer(_is("dpkg-query -W"), index=1, stdout=changed)
    result = _run(tampered)
    assert result.status is WorkStatus.PARTIAL
    assert [i.code for i in result.issues] == [WorkReason.UNEXPECTED_CHANGE]
    (odd,) = [c for c in result.changes if not c.is_expected]
    assert (odd.name, odd.before, odd.after) == ("zlib1g", "1:1.2.13.dfsg-1", "9:9")


def test_an_apply_that_reports_success_but_changed_nothing_is_partial() -> None:
    recorded = load("apt-update-done").keeping(0)
    result = _run(recorded)
    assert result.status is WorkStatus.PARTIAL
    assert [i.code for i in result.issues] == [WorkReason.NOT_FIXED, WorkReason.NOT_FIXED]


def test_a_failed_rescan_never_reports_done() -> None:
    recorded = load("apt-update-done").with_answer(
        lambda c: "@@patchdesk %s@@" in c.command, index=1, error=ScanErrorCode.UNREACHABLE
    )
    result = _run(recorded)
    assert result.status is WorkStatus.FAILED
    assert result.reason is WorkReason.RESCAN_FAILED
    assert {i.outcome for i in result.items} == {ItemOutcome.NOT_VERIFIED}


def test_a_failed_restart_makes_the_work_partial() -> None:
    recorded = load("apt-apache-restarted-with-passphrase").with_answer(
        lambda c: "service apache2 restart" in c.command,
        exit_status=1,
        stderr=b"Action 'start' failed.\n",
    )
    result = _run(recorded)
    assert result.status is WorkStatus.PARTIAL
    assert result.reason is WorkReason.RESTART_FAILED
    assert result.restarts[0].outcome is RestartOutcome.FAILED


class _Defective(QueueReplay):
    async def run(self, command: str, **kwargs: Any) -> CommandResult:
        if "apt-get -s" in command:
            raise RuntimeError("a defect")
        return await super().run(command, **kwargs)


def test_a_defect_is_an_internal_error_not_a_crash() -> None:
    recorded = load("apt-update-done")

    @asynccontextmanager
    async def connect(target: object) -> AsyncIterator[Transport]:
        yield _Defective(recorded.connections[0])

    result = _run(recorded, connect=connect)
    assert result.reason is WorkReason.INTERNAL_ERROR
    assert result.status is WorkStatus.REFUSED  # nothing had been changed
    assert result.issues[0].message == "internal error: RuntimeError"
