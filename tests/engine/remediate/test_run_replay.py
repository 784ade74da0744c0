"""Whole runs replayed from real testbed recordings: the same decisions as on the real hosts,
every command recorded, nothing run on a server that the rules forbid."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from engine.remediate.support import Clock, ReplayConnect, load, plan_of, replay_run
from patchdesk.engine.model.work import (
    ItemOutcome,
    RestartOutcome,
    TransactionAction,
    WorkPhase,
    WorkProgress,
    WorkReason,
    WorkStatus,
)
from patchdesk.engine.remediate import MASK, RunOptions

EXPECTED = {
    "apt-update-done": (WorkStatus.DONE, []),
    "apt-retry-already-fixed": (WorkStatus.DONE, []),
    "apt-refused-removal": (WorkStatus.REFUSED, [WorkReason.DRY_RUN_REMOVES_PACKAGES]),
    "apt-refused-new-package": (WorkStatus.REFUSED, [WorkReason.DRY_RUN_UNEXPECTED_PACKAGES]),
    "apt-new-package-allowed": (WorkStatus.DONE, []),
    "apt-kernel-new-abi": (WorkStatus.DONE, []),
    "apt-refused-locked": (WorkStatus.REFUSED, [WorkReason.PACKAGE_MANAGER_LOCKED]),
    "apt-refused-tls-passphrase": (WorkStatus.REFUSED, [WorkReason.TLS_PASSPHRASE_MISSING]),
    "apt-apache-restarted-with-passphrase": (WorkStatus.DONE, []),
    "dnf-advisory-done": (WorkStatus.DONE, []),
    "dnf-refused-conflict": (
        WorkStatus.REFUSED,
        [WorkReason.DRY_RUN_SKIPS_PACKAGES, WorkReason.FIX_NOT_AVAILABLE],
    ),
    "dnf-refused-obsoletes": (WorkStatus.REFUSED, [WorkReason.DRY_RUN_REMOVES_PACKAGES]),
    "dnf-refused-new-package": (WorkStatus.REFUSED, [WorkReason.DRY_RUN_UNEXPECTED_PACKAGES]),
}

_APPLY_MARKERS = (" install --only-upgrade ", " -y --setopt=install_weak_deps=False upgrade")


def _applies(calls: list[tuple[str, bool, bytes]]) -> list[str]:
    """Commands that change packages (apt without -s, dnf with -y)."""
    return [
        command
        for command, _, _ in calls
        if any(marker in command for marker in _APPLY_MARKERS) and "apt-get -s " not in command
    ]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_recorded_run_replays_to_the_same_decision(name: str) -> None:
    status, reasons = EXPECTED[name]
    result, connect = asyncio.run(replay_run(load(name)))
    assert result.status is status, result.issues
    assert [issue.code for issue in result.issues] == reasons
    applied = _applies(connect.calls)
    if status is WorkStatus.REFUSED:
        assert applied == []  # refused: nothing that changes a package was ever sent
        assert result.changes == ()
        assert not result.is_changed
        assert all(
            i.outcome in (ItemOutcome.NOT_FIXED, ItemOutcome.NOT_VERIFIED) for i in result.items
        )
    for step in result.steps:
        assert step.finished_at >= step.started_at
        assert step.command


def test_an_update_upgrades_exactly_the_dry_run_pinned_and_keeps_automatic_marks() -> None:
    result, connect = asyncio.run(replay_run(load("apt-update-done")))
    assert result.status is WorkStatus.DONE
    (apply,) = _applies(connect.calls)
    assert apply.endswith(
        "install --only-upgrade libexpat1=2.5.0-1+deb12u5 "
        "pdtest-libbar=1.0-1+deb12u1 pdtest-bar-utils=1.0-1+deb12u1"
    )
    for option in ("--no-remove", "--force-confold", "--force-confdef", "--no-install-recommends"):
        assert option in apply
    assert "DEBIAN_FRONTEND=noninteractive" in apply
    assert "NEEDRESTART_SUSPEND=1" in apply
    # pdtest-bar-utils comes along: same source package (pdtest-bar) as the requested library
    assert [(e.action, e.name, e.old_version, e.new_version) for e in result.transaction] == [
        (TransactionAction.UPGRADE, "libexpat1", "2.5.0-1+deb12u2", "2.5.0-1+deb12u5"),
        (TransactionAction.UPGRADE, "pdtest-libbar", "1.0-1", "1.0-1+deb12u1"),
        (TransactionAction.UPGRADE, "pdtest-bar-utils", "1.0-1", "1.0-1+deb12u1"),
    ]
    assert {(c.name, c.before, c.after, c.is_expected) for c in result.changes} == {
        ("libexpat1", "2.5.0-1+deb12u2", "2.5.0-1+deb12u5", True),
        ("pdtest-libbar", "1.0-1", "1.0-1+deb12u1", True),
        ("pdtest-bar-utils", "1.0-1", "1.0-1+deb12u1", True),
    }
    assert [(i.request.package, i.outcome, i.version_after) for i in result.items] == [
        ("libexpat1", ItemOutcome.FIXED, "2.5.0-1+deb12u5"),  # its *source* version
        ("pdtest-libbar", ItemOutcome.FIXED, "1.0-1+deb12u1"),
    ]
    marks = [c for c, root, _ in connect.calls if "apt-mark auto " in c]
    assert marks
    assert marks[0].endswith("apt-mark auto libexpat1")
    assert result.reboot_required is False
    assert result.is_changed


def test_a_retry_finds_the_items_fixed_and_runs_nothing() -> None:
    result, connect = asyncio.run(replay_run(load("apt-retry-already-fixed")))
    assert result.status is WorkStatus.DONE
    assert {i.outcome for i in result.items} == {ItemOutcome.ALREADY_FIXED}
    assert _applies(connect.calls) == []
    assert {s.phase for s in result.steps} <= {WorkPhase.SCAN_BEFORE, WorkPhase.PRECHECK}
    assert result.changes == ()
    assert not result.is_changed


def test_an_allowed_new_dependency_is_installed_and_counted_as_expected() -> None:
    result, _ = asyncio.run(replay_run(load("apt-new-package-allowed")))
    assert result.status is WorkStatus.DONE
    assert {(c.name, c.before, c.after, c.is_expected) for c in result.changes} == {
        ("pdtest-libbaz", "1.0-1", "1.0-1+deb12u1", True),
        ("pdtest-newdep", "", "1.0-1", True),
    }


def test_the_same_run_without_the_allowance_is_refused_on_its_recording() -> None:
    recorded = load("apt-new-package-allowed")
    plan = asyncio.run(plan_of(recorded, allowed_dependencies=()))
    result, connect = asyncio.run(replay_run(recorded, plan=plan))
    assert result.status is WorkStatus.REFUSED
    assert [i.code for i in result.issues] == [WorkReason.DRY_RUN_UNEXPECTED_PACKAGES]
    assert result.issues[0].params["packages"] == "pdtest-newdep"
    assert _applies(connect.calls) == []


def test_apache_restarted_with_the_passphrase_which_never_appears_anywhere() -> None:
    recorded = load("apt-apache-restarted-with-passphrase")
    passphrase = "pdtest-tls-passphrase"
    result, connect = asyncio.run(replay_run(recorded, passphrases={"apache2": passphrase}))
    assert result.status is WorkStatus.DONE
    assert [(r.service, r.outcome, r.with_passphrase) for r in result.restarts] == [
        ("apache2", RestartOutcome.RESTARTED, True)
    ]
    assert [(p.service, p.reason) for p in result.pending_restarts] == [
        ("sshd", RestartOutcome.NOT_ALLOWED)
    ]
    # the passphrase went to the server on stdin of a command run as the login user only
    staged = [(root, stdin) for c, root, stdin in connect.calls if passphrase.encode() in stdin]
    assert staged == [(False, passphrase.encode() + b"\n")]
    assert not any(root and stdin for _, root, stdin in connect.calls)
    assert passphrase not in repr(dataclasses.asdict(result))
    restart = next(s for s in result.steps if s.purpose.startswith("restart apache2"))
    assert restart.as_root
    assert "SSLPassPhraseDialog exec:/run/patchdesk-tls/apache2.ask" in (restart.command)
    assert "trap cleanup EXIT" in restart.command
    staging = next(s for s in result.steps if "TLS passphrase" in s.purpose and s.stdin_bytes)
    assert staging.stdin_bytes == len(passphrase) + 1
    assert passphrase not in staging.command


def test_the_refusal_names_the_service_and_why_it_must_restart() -> None:
    result, connect = asyncio.run(replay_run(load("apt-refused-tls-passphrase")))
    (issue,) = result.issues
    assert issue.params["service"] == "apache2"
    assert "the running server uses /usr/lib/x86_64-linux-gnu/lib" in issue.params["why"]
    assert not any(b"passphrase" in stdin for _, _, stdin in connect.calls)


def test_dnf_by_advisory_with_the_package_named() -> None:
    result, connect = asyncio.run(replay_run(load("dnf-advisory-done")))
    (apply,) = _applies(connect.calls)
    assert apply.endswith(
        "dnf -y --setopt=install_weak_deps=False upgrade --advisory=PDSA-2026:0001 -- pdtest-libfoo"
    )
    assert [(c.name, c.before, c.after) for c in result.changes] == [
        ("pdtest-libfoo", "1.0-1", "1.0-2")
    ]
    assert result.transaction[0].old_version == "1.0-1"  # filled in from the scan


def test_progress_is_reported_phase_by_phase() -> None:
    seen: list[WorkProgress] = []
    asyncio.run(replay_run(load("apt-update-done"), on_progress=seen.append))
    phases = [p.phase for p in seen]
    assert phases == [
        WorkPhase.SCAN_BEFORE,
        WorkPhase.PRECHECK,
        WorkPhase.REFRESH,
        WorkPhase.DRY_RUN,
        WorkPhase.APPLY,
        WorkPhase.SCAN_AFTER,
        WorkPhase.RESTART,
        WorkPhase.FINISHED,
    ]
    assert all(p.target for p in seen)
    assert [p.steps_done for p in seen] == sorted(p.steps_done for p in seen)


def test_secrets_are_masked_in_commands_outputs_and_messages() -> None:
    recorded = load("apt-update-done")
    # a secret that does occur in the server's output (a version string) is masked there too
    secret = "2.5.0-1+deb12u5"
    result, _ = asyncio.run(replay_run(recorded, secrets_to_mask=[secret]))
    text = repr(dataclasses.asdict(result))
    assert secret not in repr([dataclasses.asdict(s) for s in result.steps])
    assert MASK in text


def test_each_step_output_is_capped() -> None:
    result, _ = asyncio.run(
        replay_run(load("apt-update-done"), options=RunOptions(lock_wait_s=300, max_log_bytes=100))
    )
    big = [s for s in result.steps if s.is_output_cut]
    assert big
    assert all(len(s.stdout) < 200 for s in big)
    assert "more bytes not kept" in big[0].stdout


def test_replay_connect_refuses_a_second_connection_by_default() -> None:
    connect = ReplayConnect([])
    with pytest.raises(Exception, match="cannot connect"):
        asyncio.run(_enter(connect))


async def _enter(connect: ReplayConnect) -> None:
    from patchdesk.engine.collect import LocalTarget

    async with connect(LocalTarget()):
        pass


def test_the_clock_is_the_only_time_source() -> None:
    clock = Clock(step_s=10)
    result, _ = asyncio.run(replay_run(load("apt-retry-already-fixed"), clock=clock))
    assert result.finished_at == clock.now
    assert result.duration_s > 0
