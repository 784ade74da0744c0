"""``patchdesk policy``: explain verdicts, show and activate the policy document."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from pathlib import Path

import click

from patchdesk.commands.desk import database_require_migrated, django_setup

_CVE_ID = re.compile(r"CVE-\d{4}-\d{4,}")


def cve_ids_split(values: Sequence[str]) -> tuple[list[str], list[str]]:
    """The CVE ids among ``values`` (normalised: trimmed, upper case; in order, once each) and
    the values that are not CVE ids (as given)."""
    valid: list[str] = []
    refused: list[str] = []
    for value in values:
        cve = value.strip().upper()
        if _CVE_ID.fullmatch(cve) is None:
            refused.append(value)
        elif cve not in valid:
            valid.append(cve)
    return valid, refused


def explain(cve_ids: Sequence[str], *, output_format: str) -> list[str]:
    """Recompute each verdict from the stored facts with the policy in force, and show why.

    Values that are not CVE ids (``CVE-YYYY-NNNN``, any case) are refused with one line each on
    stderr and returned; the valid ones are still explained.
    """
    ids, refused = cve_ids_split(cve_ids)
    for value in refused:
        click.echo(
            f"patchdesk policy explain: refused {value!r}: not a CVE id (CVE-YYYY-NNNN)", err=True
        )
    if not ids:
        return refused
    django_setup()
    database_require_migrated()
    from patchdesk.desk.findings.classification import facts_collect
    from patchdesk.desk.findings.models import PolicyOverride
    from patchdesk.desk.findings.policy import policy_active
    from patchdesk.engine.feeds.cwe import get_cwe_catalog
    from patchdesk.engine.model.classification import SecurityLevel
    from patchdesk.engine.policy import PolicyOverride as EngineOverride
    from patchdesk.engine.policy import classify

    policy = policy_active()
    facts = facts_collect(ids)
    overrides = {
        o.cve_id: o
        for o in PolicyOverride.objects.select_related("decided_by").filter(cve_id__in=ids)
    }
    results = []
    for cve in ids:
        override = overrides.get(cve)
        verdict = classify(
            facts[cve],
            policy,
            get_cwe_catalog(),
            override=EngineOverride(
                level=SecurityLevel(override.level),
                reason=override.reason,
                decided_by=override.decided_by.get_username(),
            )
            if override
            else None,
        )
        results.append((facts[cve], verdict))
    if output_format == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "cve_id": verdict.cve_id,
                        "level": verdict.level.value,
                        "category": verdict.category,
                        "certainty": verdict.certainty.value,
                        "policy_version": verdict.policy_version,
                        "computed_level": verdict.computed_level.value
                        if verdict.computed_level
                        else None,
                        "reasons": [dataclasses.asdict(r) for r in verdict.reasons],
                        "facts": json.loads(json.dumps(dataclasses.asdict(fact), default=str)),
                    }
                    for fact, verdict in results
                ],
                indent=1,
                ensure_ascii=False,
            )
        )
        return refused
    for fact, verdict in results:
        category = policy.categories.get(verdict.category)
        label = f" — {category.name_en} / {category.name_ja}" if category else ""
        click.echo(
            f"{verdict.cve_id}: {verdict.level.value}{label} ({verdict.certainty.value}, "
            f"policy {verdict.policy_version})"
        )
        if not (fact.cwes or fact.cvss or fact.vendor_severities or fact.kev):
            click.echo("  no facts known for this id (import CVE records: patchdesk feeds import)")
        for cwe in fact.cwes:
            click.echo(f"  CWE   {cwe.cwe_id} (from {cwe.provider})")
        for score in fact.cvss:
            click.echo(f"  CVSS  {score.vector} {score.base_score} (from {score.provider})")
        for severity in fact.vendor_severities:
            click.echo(f"  vendor severity {severity.severity} (from {severity.source})")
        if fact.kev:
            click.echo(f"  KEV   listed since {fact.kev.added_on}")
        for reason in verdict.reasons:
            where = " ".join(
                part for part in (reason.cwe_id, reason.vector_element, reason.source) if part
            )
            click.echo(f"  - [{reason.rule_id}] {reason.detail}" + (f" ({where})" if where else ""))
    return refused


def show() -> None:
    django_setup()
    database_require_migrated()
    from patchdesk.desk.findings.models import PolicyDocument
    from patchdesk.engine.policy import default_policy_text

    document = PolicyDocument.objects.filter(is_active=True).first()
    click.echo(document.text if document else default_policy_text(), nl=False)


def activate(file: Path) -> bool:
    django_setup()
    database_require_migrated()
    from patchdesk.desk.core.errors import PatchdeskError
    from patchdesk.desk.findings.policy import policy_document_activate
    from patchdesk.desk.findings.refresh import findings_refresh_after_feeds

    try:
        document = policy_document_activate(file.read_text(encoding="utf-8"), actor=None)
    except PatchdeskError as exc:
        click.echo(f"patchdesk: {exc.message}", err=True)
        return False
    report = findings_refresh_after_feeds()
    click.echo(
        f"Policy {document.version} is in force; findings refreshed on {report.servers} server(s)."
    )
    return True
