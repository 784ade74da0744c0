"""Advisory parsing speed and memory on real data (``python -m benchmarks bench_feeds``).

Parses the complete AlmaLinux 8/9/10 OSV export (5,680 advisories, 71,329 affected entries) and,
for scale, the Red Hat CSAF samples, the Debian 12 changelog extract and Debian 12's main
``Packages`` index (63,440 stanzas, rebuilt from the TSV extract: the air-gapped mode's biggest
input). Time is the best of
three runs without tracing; peak memory is measured in a separate run under ``tracemalloc``
(Python allocations while parsing, records kept) and the process's maximum resident size.
"""

from __future__ import annotations

import gc
import gzip
import json
import lzma
import os
import platform
import resource
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime

from patchdesk.engine.feeds.csaf import parse_csaf_advisories
from patchdesk.engine.feeds.debian_changelog import parse_debian_changelog
from patchdesk.engine.feeds.debian_packages import parse_packages_index
from patchdesk.engine.feeds.osv_files import read_osv_export
from patchdesk_testing.paths import shared_data

_TRAILER_DATE = "Mon, 1 Jan 2024 00:00:00 +0000"
DATA = shared_data()


def _alma_baseline() -> int:
    """What no parser avoids: xz decompression and ``json.loads`` of every line."""
    total = 0
    for release in (8, 9, 10):
        path = DATA / "almalinux-osv" / f"almalinux{release}.osv.jsonl.xz"
        with lzma.open(path, "rb") as lines:
            total += sum(1 for line in lines if json.loads(line))
    return total


def _alma() -> list[object]:
    records: list[object] = []
    for release in (8, 9, 10):
        path = DATA / "almalinux-osv" / f"almalinux{release}.osv.jsonl.xz"
        result = read_osv_export(path, source="osv:almalinux")
        assert not result.rejected, result.rejected[:3]
        records += result.records
    return records


def _csaf() -> list[object]:
    records: list[object] = []
    for path in sorted((DATA / "redhat-csaf-samples").glob("*.json.gz")):
        records += parse_csaf_advisories(path.read_bytes(), location=path.name).records
    return records


def _changelogs() -> list[object]:
    path = DATA / "debian12-changelog-cves" / "changelog_entries_with_cves.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        entries = [json.loads(line) for line in lines]
    text = "\n".join(
        f"{e['source']} ({e['version']}) {e['distributions']}; urgency={e['urgency']}\n\n"
        f"{e['changes']}\n\n -- {e['maintainer']} <m@example.invalid>  {_TRAILER_DATE}\n"
        for e in entries
    )
    return list(parse_debian_changelog(text).records)


def _bookworm_packages_text() -> str:
    """Debian 12's real main/amd64 package list (TSV extract) written back as a Packages file."""
    path = DATA / "debian-archive" / "bookworm_main_amd64_packages.tsv.gz"
    stanzas = []
    with gzip.open(path, "rt", encoding="utf-8") as rows:
        for row in rows:
            package, version, arch, source, source_version, section, _ = row.rstrip("\n").split(
                "\t"
            )
            if package == "package":
                continue
            source_field = source if source_version == version else f"{source} ({source_version})"
            stanzas.append(
                f"Package: {package}\nSource: {source_field}\nVersion: {version}\n"
                f"Architecture: {arch}\nSection: {section}\nFilename: pool/main/{package}.deb\n"
                f"Size: 1\nSHA256: {'ab' * 32}\n"
            )
    return "\n".join(stanzas)


def _time(work: Callable[[], object], runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def _memory_mib(work: Callable[[], object]) -> tuple[float, float, object]:
    """(peak allocated while working, still allocated by the result, result)."""
    gc.collect()
    tracemalloc.start()
    result = work()
    kept, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20, kept / 2**20, result


def _count(result: object) -> int:
    return result if isinstance(result, int) else len(result)  # type: ignore[arg-type]


def main() -> None:
    print(
        f"date {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}"
    )
    packages_text = _bookworm_packages_text()

    def packages() -> list[object]:
        return list(parse_packages_index(packages_text).records)

    for name, work in (
        ("baseline: xz + json.loads of the AlmaLinux lines", _alma_baseline),
        ("read_osv_export: AlmaLinux OSV 8+9+10", _alma),
        ("parse_csaf_advisories: 13 Red Hat CSAF documents", _csaf),
        ("parse_debian_changelog: 667 real Debian 12 entries", _changelogs),
        ("parse_packages_index: Debian 12 main/amd64 Packages", packages),
    ):
        seconds = _time(work)
        peak, kept, result = _memory_mib(work)
        print(
            f"{name}: {_count(result)} records, {seconds:.2f} s (best of 3), "
            f"peak {peak:.0f} MiB, kept {kept:.0f} MiB"
        )
        del result
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS {max_rss:.0f} MiB")


if __name__ == "__main__":
    main()
