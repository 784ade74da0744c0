"""Integrity of the hand-labelled CVE set (``data/labelled_cves.csv``).

These tests check the CSV itself, not the classifier: size, uniqueness, that every
CWE list and CVSS vector is copied exactly from the CISA Vulnrichment table
(``cve_cwe_cvss.csv.gz``), that levels and categories are valid and consistent, and
that the set covers the cases it promises (see ``data/README.md``).
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from patchdesk_testing.paths import shared_data

LABELLED = Path(__file__).parent / "data" / "labelled_cves.csv"
SHARED_DATA = shared_data()
SOURCE_CSV = SHARED_DATA / "cisa-vulnrichment" / "cve_cwe_cvss.csv.gz"
KEV_JSON = SHARED_DATA / "cisa-kev" / "known_exploited_vulnerabilities.json"

COLUMNS = [
    "cve_id",
    "cwe_ids",
    "cvss_vector",
    "cvss_source",
    "kev",
    "expected_level",
    "expected_category",
    "reasoning",
]
LEVELS = {"high", "medium", "out_of_scope", "needs_review"}
MEDIUM_CATEGORIES = {
    "denial-of-service",
    "information-leak",
    "sql-injection",
    "improper-authentication",
    "cryptographic-issues",
    "resource-management",
}
CATEGORIES = MEDIUM_CATEGORIES | {"remote-code-execution"}
GENERIC_CWES = {"NVD-CWE-noinfo", "NVD-CWE-Other", "CWE-20"}
CVE_ID = re.compile(r"^CVE-\d{4}-\d{4,}$")
CWE_ID = re.compile(r"^CWE-\d+$|^NVD-CWE-(noinfo|Other)$")

# Minimum number of rows per (level, category) promised by the README.
MINIMUM_PER_CATEGORY = {
    ("high", "remote-code-execution"): 25,
    ("medium", "denial-of-service"): 15,
    ("medium", "information-leak"): 12,
    ("medium", "sql-injection"): 5,
    ("medium", "improper-authentication"): 6,
    ("medium", "cryptographic-issues"): 6,
    ("medium", "resource-management"): 6,
    ("out_of_scope", ""): 20,
}


def attack_vector(vector: str) -> str | None:
    """The AV metric of a CVSS v3.x or v4.0 vector (metrics may come in any order)."""
    for part in vector.split("/")[1:]:
        name, _, value = part.partition(":")
        if name == "AV":
            return value
    return None


def cwe_list(row: dict[str, str]) -> list[str]:
    return [cwe for cwe in row["cwe_ids"].split(";") if cwe]


@pytest.fixture(scope="module")
def labelled() -> list[dict[str, str]]:
    with LABELLED.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        assert reader.fieldnames == COLUMNS
        return list(reader)


@pytest.fixture(scope="module")
def source() -> dict[str, dict[str, str]]:
    if not SOURCE_CSV.exists():
        pytest.fail(f"source table not available: {SOURCE_CSV}")
    with gzip.open(SOURCE_CSV, "rt", encoding="utf-8", newline="") as file:
        return {row["cve"]: row for row in csv.DictReader(file)}


@pytest.fixture(scope="module")
def kev_ids() -> set[str]:
    if not KEV_JSON.exists():
        pytest.fail(f"KEV catalogue not available: {KEV_JSON}")
    with KEV_JSON.open(encoding="utf-8") as file:
        catalogue = json.load(file)
    return {entry["cveID"] for entry in catalogue["vulnerabilities"]}


def test_size_and_unique_ids(labelled: list[dict[str, str]]) -> None:
    assert len(labelled) >= 120
    ids = [row["cve_id"] for row in labelled]
    duplicates = [cve for cve, count in Counter(ids).items() if count > 1]
    assert not duplicates
    assert all(CVE_ID.match(cve) for cve in ids)


def test_field_formats(labelled: list[dict[str, str]]) -> None:
    for row in labelled:
        cve = row["cve_id"]
        assert all(CWE_ID.match(cwe) for cwe in cwe_list(row)), cve
        vector = row["cvss_vector"]
        assert vector == "" or re.match(r"^CVSS:(3\.[01]|4\.0)/", vector), cve
        assert (vector == "") == (row["cvss_source"] == ""), cve
        assert row["cvss_source"] in {"", "cna", "cisa-adp"}, cve
        assert row["kev"] in {"yes", "no"}, cve
        assert row["reasoning"].strip(), cve


def test_rows_match_the_source_table(
    labelled: list[dict[str, str]], source: dict[str, dict[str, str]]
) -> None:
    for row in labelled:
        cve = row["cve_id"]
        assert cve in source, f"{cve} is not in {SOURCE_CSV.name}"
        original = source[cve]
        assert row["cwe_ids"] == original["cwe"], cve
        if original["cvss3_vector"]:
            expected = (original["cvss3_vector"], original["cvss3_source"])
        else:
            expected = (original["cvss4_vector"], original["cvss4_source"])
        assert (row["cvss_vector"], row["cvss_source"]) == expected, cve


def test_kev_flag_matches_the_data(
    labelled: list[dict[str, str]], source: dict[str, dict[str, str]], kev_ids: set[str]
) -> None:
    for row in labelled:
        cve = row["cve_id"]
        in_kev = cve in kev_ids or bool(source[cve]["kev_date_added"])
        assert row["kev"] == ("yes" if in_kev else "no"), cve


def test_levels_and_categories_are_valid_and_consistent(
    labelled: list[dict[str, str]],
) -> None:
    for row in labelled:
        cve, level, category = row["cve_id"], row["expected_level"], row["expected_category"]
        assert level in LEVELS, cve
        if level in {"out_of_scope", "needs_review"}:
            assert category == "", cve
        else:
            assert category in CATEGORIES, cve
        if level == "high":
            assert category == "remote-code-execution", cve
        if level == "medium":
            assert category in MEDIUM_CATEGORIES, cve


def test_local_and_physical_vectors_are_never_in_scope(labelled: list[dict[str, str]]) -> None:
    """The labelling rule: only AV:N (and AV:A, treated as remote) can be high or medium."""
    for row in labelled:
        if attack_vector(row["cvss_vector"]) in {"L", "P"}:
            assert row["expected_level"] == "out_of_scope", row["cve_id"]


def test_coverage_per_level_and_category(labelled: list[dict[str, str]]) -> None:
    counts = Counter((row["expected_level"], row["expected_category"]) for row in labelled)
    for key, minimum in MINIMUM_PER_CATEGORY.items():
        assert counts[key] >= minimum, (key, counts[key], minimum)
    needs_review = counts[("needs_review", "")]
    assert needs_review <= len(labelled) // 20, "needs_review is to be used sparingly"


def test_coverage_of_special_cases(labelled: list[dict[str, str]]) -> None:
    def count(predicate: Callable[[dict[str, str]], object]) -> int:
        return sum(1 for row in labelled if predicate(row))

    high = [row for row in labelled if row["expected_level"] == "high"]
    out = [row for row in labelled if row["expected_level"] == "out_of_scope"]

    # High: command/code injection, deserialization and memory corruption over the network.
    assert any({"CWE-77", "CWE-78", "CWE-94"} & set(cwe_list(row)) for row in high)
    assert any("CWE-502" in cwe_list(row) for row in high)
    assert any(
        {"CWE-787", "CWE-416", "CWE-122", "CWE-121", "CWE-120"} & set(cwe_list(row)) for row in high
    )
    assert any(row["cve_id"] == "CVE-2024-6387" for row in high)

    # Improper authentication includes certificate validation.
    assert any(
        "CWE-295" in cwe_list(row) and row["expected_category"] == "improper-authentication"
        for row in labelled
    )

    # Out of scope: local privilege escalations on KEV, XSS, CSRF, physical access.
    assert (
        sum(1 for row in out if row["kev"] == "yes" and attack_vector(row["cvss_vector"]) == "L")
        >= 3
    )
    assert any({"CWE-79", "CWE-80"} & set(cwe_list(row)) for row in out)
    assert any("CWE-352" in cwe_list(row) for row in out)
    assert any(attack_vector(row["cvss_vector"]) == "P" for row in out)

    # Adjacent network vectors (treated as remote), generic/missing CWEs, several CWEs.
    assert count(lambda row: attack_vector(row["cvss_vector"]) == "A") >= 5
    assert count(lambda row: not cwe_list(row) or GENERIC_CWES & set(cwe_list(row))) >= 5
    assert count(lambda row: len(cwe_list(row)) > 1) >= 3
