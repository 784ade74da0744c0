"""Update work over SSH on the real testbed: time per host and for 1, 3 and N hosts at once
(needs root; ``make bench``).

Two workloads, each on fresh hosts (the work changes them): one package (the smallest pending
security update) and every pending security update of the host (apt's own list, computed on
the host). Each host runs the whole work: scan, pre-checks, ``apt-get update``, dry run,
apply, rescan, verification. Environment: ``PDBENCH_HOSTS`` (default 8) for N.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from patchdesk.engine.collect import scan_hosts
from patchdesk.engine.remediate import (
    RequestedItem,
    WorkJob,
    WorkPlan,
    WorkResult,
    WorkStatus,
    build_work_plan,
    run_works,
)
from patchdesk.engine.transport import Elevation, SshCredentials, SshTarget, parse_host_key
from patchdesk_testing.testbed.hosts import TestbedHost
from patchdesk_testing.testbed.oracles import pending_security
from patchdesk_testing.testbed.testbed import Testbed, testbed_problem


def _now() -> datetime:
    return datetime.now(UTC)


def _jobs(hosts: list[TestbedHost], key: str, *, every: bool) -> list[WorkJob]:
    targets = [
        SshTarget(
            host=h.ip,
            credentials=SshCredentials(
                username="deploy", private_keys=(key,), elevation=Elevation.SUDO
            ),
            host_key=parse_host_key(h.host_key_line()),
        )
        for h in hosts
    ]
    inventories = asyncio.run(scan_hosts(targets, clock=_now))
    jobs = []
    for host, target, inventory in zip(hosts, targets, inventories, strict=True):
        pending = pending_security(host)
        chosen = (
            sorted(pending) if every else ["libexpat1" if "libexpat1" in pending else min(pending)]
        )
        requests = [RequestedItem(package=name, min_version=pending[name]) for name in chosen]
        plan = build_work_plan(requests, inventory)
        assert isinstance(plan, WorkPlan), plan
        jobs.append(WorkJob(plan=plan, target=target, window_ends_at=_now() + timedelta(hours=1)))
    return jobs


def _phases(results: list[WorkResult]) -> str:
    per_phase: dict[str, list[float]] = defaultdict(list)
    for result in results:
        totals: dict[str, float] = defaultdict(float)
        for step in result.steps:
            totals[str(step.phase)] += step.duration_s
        for phase, seconds in totals.items():
            per_phase[phase].append(seconds)
    return ", ".join(f"{p} {statistics.median(s):.2f}" for p, s in per_phase.items())


def main() -> None:
    if problem := testbed_problem():
        print(f"bench_remediate: the testbed cannot run: {problem}")
        return
    count = int(os.environ.get("PDBENCH_HOSTS", "8"))
    sizes = sorted({1, 3, count})
    bed = Testbed()
    started = time.monotonic()
    with bed.running(2 * sum(sizes) + 2) as hosts:
        print(f"testbed up with {len(hosts)} hosts in {time.monotonic() - started:.1f} s")
        assert bed.account is not None
        key = bed.account.key.read_text()
        print("| workload | hosts at once | packages per host | wall | per host (median, max) "
              "| failures |")  # fmt: skip
        print("|---|---|---|---|---|---|")
        baseline_hosts, free = hosts[:2], list(hosts[2:])
        breakdown = []
        for every in (False, True):
            for size in sizes:
                group, free = free[:size], free[size:]
                jobs = _jobs(group, key, every=every)
                t0 = time.monotonic()
                results = asyncio.run(run_works(jobs, clock=_now, concurrency=size))
                wall = time.monotonic() - t0
                durations = [r.duration_s for r in results]
                failures = sum(r.status is not WorkStatus.DONE for r in results)
                packages = statistics.median(len(r.changes) for r in results)
                name = "every pending security update" if every else "one package"
                print(
                    f"| {name} | {size} | {packages:g} | {wall:.2f} s | "
                    f"{statistics.median(durations):.2f} s, {max(durations):.2f} s | {failures} |"
                )
                breakdown.append((name, size, _phases(results)))
        for every, host in zip((False, True), baseline_hosts, strict=True):
            pending = pending_security(host)
            names = (
                sorted(pending)
                if every
                else ["libexpat1" if "libexpat1" in pending else min(pending)]
            )
            t0 = time.monotonic()
            host.ssh(
                "apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get -y -q "
                f"install --only-upgrade {' '.join(names)} >/dev/null"
            )
            name = "every pending security update" if every else "one package"
            print(
                f"| baseline: plain `ssh host apt-get update && apt-get install --only-upgrade`, "
                f"{name} | 1 | {len(names)} | {time.monotonic() - t0:.2f} s | - | - |"
            )
        print()
        for name, size, phases in breakdown:
            print(f"{name}, {size} at once, seconds per phase (median): {phases}")


if __name__ == "__main__":
    main()
