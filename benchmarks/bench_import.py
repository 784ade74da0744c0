"""Advisory store import: the complete AlmaLinux 8/9/10 OSV database and the 44,130 CVE JSON 5
records (CISA Vulnrichment) into a fresh SQLite database and a fresh PostgreSQL database.

Each database is measured in its own child process (``--child``), through the desk's import
services exactly as ``patchdesk feeds import`` runs them: parse, import (one transaction per
source), then classify every CVE. Reports time per step and the child's peak RSS; then imports
the same data again (everything unchanged) to show the incremental path.
Run: ``python -m benchmarks bench_import`` (PostgreSQL as for the tests: ``PDTEST_POSTGRES_URL``
or the login scripts/services-up saved).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from patchdesk_testing.paths import postgres_test_url, shared_data

DATA = shared_data()
ALMA = [DATA / "almalinux-osv" / f"almalinux{n}.osv.jsonl.xz" for n in (8, 9, 10)]
CVE5 = DATA / "cisa-vulnrichment" / "cve5_records_all.jsonl.xz"
POSTGRES = postgres_test_url()
KEY = "YmVuY2htYXJrLW9ubHktZW5jcnlwdGlvbi1rZXktISE="


def _child() -> None:
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "patchdesk.desk.settings"
    django.setup()
    from django.core.management import call_command

    from patchdesk.desk.advisories.services import (
        advisories_import,
        feed_source_get_or_create,
        vulnerabilities_import,
    )
    from patchdesk.desk.findings.classification import classifications_refresh
    from patchdesk.engine.feeds.cve5 import read_cve5
    from patchdesk.engine.feeds.osv_files import read_osv_export
    from patchdesk.engine.feeds.result import ParseResult

    call_command("migrate", interactive=False, verbosity=0)
    for attempt in ("first import", "same data again"):
        steps: list[tuple[str, float]] = []
        started = time.perf_counter()
        parsed: ParseResult = ParseResult()  # type: ignore[type-arg]
        for path in ALMA:
            parsed.extend(read_osv_export(path, source="osv"))
        steps.append(("parse AlmaLinux OSV (5,680 records)", time.perf_counter() - started))
        mark = time.perf_counter()
        run = advisories_import(feed_source_get_or_create("alma", kind="osv"), parsed)
        steps.append((f"import advisories (+{run.added} ~{run.changed} ={run.unchanged})",
                       time.perf_counter() - mark))  # fmt: skip
        mark = time.perf_counter()
        cves = read_cve5(CVE5)
        parsed_cves = f"parse CVE JSON 5 ({len(cves.records)} records)"
        steps.append((parsed_cves, time.perf_counter() - mark))
        mark = time.perf_counter()
        run = vulnerabilities_import(feed_source_get_or_create("cve5", kind="cve5"), cves)
        steps.append((f"import CVE facts (+{run.added} ~{run.changed} ={run.unchanged})",
                       time.perf_counter() - mark))  # fmt: skip
        mark = time.perf_counter()
        changed = classifications_refresh()
        steps.append((f"classify ({changed} verdicts changed)", time.perf_counter() - mark))
        total = time.perf_counter() - started
        print(f"  {attempt}: {total:.1f} s")
        for label, seconds in steps:
            print(f"    {label:<52} {seconds:6.1f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS: {peak:.0f} MiB")


def _run(label: str, database_url: str | None, data_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PATCHDESK_")}
    env.update(
        PATCHDESK_DATA_DIR=str(data_dir),
        PATCHDESK_SECRET_KEY="benchmark-only-secret-key-0123456789abcdef",
        PATCHDESK_ENCRYPTION_KEYS=KEY,
        PATCHDESK_LOG_LEVEL="WARNING",
    )
    if database_url:
        env["PATCHDESK_DATABASE_URL"] = database_url
    data_dir.mkdir(parents=True, exist_ok=True)
    print(f"== {label}")
    subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_import", "--child"], env=env, check=True
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="pd-bench-import-") as scratch:
        _run("SQLite (embedded default)", None, Path(scratch) / "sqlite")
        import psycopg

        name = f"pdbench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(POSTGRES, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        try:
            url = postgres_test_url(name)
            _run("PostgreSQL", url, Path(scratch) / "pg")
        finally:
            with psycopg.connect(POSTGRES, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    if "--child" in sys.argv:
        _child()
    else:
        main()
