"""Fleet matching: 10,000 synthetic servers built from real package lists, matched against the
full advisory store (the complete AlmaLinux OSV database and the Debian 12 changelog data).

- Debian 12 hosts: the 729 packages of a real Debian 12 inventory (shared data
  ``sample-inventory``), each source package at a version drawn from bookworm, bookworm-security
  and the bookworm uploads named in real changelogs (older ones are vulnerable).
- AlmaLinux 9 hosts: 700 binary package names from the AlmaLinux 9 OSV data, each at a version
  drawn from the fixed versions the advisories give for it (older ones are vulnerable).

Measured in one run: the engine's matcher (each distinct package version compared once) and a
naive per-server loop (every package of every server compared), time and peak memory
(tracemalloc); and one new advisory → the affected servers through the fleet index.
Run: ``python -m benchmarks bench_match`` (``BENCH_SERVERS`` to change the fleet size).
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import random
import resource
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from patchdesk.engine import versions
from patchdesk.engine.feeds.native import read_native_advisories
from patchdesk.engine.feeds.osv_files import read_osv_export
from patchdesk.engine.match import AdvisoryIndex, FleetIndex, Matcher
from patchdesk.engine.model import (
    Advisory,
    AffectedPackage,
    FixStatus,
    OsFamily,
    PackageFormat,
    PackageNameKind,
    Platform,
)
from patchdesk.engine.model.inventory import (
    HostInventory,
    InstalledPackage,
    OriginClass,
    PackageOrigin,
)
from patchdesk_testing.paths import shared_data

DATA = shared_data()
STARTER = Path(__file__).resolve().parents[1] / "src" / "patchdesk" / "data" / "starter"
NOW = datetime(2026, 11, 25, tzinfo=UTC)
DEBIAN = Platform(
    distro="debian", release="12", family=OsFamily.DEBIAN, package_format=PackageFormat.DPKG,
    arch="amd64",
)  # fmt: skip
ALMA = Platform(
    distro="almalinux", release="9", family=OsFamily.REDHAT, package_format=PackageFormat.RPM,
    arch="x86_64",
)  # fmt: skip
VENDOR = PackageOrigin(kind=OriginClass.OS_VENDOR)
T = TypeVar("T")


def _tsv(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def advisory_store() -> list[Advisory]:
    alma = read_osv_export(DATA / "almalinux-osv" / "almalinux8.osv.jsonl.xz", source="osv")
    for release in ("9", "10"):
        alma.extend(
            read_osv_export(
                DATA / "almalinux-osv" / f"almalinux{release}.osv.jsonl.xz", source="osv"
            )
        )
    debian = read_native_advisories(STARTER / "debian12-changelog.advisories.jsonl.xz")
    return [*alma.records, *debian.records]


def debian_packages(rng: random.Random, count: int) -> list[tuple[InstalledPackage, ...]]:
    """``count`` Debian 12 hosts sharing package objects (as real inventories do)."""
    sample = _tsv(DATA / "sample-inventory" / "debian12_python_image_dpkg.tsv")
    candidates: dict[str, set[str]] = defaultdict(set)
    for name in ("bookworm", "bookworm-security"):
        for row in _tsv(DATA / "debian-archive" / f"{name}_main_amd64_packages.tsv.gz"):
            candidates[row["source"]].add(row["source_version"])
    with gzip.open(DATA / "debian12-changelog-cves" / "changelog_entries_with_cves.jsonl.gz",
                   "rt", encoding="utf-8") as handle:  # fmt: skip
        for line in handle:
            entry = json.loads(line)
            if "deb12" in entry["version"] or "bookworm" in entry["distributions"]:
                candidates[entry["source"]].add(entry["version"])
    pool: dict[tuple[str, str], InstalledPackage] = {}
    hosts = []
    for _ in range(count):
        chosen: dict[str, str] = {}
        packages = []
        for row in sample:
            source = row["source"]
            if source not in chosen:
                # most servers are up to date; some lag behind by a few updates
                options = sorted(candidates.get(source, set()) | {row["source_version"]})
                current = row["source_version"]
                chosen[source] = current if rng.random() < 0.7 else rng.choice(options)
            version = chosen[source] if row["version"] == row["source_version"] else row["version"]
            key = (row["package"], version)
            package = pool.get(key)
            if package is None:
                package = InstalledPackage(
                    name=row["package"], version=version, arch=row["architecture"],
                    source_name=source, source_version=chosen[source], origin=VENDOR,
                )  # fmt: skip
                pool[key] = package
            packages.append(package)
        hosts.append(tuple(packages))
    return hosts


def alma_packages(
    rng: random.Random, count: int, advisories: Iterable[Advisory]
) -> list[tuple[InstalledPackage, ...]]:
    fixed: dict[str, set[str]] = defaultdict(set)
    for advisory in advisories:
        for affected in advisory.affected:
            if affected.platform_key == "almalinux:9" and affected.fixed_version:
                fixed[affected.package].add(affected.fixed_version)
    names = sorted(fixed)
    rng.shuffle(names)
    names = sorted(names[:700])
    known = {n: sorted(fixed[n], key=lambda v: versions.sort_key("rpm", v)) for n in names}
    pool: dict[tuple[str, str], InstalledPackage] = {}
    hosts = []
    for _ in range(count):
        packages = []
        for name in names:
            options = known[name]
            version = options[-1] if rng.random() < 0.7 else rng.choice(options)
            package = pool.get((name, version))
            if package is None:
                package = InstalledPackage(
                    name=name, version=version, arch="x86_64", source_name=name,
                    source_version=version, origin=VENDOR,
                )  # fmt: skip
                pool[(name, version)] = package
            packages.append(package)
        hosts.append(tuple(packages))
    return hosts


def naive_match(index: AdvisoryIndex, inventory: HostInventory) -> int:
    """The baseline: a server matched on its own (nothing shared with other servers)."""
    return len(Matcher(index).match_host(inventory).findings)


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(label: str, work: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    print(f"{label:<46} {elapsed:8.2f} s   peak RSS so far {_rss_mib():8.1f} MiB")
    return result, elapsed


def main() -> None:
    servers = int(os.environ.get("BENCH_SERVERS", "10000"))
    rng = random.Random(20261125)
    store = advisory_store()
    print(f"advisory store: {len(store)} advisories, "
          f"{sum(len(a.affected) for a in store)} affected entries")  # fmt: skip
    index, _ = _measure("build the advisory index", lambda: AdvisoryIndex.from_advisories(store))
    half = servers // 2
    started = time.perf_counter()
    fleet = [
        HostInventory(
            target=f"ssh://deb{n}",
            started_at=NOW,
            finished_at=NOW,
            platform=DEBIAN,
            packages=packages,
        )
        for n, packages in enumerate(debian_packages(rng, half))
    ] + [
        HostInventory(
            target=f"ssh://alma{n}",
            started_at=NOW,
            finished_at=NOW,
            platform=ALMA,
            packages=packages,
        )
        for n, packages in enumerate(alma_packages(rng, servers - half, store))
    ]
    total = sum(len(h.packages) for h in fleet)
    print(
        f"fleet: {len(fleet)} servers, {total} installed packages "
        f"({total / len(fleet):.0f} per server), built in {time.perf_counter() - started:.1f} s"
    )

    matcher = Matcher(index)
    results, engine_s = _measure(
        "engine matcher (each distinct package once)", lambda: matcher.match_hosts(fleet)
    )
    findings = sum(len(r.findings) for r in results)
    print(
        f"  {findings} findings on {sum(1 for r in results if r.findings)} servers; "
        f"{matcher.distinct_packages_compared} distinct packages compared"
    )
    sample = fleet[: max(1, len(fleet) // 20)]
    _naive, naive_s = _measure(
        f"naive per-server loop ({len(sample)} servers)",
        lambda: sum(naive_match(index, host) for host in sample),
    )
    projected = naive_s * len(fleet) / len(sample)
    print(
        f"  naive loop projected to {len(fleet)} servers: {projected:.1f} s "
        f"({projected / engine_s:.1f}x the engine)"
    )

    fleet_index, _ = _measure(
        "fleet index (who has which version)", lambda: FleetIndex.build(fleet)
    )
    advisory = Advisory(
        id="DSA-NEW-1", source="bench", summary="new openssl fix",
        affected=(AffectedPackage(
            platform_key="debian:12", package="openssl", name_kind=PackageNameKind.SOURCE,
            version_format=PackageFormat.DPKG, status=FixStatus.FIXED,
            fixed_version="3.0.99-1~deb12u1"),),
    )  # fmt: skip
    timings = []
    for _ in range(20):
        started = time.perf_counter()
        affected = fleet_index.affected_by(advisory)
        timings.append(time.perf_counter() - started)
    timings.sort()
    print(
        f"one new advisory -> {len(affected)} affected servers: median "
        f"{timings[len(timings) // 2] * 1000:.1f} ms, max {timings[-1] * 1000:.1f} ms"
    )
    print(f"peak RSS of the whole run: {_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
