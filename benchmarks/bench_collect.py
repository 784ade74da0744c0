"""Inventory collection over SSH on the real testbed: time per host, scaling with 1, 3 and N
concurrent hosts, and the testbed's own costs (needs root; ``make bench``).

Environment: ``PDBENCH_HOSTS`` (default 20) hosts; ``PDBENCH_ROUNDS`` (default 3) rounds per
size, the median is reported.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from patchdesk.engine.collect import scan_hosts
from patchdesk.engine.transport import SshCredentials, SshTarget
from patchdesk_testing.testbed.testbed import Testbed, testbed_problem


def _now() -> datetime:
    return datetime.now(UTC)


def _round(targets: list[SshTarget], concurrency: int) -> tuple[float, list[float], int]:
    started = time.monotonic()
    results = asyncio.run(scan_hosts(targets, clock=_now, concurrency=concurrency))
    wall = time.monotonic() - started
    failures = sum(1 for r in results if r.error is not None)
    return wall, [r.duration_s for r in results], failures


def main() -> None:
    if problem := testbed_problem():
        print(f"bench_collect: the testbed cannot run: {problem}")
        return
    count = int(os.environ.get("PDBENCH_HOSTS", "20"))
    rounds = int(os.environ.get("PDBENCH_ROUNDS", "3"))
    bed = Testbed()
    started = time.monotonic()
    with bed.running(count) as hosts:
        print(f"testbed up with {count} hosts in {time.monotonic() - started:.1f} s: {bed.timings}")
        ups = [h.timings["up_s"] for h in hosts]
        print(f"host up: median {statistics.median(ups):.2f} s, max {max(ups):.2f} s")
        assert bed.account is not None
        key = bed.account.key.read_text()
        targets = [
            SshTarget(host=h.ip, credentials=SshCredentials(username="root", private_keys=(key,)))
            for h in hosts
        ]
        packages = len(asyncio.run(scan_hosts(targets[:1], clock=_now))[0].packages)
        print(f"{packages} packages per host (apt lists updated, all checks on)")
        print("| hosts | concurrency | wall (median) | per host (median) | hosts/s | failures |")
        print("|---|---|---|---|---|---|")
        sizes = sorted({1, 3, count})
        plans = [(n, n) for n in sizes] + [(count, 4)]
        for n, concurrency in plans:
            walls, per_host, failures = [], [], 0
            for _ in range(rounds):
                wall, durations, failed = _round(targets[:n], concurrency)
                walls.append(wall)
                per_host.extend(durations)
                failures += failed
            wall = statistics.median(walls)
            print(
                f"| {n} | {concurrency} | {wall:.2f} s | {statistics.median(per_host):.2f} s "
                f"| {n / wall:.1f} | {failures} |"
            )
        downs_started = time.monotonic()
    print(f"teardown: {time.monotonic() - downs_started:.1f} s ({bed.timings.get('down_s')} s)")


if __name__ == "__main__":
    main()
