"""Enrichment parsing speed and memory (``python -m benchmarks bench_enrichment``): issue 5.

Real data from the shared data directory: the 44,130 CVE JSON 5 records of CISA Vulnrichment
(JSON Lines, xz), the bundled CWE 4.14 catalogue (cwe2's XML), the KEV catalogue, the EPSS
table, the OS end-of-life tables and the Red Hat CSAF samples. For each: the best wall time of
a few rounds, then one more round under :mod:`tracemalloc` for the peak of Python allocations
during the parse and the memory the result keeps. The baseline measured in the same run is
the irreducible part of the CVE import: decompressing the xz stream and ``json.loads`` of
every line (nothing kept).
"""

from __future__ import annotations

import gc
import json
import os
import platform
import resource
import time
import tracemalloc
from collections.abc import Callable

from patchdesk.engine.feeds import csaf_vulnerability, cve5, cwe, eol, epss, kev
from patchdesk.engine.feeds._enrichment_io import iter_text_lines, open_decompressed
from patchdesk_testing.paths import shared_data

__all__ = ["main"]

SHARED_DATA = shared_data()
CVE5_ALL = SHARED_DATA / "cisa-vulnrichment" / "cve5_records_all.jsonl.xz"
ROUNDS = 3
MIB = 1024 * 1024


def _json_baseline() -> list[int]:
    count = 0
    with open_decompressed(CVE5_ALL) as stream:
        for _, line in iter_text_lines(stream):
            json.loads(line)
            count += 1
    return [count]


def _cve5() -> list[object]:
    result = cve5.read_cve5(CVE5_ALL)
    assert not result.rejected
    return list(result.records)


def _cwe() -> list[object]:
    return list(cwe.load_cwe_catalog().entries.values())


def _small_sources() -> list[object]:
    records: list[object] = []
    records += kev.read_kev(
        SHARED_DATA / "cisa-kev" / "known_exploited_vulnerabilities.json"
    ).records
    records += epss.read_epss(SHARED_DATA / "epss" / "epss_kev_nvd_2026-08-22.csv").records
    records += eol.read_end_of_life(SHARED_DATA / "endoflife").records
    samples = SHARED_DATA / "redhat-csaf-samples"
    records += csaf_vulnerability.read_csaf_vulnerabilities(samples).records
    return records


def _measure(name: str, run: Callable[[], list[object]], rounds: int = ROUNDS) -> str:
    times = []
    items = 0
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        items = len(run())
        times.append(time.perf_counter() - start)
    gc.collect()
    tracemalloc.start()
    kept = run()
    _, peak = tracemalloc.get_traced_memory()
    gc.collect()
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kept
    if name.startswith("baseline"):
        items = int(run()[0])  # type: ignore[call-overload]
    return (
        f"| {name} | {items:,} | {min(times):.2f} s | {peak / MIB:.0f} MiB | "
        f"{current / MIB:.0f} MiB |"
    )


def main() -> None:
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores")
    print(f"data: {SHARED_DATA}, best of {ROUNDS} rounds (CWE: 5)")
    print("| what | items | best time | peak allocated | kept by the result |")
    print("|---|---|---|---|---|")
    print(_measure("baseline: xz + json.loads of the CVE lines", _json_baseline))
    print(_measure("read_cve5: all CVE JSON 5 records", _cve5))
    print(_measure("load_cwe_catalog: CWE 4.14 (cwe2 XML)", _cwe, rounds=5))
    print(_measure("KEV + EPSS + EOL + 13 CSAF documents", _small_sources))
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process maximum resident set size: {rss_mib:.0f} MiB")


if __name__ == "__main__":
    main()
