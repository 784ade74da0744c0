"""The result of ``patchdesk scan``: per server, the findings grouped by package and fix,
each with its level and the reasons; rendered as a table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from patchdesk.engine.model.classification import SecurityLevel
from patchdesk.engine.model.finding import HostMatch, PackageFinding
from patchdesk.engine.model.inventory import CollectionWarning, HostInventory

__all__ = [
    "ACTIONABLE_LEVELS",
    "HostReport",
    "ReportFinding",
    "Verdict",
    "build_scan_report",
    "render_csv",
    "render_json",
    "render_table",
]

ACTIONABLE_LEVELS = frozenset({SecurityLevel.HIGH, SecurityLevel.MEDIUM})
SCHEMA = "patchdesk.scan-report"
_LEVEL_ORDER = [
    SecurityLevel.HIGH,
    SecurityLevel.MEDIUM,
    SecurityLevel.NEEDS_REVIEW,
    SecurityLevel.OUT_OF_SCOPE,
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """A vulnerability's classification as the report shows it."""

    level: SecurityLevel
    category: str
    reasons: tuple[Mapping[str, str], ...] = ()


@dataclass(slots=True, kw_only=True)
class ReportFinding:
    package: str
    installed_version: str
    fixed_version: str | None
    advisory_ids: list[str]
    cve_ids: list[str]
    level: SecurityLevel
    category: str
    reasons: list[Mapping[str, str]]
    is_out_of_scope_origin: bool = False


@dataclass(slots=True, kw_only=True)
class HostReport:
    target: str
    platform: str
    error: str = ""
    findings: list[ReportFinding] = field(default_factory=list)
    cannot_evaluate: list[tuple[str, str, str]] = field(default_factory=list)
    warnings: list[CollectionWarning] = field(default_factory=list)
    package_count: int = 0
    support_ends_on: date | None = None  # the vendor's end of support for the platform
    is_out_of_service: bool = False  # past it: the service has ended for this server (R13)

    @property
    def is_unevaluated(self) -> bool:
        """Scanned, with packages, and not one of them could be evaluated (e.g. a platform
        without advisories in the store)."""
        return (
            not self.error
            and self.package_count > 0
            and len(self.cannot_evaluate) >= self.package_count
        )

    @property
    def has_actionable(self) -> bool:
        return any(
            f.level in ACTIONABLE_LEVELS and not f.is_out_of_scope_origin for f in self.findings
        )


def _verdict_of(
    finding: PackageFinding, verdicts: Mapping[str, Verdict]
) -> tuple[Verdict, list[str]]:
    ids = finding.cve_ids or (finding.advisory_id,)
    known = [verdicts[i] for i in ids if i in verdicts]
    if not known:
        return Verdict(level=SecurityLevel.NEEDS_REVIEW, category=""), []
    best = max(known, key=lambda v: v.level.rank)
    return best, [i for i in ids if i in verdicts and verdicts[i] is best]


def build_scan_report(
    hosts: Sequence[HostInventory],
    matches: Sequence[HostMatch | None],
    verdicts: Mapping[str, Verdict],
    *,
    advisory_label: Callable[[str], str] = str,
    support_ends: Mapping[str, date] | None = None,
    today: date | None = None,
) -> list[HostReport]:
    """One report per host (``matches`` aligned with ``hosts``; None for a failed scan),
    findings grouped by (package, fixed version), highest level first. ``support_ends`` maps
    platform keys to the vendor's end of support; a host past it on ``today`` is reported out
    of service (R13)."""
    reports = []
    for host, match in zip(hosts, matches, strict=True):
        key = host.platform.key if host.platform else ""
        ends_on = (support_ends or {}).get(key)
        report = HostReport(
            target=host.target,
            platform=key,
            error=f"{host.error.code}: {host.error.message}" if host.error else "",
            warnings=list(host.warnings),
            package_count=len(host.packages),
            support_ends_on=ends_on,
            is_out_of_service=ends_on is not None and today is not None and ends_on < today,
        )
        if match is not None:
            grouped: dict[tuple[str, str | None, bool], list[PackageFinding]] = defaultdict(list)
            for finding in match.findings:
                grouped[(finding.package, finding.fixed_version, False)].append(finding)
            for finding in match.out_of_scope_findings:
                grouped[(finding.package, finding.fixed_version, True)].append(finding)
            for (package, fixed, out_of_scope), items in grouped.items():
                decided = [_verdict_of(item, verdicts) for item in items]
                best, _ = max(decided, key=lambda d: d[0].level.rank)
                report.findings.append(
                    ReportFinding(
                        package=package,
                        installed_version=items[0].installed_version,
                        fixed_version=fixed,
                        advisory_ids=sorted({advisory_label(i.advisory_id) for i in items}),
                        cve_ids=sorted({cve for item in items for cve in item.cve_ids}),
                        level=best.level,
                        category=best.category,
                        reasons=list(best.reasons),
                        is_out_of_scope_origin=out_of_scope,
                    )
                )
            report.findings.sort(
                key=lambda f: (_LEVEL_ORDER.index(f.level), f.is_out_of_scope_origin, f.package)
            )
            report.cannot_evaluate = [
                (c.package, c.version, c.reason) for c in match.cannot_evaluate
            ]
        reports.append(report)
    return reports


def _finding_json(finding: ReportFinding) -> dict[str, object]:
    return {
        "package": finding.package,
        "installed_version": finding.installed_version,
        "fixed_version": finding.fixed_version,
        "advisory_ids": finding.advisory_ids,
        "cve_ids": finding.cve_ids,
        "level": finding.level.value,
        "category": finding.category,
        "reasons": [dict(reason) for reason in finding.reasons],
        "out_of_scope_origin": finding.is_out_of_scope_origin,
    }


def render_json(reports: Sequence[HostReport]) -> str:
    document = {
        "schema": SCHEMA,
        "schema_version": 1,
        "servers": [
            {
                "target": report.target,
                "platform": report.platform,
                "support_ends_on": (
                    report.support_ends_on.isoformat() if report.support_ends_on else None
                ),
                "out_of_service": report.is_out_of_service,
                "error": report.error or None,
                "findings": [_finding_json(f) for f in report.findings],
                "cannot_evaluate": [
                    {"package": p, "version": v, "reason": r} for p, v, r in report.cannot_evaluate
                ],
                "warnings": [
                    {
                        "source": w.source,
                        "code": w.code,
                        "count": w.count,
                        "message": w.message,
                        "examples": list(w.examples),
                    }
                    for w in report.warnings
                ],
            }
            for report in reports
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def render_csv(reports: Sequence[HostReport]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["target", "platform", "package", "installed_version", "fixed_version", "level",
         "category", "advisory_ids", "cve_ids", "out_of_scope_origin"]
    )  # fmt: skip
    for report in reports:
        for f in report.findings:
            writer.writerow(
                [report.target, report.platform, f.package, f.installed_version,
                 f.fixed_version or "", f.level.value, f.category, " ".join(f.advisory_ids),
                 " ".join(f.cve_ids), "yes" if f.is_out_of_scope_origin else "no"]
            )  # fmt: skip
    return out.getvalue()


def render_table(reports: Sequence[HostReport]) -> str:
    lines: list[str] = []
    for report in reports:
        lines.append(f"== {report.target} ({report.platform or 'unknown platform'})")
        if report.error:
            lines.append(f"   scan failed: {report.error}")
            continue
        if report.is_out_of_service and report.support_ends_on is not None:
            lines.append(
                f"   out of service: vendor support ended on {report.support_ends_on.isoformat()}"
            )
        counts = dict.fromkeys(_LEVEL_ORDER, 0)
        for finding in report.findings:
            if not finding.is_out_of_scope_origin:
                counts[finding.level] += 1
        lines.append("   " + ", ".join(f"{level.value}: {counts[level]}" for level in _LEVEL_ORDER))
        for level in _LEVEL_ORDER:
            rows = [f for f in report.findings if f.level == level]
            if not rows:
                continue
            lines.append(f"   [{level.value}]")
            for f in rows:
                note = " (out-of-scope origin)" if f.is_out_of_scope_origin else ""
                lines.append(
                    f"     {f.package} {f.installed_version} -> {f.fixed_version or 'no fix yet'}"
                    f"  {', '.join(f.advisory_ids)}  {' '.join(f.cve_ids[:6])}"
                    f"{' ...' if len(f.cve_ids) > 6 else ''}{note}"
                )
        if report.cannot_evaluate:
            lines.append(f"   cannot evaluate {len(report.cannot_evaluate)} package(s):")
            for package, version, reason in report.cannot_evaluate[:10]:
                lines.append(f"     {package} {version}: {reason}")
        if report.warnings:
            lines.append(f"   warnings: {sum(w.count for w in report.warnings)}")
            lines.extend(f"     {w.code}: {w.message}" for w in report.warnings)
    return "\n".join(lines) + "\n"
