"""CISA KEV catalogue: the real JSON and CSV of 2025-08-25 and a newer CSV copy."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from patchdesk.engine.feeds.http import UrllibHttpClient
from patchdesk.engine.feeds.json_fields import FieldError
from patchdesk.engine.feeds.kev import (
    KEV_JSON_URL,
    KevCatalogInfo,
    fetch_kev,
    parse_kev_csv,
    parse_kev_json,
    read_kev,
    read_kev_catalog_info,
)
from patchdesk.engine.model.vulnerability import KevEntry
from patchdesk_testing.paths import shared_data

KEV = shared_data() / "cisa-kev"
JSON = KEV / "known_exploited_vulnerabilities.json"
CSV = KEV / "known_exploited_vulnerabilities.csv"


def test_json_catalogue() -> None:
    result = read_kev(JSON)
    assert result.rejected == []
    assert len(result.records) == 1404
    assert result.records[0] == KevEntry(
        cve_id="CVE-2025-48384",
        added_on=date(2025, 8, 25),
        vendor="Git",
        product="Git",
        name="Git Link Following Vulnerability",
        due_on=date(2025, 9, 15),
        known_ransomware_use=False,
        cwe_ids=("CWE-59", "CWE-436"),
    )
    assert sum(1 for entry in result.records if entry.known_ransomware_use) == 293
    assert [len(entry.cwe_ids) for entry in result.records].count(0) == 152
    assert min(entry.added_on for entry in result.records) == date(2021, 11, 3)
    assert read_kev_catalog_info(JSON.read_bytes()) == KevCatalogInfo(
        version="2025.08.25",
        released_at=datetime(2025, 8, 25, 17, 4, 19, 979600, tzinfo=UTC),
        count=1404,
    )


def test_csv_equals_json() -> None:
    csv_result = read_kev(CSV)
    assert csv_result.rejected == []
    assert csv_result.records == read_kev(JSON).records


def test_a_newer_copy_adds_entries_and_updates_ransomware_use() -> None:
    newer = read_kev(KEV / "known_exploited_vulnerabilities_2025-11-14_thirdparty_copy.csv")
    assert newer.rejected == []
    assert len(newer.records) == 1460
    by_cve = {entry.cve_id: entry for entry in newer.records}
    older = read_kev(JSON).records
    assert all(entry.cve_id in by_cve for entry in older)
    changed = [entry.cve_id for entry in older if by_cve[entry.cve_id] != entry]
    assert len(changed) == 6
    assert by_cve["CVE-2024-1086"].known_ransomware_use  # Linux kernel use-after-free


def test_parsing_twice_gives_equal_results() -> None:
    data = gzip.compress(CSV.read_bytes())
    assert parse_kev_csv(data) == parse_kev_csv(data)
    assert parse_kev_csv(data).records == parse_kev_csv(CSV.read_bytes()).records


ENTRY = {
    "cveID": "CVE-2030-0001",
    "vendorProject": "Example",
    "product": "Server",
    "vulnerabilityName": "Example Server RCE",
    "dateAdded": "2030-01-02",
    "dueDate": "2030-01-23",
    "knownRansomwareCampaignUse": "Known",
    "cwes": ["CWE-787"],
}


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("cveID", "CVE-2030", "not a CVE id"),
        ("cveID", None, "must be a CVE id string"),
        ("dateAdded", "2030-02-30", "'dateAdded' is not a date"),
        ("dateAdded", None, "'dateAdded' must be a date string"),
        ("dueDate", "soon", "'dueDate' is not a date"),
        ("knownRansomwareCampaignUse", "Maybe", "unknown knownRansomwareCampaignUse"),
        ("cwes", ["Buffer overflow"], "'cwes': not a CWE id"),
        ("cwes", 787, "'cwes' must be an array or text"),
        ("vendorProject", 7, "'vendorProject' must be a string"),
    ],
)
def test_malformed_json_entries(field: str, value: object, reason: str) -> None:
    bad = {**ENTRY, field: value}
    data = json.dumps({"vulnerabilities": [bad, ENTRY]}).encode()
    result = parse_kev_json(data, location="kev.json")
    assert result.records == [
        parse_kev_json(json.dumps({"vulnerabilities": [ENTRY]}).encode()).records[0]
    ]
    assert len(result.rejected) == 1
    assert reason in result.rejected[0].reason
    assert result.rejected[0].record_id in {bad["cveID"], "vulnerabilities[0]"}
    assert result.rejected[0].location == "kev.json"


def test_malformed_csv() -> None:
    header = (
        "cveID,vendorProject,product,vulnerabilityName,dateAdded,knownRansomwareCampaignUse,cwes\n"
    )
    rows = (
        'CVE-2030-0001,E,P,N,2030-01-02,Unknown,"CWE-79, CWE-89"\n'
        "CVE-2030-0002,E,P,N,1/2/2030,Unknown,\n"
    )
    result = parse_kev_csv((header + rows).encode())
    assert [(e.cve_id, e.cwe_ids) for e in result.records] == [
        ("CVE-2030-0001", ("CWE-79", "CWE-89"))
    ]
    assert [(r.record_id, r.reason) for r in result.rejected] == [
        ("CVE-2030-0002", "'dateAdded' is not a date: '1/2/2030'")
    ]
    missing = parse_kev_csv(b"cve,date\nCVE-2030-0001,2030-01-01\n", location="x.csv")
    assert missing.records == []
    assert missing.rejected[0].reason == "not a KEV CSV: no column cveID, dateAdded"
    assert parse_kev_csv(b"\xff\xfe").rejected[0].reason.startswith("not UTF-8 text")


def test_broken_json_documents() -> None:
    assert parse_kev_json(b"[").rejected[0].reason.startswith("not valid JSON")
    assert parse_kev_json(b"{}").rejected[0].reason == (
        "not a KEV catalogue: no 'vulnerabilities' array"
    )
    assert parse_kev_json(b'{"vulnerabilities": [3]}').rejected[0].reason == (
        "a catalogue entry must be an object"
    )
    with pytest.raises(FieldError, match="not a KEV catalogue"):
        read_kev_catalog_info(b"[]")


def test_fetch_then_read_a_file_url(tmp_path: Path) -> None:
    """The real urllib client on a ``file://`` copy (the air-gapped set-up)."""
    fetched = fetch_kev(UrllibHttpClient(), tmp_path / "kev.json", url=JSON.as_uri())
    assert fetched.path == tmp_path / "kev.json"
    assert fetched.size == JSON.stat().st_size
    assert len(read_kev(tmp_path / "kev.json").records) == 1404
    assert KEV_JSON_URL.startswith("https://www.cisa.gov/")
