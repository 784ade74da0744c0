"""The default policy against 172 real CVEs classified by hand from the specification.

The labels (``data/labelled_cves.csv``) were written from R2/Table 1 and the CVE facts by
someone who did not read the classifier. Every row must agree, except the disagreements
listed here with the reason the policy decides otherwise; a change in any verdict, in either
direction, fails this test and must be looked at.
"""

from __future__ import annotations

import csv
import gzip
from datetime import date
from pathlib import Path

import pytest

from patchdesk.engine.feeds.cwe import get_cwe_catalog
from patchdesk.engine.model import CvssScore, KevEntry
from patchdesk.engine.policy import (
    SourcedCwe,
    VulnerabilityFacts,
    classify,
    load_default_policy,
)
from patchdesk_testing.paths import shared_data

LABELS = Path(__file__).parent / "data" / "labelled_cves.csv"
SOURCE = shared_data("cisa-vulnrichment", "cve_cwe_cvss.csv.gz")

# cve → (our level, our category, why the policy decides differently from the label)
KNOWN_DISAGREEMENTS: dict[str, tuple[str, str, str]] = {
    "CVE-2024-29824": ("medium", "sql-injection", "Table 1 puts SQL injection in Medium"),
    "CVE-2023-48788": ("medium", "sql-injection", "Table 1 puts SQL injection in Medium"),
    "CVE-2023-39417": ("medium", "sql-injection", "Table 1 puts SQL injection in Medium"),
    "CVE-2017-10271": (
        "medium",
        "improper-authentication",
        "the vector says availability only; text says RCE",
    ),
    "CVE-2024-35059": (
        "medium",
        "cryptographic-issues",
        "the CWE (cleartext transmission) decides over impacts",
    ),
    "CVE-2023-21538": ("medium", "resource-management", "same level; CWE-502 is in CWE-399"),
    "CVE-2024-6119": ("medium", "information-leak", "same level; the vector says C:H only"),
    "CVE-2024-2236": ("medium", "cryptographic-issues", "same level; timing side channel"),
    "CVE-2024-27280": (
        "high",
        "remote-code-execution",
        "the CWE says write overflow; the text says read",
    ),
    "CVE-2023-6448": ("medium", "resource-management", "same level; CWE-1188 is in CWE-399"),
    "CVE-2024-3096": ("medium", "information-leak", "same level; generic CWE, C:H only"),
    "CVE-2024-3596": ("medium", "information-leak", "same level; CWE-200 named directly"),
    "CVE-2023-24023": (
        "high",
        "remote-code-execution",
        "no CWE; C:H/I:H reads as take-over (tentative)",
    ),
    "CVE-2024-6923": ("high", "remote-code-execution", "the CNA chose code injection (CWE-94)"),
    "CVE-2023-32002": (
        "medium",
        "improper-authentication",
        "no vector: the CWE decides (tentative)",
    ),
    "CVE-2023-39333": ("high", "remote-code-execution", "code injection with integrity impact"),
}


def _descriptions() -> dict[str, str]:
    with gzip.open(SOURCE, "rt", encoding="utf-8") as handle:
        return {row["cve"]: row["description"] for row in csv.DictReader(handle)}


def _facts(row: dict[str, str], description: str) -> VulnerabilityFacts:
    vector = row["cvss_vector"]
    scores = ()
    if vector:
        version = vector.split("/", 1)[0].removeprefix("CVSS:")
        provider = "adp:cisa" if row["cvss_source"] == "cisa-adp" else "cna:labelled"
        scores = (CvssScore(version=version, vector=vector, base_score=0.0, provider=provider),)
    return VulnerabilityFacts(
        cve_id=row["cve_id"],
        cwes=tuple(
            SourcedCwe(cwe_id=cwe, provider="cna:labelled")
            for cwe in row["cwe_ids"].split(";")
            if cwe
        ),
        cvss=scores,
        kev=KevEntry(cve_id=row["cve_id"], added_on=date(2024, 1, 1))
        if row["kev"] == "yes"
        else None,
        description=description,
    )


def test_the_default_policy_agrees_with_the_hand_labels() -> None:
    assert SOURCE.exists(), f"the shared data is missing: {SOURCE}"
    policy = load_default_policy()
    catalogue = get_cwe_catalog()
    descriptions = _descriptions()
    with LABELS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 120
    unexpected = []
    for row in rows:
        result = classify(_facts(row, descriptions.get(row["cve_id"], "")), policy, catalogue)
        got = (result.level.value, result.category)
        known = KNOWN_DISAGREEMENTS.get(row["cve_id"])
        expected = known[:2] if known else (row["expected_level"], row["expected_category"])
        if got != expected:
            unexpected.append(f"{row['cve_id']}: {got} != {expected}")
    assert unexpected == []
    level_agreement = sum(
        1
        for row in rows
        if row["cve_id"] not in KNOWN_DISAGREEMENTS
        or KNOWN_DISAGREEMENTS[row["cve_id"]][0] == row["expected_level"]
    )
    assert level_agreement / len(rows) >= 0.9


@pytest.mark.parametrize("cve", sorted(KNOWN_DISAGREEMENTS))
def test_every_known_disagreement_is_a_real_labelled_row(cve: str) -> None:
    with LABELS.open(encoding="utf-8") as handle:
        labels = {row["cve_id"]: row for row in csv.DictReader(handle)}
    assert cve in labels
    ours = KNOWN_DISAGREEMENTS[cve][:2]
    assert ours != (labels[cve]["expected_level"], labels[cve]["expected_category"])
