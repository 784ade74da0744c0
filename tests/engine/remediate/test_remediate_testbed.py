"""Real hosts: update work over SSH on the testbed (bookworm only, so real bookworm-security
updates are pending). Each test makes fresh hosts (the work changes them) and computes its
expectations from the hosts themselves, through the OpenSSH client."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from engine.remediate.testbed_support import (
    auto_marks,
    dpkg_state,
    finding_keys,
    findings,
    now,
    pending_security,
    plan,
    run,
    scan,
    target,
    web_server_packages,
)
from patchdesk.engine.collect.pool import ScanTarget
from patchdesk.engine.model.inventory import HostKey
from patchdesk.engine.model.work import (
    ItemOutcome,
    RequestedItem,
    RestartOutcome,
    RestartPolicy,
    WorkReason,
    WorkStatus,
)
from patchdesk.engine.remediate import RunOptions, WorkJob, run_works
from patchdesk.engine.transport import CommandResult, Elevation, Transport, open_ssh
from patchdesk_testing.testbed import network, remediation, scenarios
from patchdesk_testing.testbed.hosts import TestbedHost
from patchdesk_testing.testbed.oracles import independent_updates
from patchdesk_testing.testbed.testbed import Testbed

pytestmark = pytest.mark.testbed

HostFactory = Callable[..., TestbedHost]
PASSPHRASE = "tls-pass-for-the-test"


def _requested_sources(host: TestbedHost, found: list, count: int) -> list[str]:
    """``count`` source packages with findings whose binaries apt upgrades alone (apt's own
    dry run, through OpenSSH), smallest first: the requested work is exactly those."""
    by_source: dict[str, set[str]] = {}
    for finding in found:
        by_source.setdefault(finding.matched_name, set()).add(finding.package)
    return independent_updates(host, by_source, count)


def test_real_security_updates_on_two_hosts_concurrently_fix_exactly_what_was_requested(
    testbed: Testbed, testbed_host_factory: HostFactory
) -> None:
    h1, h2 = testbed_host_factory(apt_update=True), testbed_host_factory(apt_update=True)
    targets = [target(testbed, h1, "deploy"), target(testbed, h2, "alice")]
    inventories = scan(*targets)
    found = [findings(host, inv) for host, inv in zip((h1, h2), inventories, strict=True)]
    assert found[0], "a bookworm-only host always has pending bookworm-security updates"
    sources = _requested_sources(h1, found[0], 2)
    requested = [[f for f in host_found if f.matched_name in sources] for host_found in found]
    expected = [
        pending_security(host, *sorted({f.package for f in wanted}))
        for host, wanted in zip((h1, h2), requested, strict=True)
    ]
    before = [dpkg_state(h1), dpkg_state(h2)]
    marks = [auto_marks(h1), auto_marks(h2)]

    jobs = [
        WorkJob(
            plan=plan([RequestedItem.from_finding(f) for f in wanted], inventory),
            target=to,
            window_ends_at=now() + timedelta(hours=1),
        )
        for wanted, inventory, to in zip(requested, inventories, targets, strict=True)
    ]
    results = asyncio.run(run_works(jobs, clock=now, concurrency=2))

    for index, host in enumerate((h1, h2)):
        result, old, wanted = results[index], before[index], requested[index]
        assert result.status is WorkStatus.DONE, result.issues
        assert {i.outcome for i in result.items} == {ItemOutcome.FIXED}
        new = dpkg_state(host)
        changed = {key: (old.get(key), new.get(key)) for key in old.keys() | new.keys()}
        changed = {key: v for key, v in changed.items() if v[0] != v[1]}
        # nothing else changed: exactly apt's own candidates for the requested packages
        assert {name: after for (name, _), (_, after) in changed.items()} == expected[index]
        assert {(c.name, c.after) for c in result.changes} == set(expected[index].items())
        assert auto_marks(host) == marks[index]
        # the rescan shows exactly the requested findings fixed, every other one unchanged
        (rescanned,) = scan(target(testbed, host, "root"))
        remaining = finding_keys(findings(host, rescanned))
        assert remaining == finding_keys(found[index]) - finding_keys(wanted)
        assert remaining.isdisjoint(finding_keys(wanted))

    # a retry is idempotent: nothing to do, recorded as such, nothing changed
    retries = asyncio.run(run_works(jobs, clock=now, concurrency=2))
    for host, retry, old in zip((h1, h2), retries, before, strict=True):
        assert retry.status is WorkStatus.DONE
        assert {i.outcome for i in retry.items} == {ItemOutcome.ALREADY_FIXED}
        assert retry.changes == ()
        assert not any(s.as_root and "install --only-upgrade" in s.command for s in retry.steps)
        assert dpkg_state(host) != old  # (the first run's changes are still there)


def test_a_wrong_password_is_refused_and_nothing_is_run(testbed: Testbed) -> None:
    host = testbed.hosts[0]
    (inventory,) = scan(target(testbed, host, "root"))
    work = plan([RequestedItem(package="libssl3", min_version="99")], inventory)
    before = dpkg_state(host)
    result = run(work, target(testbed, host, "alice", password="not-the-password"))
    assert result.status is WorkStatus.REFUSED
    assert result.reason is WorkReason.AUTH_REJECTED
    assert result.steps == ()
    assert dpkg_state(host) == before
    assert "not-the-password" not in repr(result)


def test_a_locked_package_manager_is_waited_for_then_refused(
    testbed: Testbed, testbed_host_factory: HostFactory
) -> None:
    host = testbed_host_factory(apt_update=True)
    pending = pending_security(host)
    name = sorted(pending)[0]
    (inventory,) = scan(target(testbed, host, "deploy"))
    work = plan([RequestedItem(package=name, min_version=pending[name])], inventory)
    before = dpkg_state(host)
    holder = remediation.hold_package_manager_lock(host)
    try:
        result = run(work, target(testbed, host, "deploy"), options=RunOptions(lock_wait_s=2))
    finally:
        remediation.release_package_manager_lock(host, holder)
    assert result.status is WorkStatus.REFUSED
    assert result.reason is WorkReason.PACKAGE_MANAGER_LOCKED
    assert result.issues[0].params["holder"].startswith(f"{holder} ")
    assert dpkg_state(host) == before
    # the lock was the only obstacle
    again = run(work, target(testbed, host, "deploy"), options=RunOptions(lock_wait_s=2))
    assert again.status is WorkStatus.DONE, again.issues
    assert dpkg_state(host)[next(k for k in before if k[0] == name)] == pending[name]


def test_apache_with_an_encrypted_key_needs_the_passphrase_on_file(
    testbed: Testbed, testbed_host_factory: HostFactory
) -> None:
    host = testbed_host_factory(apt_update=True)
    scenarios.add_apache_encrypted_key(host, passphrase=PASSPHRASE.encode())
    remediation.start_apache_with_passphrase(host, PASSPHRASE.encode())
    used = web_server_packages(host, "apache2") & set(pending_security(host))
    assert used, "Apache uses libraries with pending security updates (libssl3 ...)"
    name = "libssl3" if "libssl3" in used else sorted(used)[0]
    candidate = pending_security(host, name)[name]
    to = target(testbed, host, "alice")
    (inventory,) = scan(to)
    request = [RequestedItem(package=name, min_version=candidate)]
    work = plan(request, inventory, restart_services=RestartPolicy.of(["apache2"]))
    before, master = dpkg_state(host), host.ssh("pgrep -o -x apache2").stdout

    refused = run(work, to)
    assert refused.status is WorkStatus.REFUSED
    assert refused.reason is WorkReason.TLS_PASSPHRASE_MISSING
    assert refused.issues[0].params["service"] == "apache2"
    assert dpkg_state(host) == before  # stopped before changing anything
    assert host.ssh("pgrep -o -x apache2").stdout == master

    # the customer registers the passphrase: the run applies and restarts Apache with it
    work = plan(
        request,
        inventory,
        restart_services=RestartPolicy.of(["apache2"]),
        passphrases_on_file=["apache2"],
    )
    done = run(work, to, passphrases={"apache2": PASSPHRASE})
    assert done.status is WorkStatus.DONE, done.issues
    assert [(r.service, r.outcome) for r in done.restarts] == [
        ("apache2", RestartOutcome.RESTARTED)
    ]
    assert host.ssh("pgrep -o -x apache2").stdout not in ("", master)
    deleted = host.ssh(
        "for p in $(pgrep -x apache2); do grep ' (deleted)$' /proc/$p/maps; done | grep -v /dev/"
        "; true"
    ).stdout
    assert deleted == ""  # Apache runs the new library
    leftovers = host.ssh(
        "ls /run/patchdesk-tls /etc/apache2/conf-enabled/zzz-patchdesk-passphrase.conf "
        "/tmp/patchdesk.* 2>/dev/null; true"
    ).stdout
    assert leftovers == ""
    assert PASSPHRASE not in repr(done)


def test_a_dry_run_that_would_remove_a_package_is_refused(
    testbed: Testbed, testbed_host_factory: HostFactory
) -> None:
    host = testbed_host_factory()
    with remediation.serve_deb_security_repository() as www:
        remediation.install_deb_security_scenario(host, www)
        to = target(testbed, host, "deploy")
        (inventory,) = scan(to)
        before = dpkg_state(host)
        work = plan(
            [RequestedItem(package="pdtest-libqux", min_version="1.0-1+deb12u1")], inventory
        )
        result = run(work, to)
        assert result.status is WorkStatus.REFUSED
        assert [i.code for i in result.issues] == [WorkReason.DRY_RUN_REMOVES_PACKAGES]
        assert result.issues[0].params["packages"] == "pdtest-legacy"
        assert dpkg_state(host) == before
        # a new package the update needs is refused too, unless the request lists it
        request = [RequestedItem(package="pdtest-libbaz", min_version="1.0-1+deb12u1")]
        refused = run(plan(request, inventory), to)
        assert refused.reason is WorkReason.DRY_RUN_UNEXPECTED_PACKAGES
        assert dpkg_state(host) == before
        allowed = run(plan(request, inventory, allowed_dependencies=["pdtest-newdep"]), to)
        assert allowed.status is WorkStatus.DONE
        after = dpkg_state(host)
        assert after[("pdtest-newdep", "all")] == "1.0-1"
        assert after[("pdtest-libbaz", "all")] == "1.0-1+deb12u1"


def test_dnf_on_the_simulated_rpm_host_by_advisory_and_a_replacement_refused(
    testbed: Testbed, testbed_host_factory: HostFactory
) -> None:
    host = testbed_host_factory(kind="rpm")
    with remediation.serve_rpm_security_repository() as www:
        remediation.install_rpm_security_scenario(host, www)
        to = target(testbed, host, "deploy")
        (inventory,) = scan(to)
        rpm = "rpm -qa --qf '%{NAME} %{VERSION}-%{RELEASE}\\n' | sort"
        before = host.ssh(rpm).stdout
        request = RequestedItem(
            package="pdtest-libfoo",
            min_version="1.0-2",
            advisory_id=remediation.RPM_ADVISORY,
            cve_ids=("CVE-2099-0001",),
        )
        done = run(plan([request], inventory), to)
        assert done.status is WorkStatus.DONE, done.issues
        assert any(f"--advisory={remediation.RPM_ADVISORY}" in s.command for s in done.steps)
        after = host.ssh(rpm).stdout
        assert set(after.splitlines()) - set(before.splitlines()) == {"pdtest-libfoo 1.0-2"}
        replaced = run(
            plan([RequestedItem(package="pdtest-libzap", min_version="1.0-2")], inventory), to
        )
        assert replaced.status is WorkStatus.REFUSED
        assert replaced.reason is WorkReason.DRY_RUN_REMOVES_PACKAGES
        assert host.ssh(rpm).stdout == after


class _CrashDuringApply:
    """Wraps the real SSH transport; when the update starts, waits until dpkg runs on the
    host, then kills the host (sshd is PID 1 of its namespaces: everything in it dies, as in
    a crash) and starts it again, so the engine's reconnection finds it."""

    def __init__(self, inner: Transport, host: TestbedHost) -> None:
        self._inner, self._host = inner, host
        self.crashed = False

    @property
    def target(self) -> str:
        return self._inner.target

    @property
    def host_key(self) -> HostKey | None:
        return self._inner.host_key

    @property
    def elevation(self) -> Elevation:
        return self._inner.elevation

    def _crash_when_dpkg_runs(self) -> None:
        for _ in range(600):
            for pid in network.namespace_pids(self._host.namespace):
                with contextlib.suppress(OSError):
                    if Path(f"/proc/{pid}/comm").read_text().strip() == "dpkg":
                        self.crashed = True
                        self._host.stop()
                        return
            time.sleep(0.01)

    async def run(self, command: str, **kwargs: Any) -> CommandResult:
        if not (kwargs.get("as_root") and "--no-remove install --only-upgrade" in command):
            return await self._inner.run(command, **kwargs)
        crash = asyncio.get_running_loop().run_in_executor(None, self._crash_when_dpkg_runs)
        try:
            return await self._inner.run(command, **kwargs)
        finally:
            await crash
            if self.crashed:  # the same server again: same host keys (they are pinned)
                self._host._generate_host_keys = lambda: None  # type: ignore[method-assign]
                self._host.start()


def test_a_server_lost_during_the_update_is_never_reported_done(
    testbed: Testbed, testbed_host_factory: HostFactory
) -> None:
    host = testbed_host_factory(apt_update=True)
    pending = pending_security(host)
    to = target(testbed, host, "root")
    (inventory,) = scan(to)
    work = plan([RequestedItem(package=n, min_version=v) for n, v in pending.items()], inventory)
    crashing: list[_CrashDuringApply] = []

    @asynccontextmanager
    async def connect(target_: ScanTarget) -> AsyncIterator[Transport]:
        async with open_ssh(target_) as transport:  # type: ignore[arg-type]
            wrapper = _CrashDuringApply(transport, host)
            crashing.append(wrapper)
            yield wrapper

    result = run(work, to, connect=connect)
    assert crashing[0].crashed
    assert result.status is WorkStatus.FAILED
    assert result.reason is WorkReason.CONNECTION_LOST
    assert result.apply_started
    assert len(crashing) == 2  # one reconnection, to record the state
    assert any(s.purpose == "reconnect and rescan after the failure" for s in result.steps)
    # the retry either finds the interrupted dpkg (reported, not repaired) or finishes the work
    retry = run(work, to)
    if retry.status is WorkStatus.REFUSED:
        assert retry.reason is WorkReason.PACKAGE_MANAGER_BROKEN
        assert "dpkg --configure -a" in retry.issues[0].message
    else:
        assert retry.status is WorkStatus.DONE, retry.issues
        assert {i.outcome for i in retry.items} <= {ItemOutcome.FIXED, ItemOutcome.ALREADY_FIXED}
