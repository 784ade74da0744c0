"""Match inventories against the local advisory store for ``patchdesk scan`` (no servers
need to exist in the desk): the same index and classifications the desk uses."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from patchdesk.desk.advisories.models import Advisory
from patchdesk.desk.contracts.selectors import business_calendar
from patchdesk.desk.findings.models import Classification
from patchdesk.desk.findings.refresh import advisory_index_load
from patchdesk.desk.platforms.models import SupportedPlatform
from patchdesk.engine.match import Matcher
from patchdesk.engine.model.classification import SecurityLevel
from patchdesk.engine.model.inventory import HostInventory
from patchdesk.engine.report.scan import HostReport, Verdict, build_scan_report

__all__ = ["scan_report_build"]


def scan_report_build(hosts: Sequence[HostInventory]) -> list[HostReport]:
    platforms = {h.platform.key for h in hosts if h.platform is not None and h.is_ok}
    matcher = Matcher(advisory_index_load(platforms))
    matches = [matcher.match_host(host) if host.is_ok else None for host in hosts]
    ids: set[str] = set()
    advisory_pks: set[int] = set()
    for match in matches:
        if match is None:
            continue
        for finding in (*match.findings, *match.out_of_scope_findings):
            advisory_pks.add(int(finding.advisory_id))
            ids.update(finding.cve_ids)
    labels = dict(Advisory.objects.filter(pk__in=advisory_pks).values_list("pk", "advisory_id"))
    ids.update(
        Advisory.objects.filter(pk__in=advisory_pks, cves__isnull=True).values_list(
            "advisory_id", flat=True
        )
    )
    verdicts = {
        row.cve_id: Verdict(
            level=SecurityLevel(row.level), category=row.category, reasons=tuple(row.reasons)
        )
        for row in Classification.objects.filter(cve_id__in=ids)
    }
    # Findings carry primary keys; an advisory without CVEs is classified under its own id.
    for pk, label in labels.items():
        if label in verdicts:
            verdicts[str(pk)] = verdicts[label]
    support_ends = {
        key: ends_on
        for key, ends_on in SupportedPlatform.objects.filter(key__in=platforms).values_list(
            "key", "vendor_support_ends_on"
        )
        if ends_on is not None
    }
    return build_scan_report(
        hosts,
        matches,
        verdicts,
        advisory_label=lambda pk: labels.get(int(pk), pk),
        support_ends=support_ends,
        today=business_calendar().local_date(timezone.now()),
    )
