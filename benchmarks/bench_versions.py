"""Version comparison speed (``python -m benchmarks bench_versions``): issue 3's figures.

On the same pairs of real versions, in one run: pairs/s of ``compare``, versions/s of
``sort_key``, pairs/s of comparing precomputed keys, and beside them the C comparators
``apt_pkg.version_compare`` (python3-apt) and ``rpm.labelCompare`` (python3-rpm), measured in
a helper process under the system interpreter (they do not import in the venv) with the same
loop. Each figure is the best of several rounds. Real data: Debian 12 package indexes and the
AlmaLinux OSV fixed versions from the shared data directory.
"""

from __future__ import annotations

import csv
import gzip
import json
import lzma
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from patchdesk.engine import versions
from patchdesk_testing.paths import shared_data

__all__ = ["main"]

SHARED_DATA = shared_data()
SYSTEM_PYTHON = "/usr/bin/python3"
PAIRS = 100_000
ROUNDS = 5

# Runs under /usr/bin/python3: reads {"dpkg": pairs, "rpm": pairs, "rounds": n} on stdin.
C_BASELINE = r"""
import json, sys, time
data = json.load(sys.stdin)
out = {}
def best(fn, n, rounds):
    times = []
    for _ in range(rounds):
        start = time.perf_counter(); fn(); times.append(time.perf_counter() - start)
    return n / min(times)
try:
    import apt_pkg
    apt_pkg.init_system()
    vc = apt_pkg.version_compare
    pairs = data["dpkg"]
    run = lambda: [vc(a, b) for a, b in pairs]
    out["apt_pkg.version_compare"] = best(run, len(pairs), data["rounds"])
except Exception as exc:
    out["apt_pkg.version_compare"] = repr(exc)
try:
    import rpm
    def evr(text):
        v = rpm.ver(text)
        return (v.e or "0", v.v, v.r)
    tuples = [(evr(a), evr(b)) for a, b in data["rpm"]]
    lc = rpm.labelCompare
    run = lambda: [lc(x, y) for x, y in tuples]
    out["rpm.labelCompare"] = best(run, len(tuples), data["rounds"])
except Exception as exc:
    out["rpm.labelCompare"] = repr(exc)
json.dump(out, sys.stdout)
"""


def _debian_versions() -> list[str]:
    found: set[str] = set()
    for path in sorted((SHARED_DATA / "debian-archive").glob("*.tsv.gz")):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                found.update(v for v in (row["version"], row["source_version"]) if v)
    return sorted(found)


def _almalinux_evrs() -> list[str]:
    found: set[str] = set()
    for path in sorted((SHARED_DATA / "almalinux-osv").glob("*.osv.jsonl.xz")):
        with lzma.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                for affected in json.loads(line).get("affected", []):
                    for rng in affected.get("ranges", []):
                        found.update(e["fixed"] for e in rng.get("events", []) if "fixed" in e)
    return sorted(found)


def _apk_versions(debian: list[str]) -> list[str]:
    """Alpine-shaped versions: Debian upstream versions apk accepts, with an ``-rN`` release."""
    rng = random.Random(3)
    found = []
    for text in debian:
        candidate = text.split(":")[-1].split("-")[0].split("+")[0].split("~")[0].lower()
        candidate += f"-r{rng.randint(0, 12)}"
        try:
            versions.sort_key("apk", candidate)
        except versions.InvalidVersion:
            continue
        found.append(candidate)
    return sorted(set(found))


def _pairs(values: list[str], seed: int) -> list[tuple[str, str]]:
    """60% neighbours in text order (same package, the hard cases), 40% random pairs."""
    rng = random.Random(seed)
    pairs = []
    for index in range(PAIRS):
        if index % 5 < 3:
            at = rng.randrange(len(values) - 1)
            pairs.append((values[at], values[at + 1]))
        else:
            pairs.append((rng.choice(values), rng.choice(values)))
    return pairs


def _best(work: Callable[[], object], count: int) -> float:
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return count / min(times)


def _ours(kind: str, pairs: list[tuple[str, str]]) -> dict[str, float]:
    compare, sort_key = versions.compare, versions.sort_key
    texts = [text for pair in pairs for text in pair]
    keys = [(sort_key(kind, a), sort_key(kind, b)) for a, b in pairs]
    return {
        "compare (pairs/s)": _best(lambda: [compare(kind, a, b) for a, b in pairs], len(pairs)),
        "sort_key (versions/s)": _best(lambda: [sort_key(kind, t) for t in texts], len(texts)),
        "key comparison (pairs/s)": _best(lambda: [(x > y) - (x < y) for x, y in keys], len(keys)),
    }


def _c_baselines(dpkg_pairs: list[tuple[str, str]], rpm_pairs: list[tuple[str, str]]) -> dict:
    payload = json.dumps({"dpkg": dpkg_pairs, "rpm": rpm_pairs, "rounds": ROUNDS})
    with tempfile.TemporaryDirectory() as directory:
        script = Path(directory) / "c_baseline.py"
        script.write_text(C_BASELINE, encoding="utf-8")
        done = subprocess.run(
            [SYSTEM_PYTHON, str(script)], input=payload, capture_output=True, text=True, check=False
        )
    if done.returncode != 0:
        return {"error": done.stderr.strip()}
    result: dict = json.loads(done.stdout)
    return result


def main() -> None:
    debian, evrs = _debian_versions(), _almalinux_evrs()
    apk = _apk_versions(debian)
    dpkg_pairs, rpm_pairs, apk_pairs = _pairs(debian, 1), _pairs(evrs, 2), _pairs(apk, 3)
    print(
        f"{time.strftime('%Y-%m-%d')}  {platform.node()}  {os.cpu_count()} cores  "
        f"Python {platform.python_version()} ({sys.executable})"
    )
    print(
        f"data: {len(debian)} Debian versions, {len(evrs)} AlmaLinux EVRs, {len(apk)} apk-shaped;"
        f" {PAIRS} pairs per kind; best of {ROUNDS} rounds"
    )
    rows = []
    for kind, pairs in (("dpkg", dpkg_pairs), ("rpm", rpm_pairs), ("apk", apk_pairs)):
        rows += [(kind, what, value) for what, value in _ours(kind, pairs).items()]
    baselines = _c_baselines(dpkg_pairs, rpm_pairs)
    for name, value in baselines.items():
        kind = "dpkg" if name.startswith("apt") else "rpm"
        rows.append((kind, f"C: {name} (pairs/s)", value))
    print(f"{'kind':<6} {'measure':<42} {'figure':>14}")
    for kind, what, value in rows:
        figure = f"{value:>14,.0f}" if isinstance(value, float) else f"  {value}"
        print(f"{kind:<6} {what:<42} {figure}")


if __name__ == "__main__":
    main()
