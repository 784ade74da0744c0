"""``patchdesk scan`` with matching: collect, match against the local advisory store, report.

Exit status: 3 when a server has actionable findings (High or Medium, from in-scope origins),
else 4 when nothing at all could be evaluated (every scanned host's packages are "cannot
evaluate", e.g. an unsupported platform), else 1 when a host could not be scanned, else 0;
2 for usage and input errors.
"""

from __future__ import annotations

import click

from patchdesk.commands.desk import database_require_migrated, django_setup
from patchdesk.commands.scan import ScanArguments, collect

__all__ = ["EXIT_ACTIONABLE", "EXIT_NOTHING_EVALUATED", "scan_and_match"]

EXIT_ACTIONABLE = 3
EXIT_NOTHING_EVALUATED = 4


def scan_and_match(args: ScanArguments) -> int:
    collected = collect(args)
    if collected is None:
        return 2
    hosts, results = collected
    django_setup()
    database_require_migrated()
    from patchdesk.desk.findings.scan_report import scan_report_build
    from patchdesk.engine.report.scan import render_csv, render_json, render_table

    reports = scan_report_build(hosts)
    render = {"json": render_json, "csv": render_csv, "table": render_table}[args.output_format]
    text = render(reports)
    if args.output is None:
        click.echo(text, nl=False)
    else:
        args.output.write_text(text, encoding="utf-8")
    if any(report.has_actionable for report in reports):
        return EXIT_ACTIONABLE
    scanned = [report for report in reports if not report.error]
    if scanned and all(report.is_unevaluated for report in scanned):
        click.echo(
            "patchdesk scan: nothing could be evaluated (see cannot_evaluate in the report)",
            err=True,
        )
        return EXIT_NOTHING_EVALUATED
    return 1 if any(host.error is not None for host in results) else 0
