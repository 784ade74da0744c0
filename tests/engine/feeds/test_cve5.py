"""CVE JSON 5 records: real CISA Vulnrichment data, checked against an independent extraction."""

from __future__ import annotations

import copy
import csv
import gzip
import json
import lzma
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from patchdesk.engine.feeds.cve5 import (
    choose_cwe_ids,
    fetch_cve5,
    parse_cve5_json,
    parse_cve5_jsonl,
    parse_cve5_record,
    read_cve5,
)
from patchdesk.engine.feeds.http import UrllibHttpClient
from patchdesk.engine.feeds.json_fields import FieldError
from patchdesk.engine.model.vulnerability import (
    CvssScore,
    SsvcExploitation,
    SsvcTechnicalImpact,
    Vulnerability,
)
from patchdesk_testing.paths import shared_data

DATA = shared_data()
VULNRICHMENT = DATA / "cisa-vulnrichment"
SUBSET = VULNRICHMENT / "cve5_records_almalinux_kev_subset.jsonl.xz"


@pytest.fixture(scope="module")
def subset() -> dict[str, Vulnerability]:
    result = read_cve5(SUBSET)
    assert result.rejected == []
    assert len(result.records) == 1958
    return {record.cve_id: record for record in result.records}


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.slow
def test_all_44130_records_agree_with_the_derived_table() -> None:
    """Every record parses; CWE / CVSS / KEV / SSVC agree with ``cve_cwe_cvss.csv.gz``.

    The table's CWE column took ``CWE-\\d+`` case-sensitively and only the first id of a text
    problem type; the parser also reads ``cwe-787`` and every id of ``"CWE-416, CWE-366"``,
    so 15 more records have a CWE and 3 differ. Its base scores are the stated ones; the
    parser computes them from the vector (372 differ: Fortinet states the temporal score).
    """
    result = read_cve5(VULNRICHMENT / "cve5_records_all.jsonl.xz")
    assert result.rejected == []
    assert len(result.records) == 44130
    with gzip.open(VULNRICHMENT / "cve_cwe_cvss.csv.gz", "rt", encoding="utf-8") as file:
        table = {row["cve"]: row for row in csv.DictReader(file)}
    records = {record.cve_id: record for record in result.records}
    assert records.keys() == table.keys()

    def real_cwes(record: Vulnerability) -> list[str]:
        return [cwe for cwe in record.cwe_ids if cwe.startswith("CWE-")]

    assert sum(1 for row in table.values() if row["cwe"]) == 30042
    assert sum(1 for record in records.values() if real_cwes(record)) == 30042 + 15
    assert sum(1 for r in records.values() if any(s.version in {"3.0", "3.1"} for s in r.cvss)) == (
        sum(1 for row in table.values() if row["cvss3_vector"])
    )
    assert sum(1 for r in records.values() if any(s.version in {"3.0", "3.1"} for s in r.cvss)) == (
        32214
    )
    assert sum(1 for r in records.values() if any(s.version == "4.0" for s in r.cvss)) == 2331
    assert sum(1 for r in records.values() if r.is_rejected) == 104
    assert sum(1 for r in records.values() if r.kev_added_on) == 224
    assert sum(1 for r in records.values() if r.ssvc) == 44026

    cwe_differs, score_differs = [], []
    for cve_id, row in table.items():
        record = records[cve_id]
        if ";".join(real_cwes(record)) != row["cwe"]:
            cwe_differs.append(cve_id)
        assert record.is_rejected == (row["state"] == "REJECTED"), cve_id
        v3 = [s for s in record.cvss if s.version in {"3.0", "3.1"}]
        if row["cvss3_vector"]:
            kind = "cna:" if row["cvss3_source"] == "cna" else "adp:"
            # the table's vector is one of ours, from the same kind of provider
            chosen = next(
                s for s in v3 if s.vector == row["cvss3_vector"] and s.provider.startswith(kind)
            )
            if chosen.base_score != float(row["cvss3_base_score"]):
                score_differs.append(cve_id)
        else:
            assert not v3, cve_id
        v4 = [s.vector for s in record.cvss if s.version == "4.0"]
        assert (row["cvss4_vector"] in v4) if row["cvss4_vector"] else not v4, cve_id
        kev = record.kev_added_on.isoformat() if record.kev_added_on else ""
        assert kev == row["kev_date_added"], cve_id
        if row["ssvc_exploitation"]:
            assert record.ssvc is not None
            assert record.ssvc.exploitation == row["ssvc_exploitation"].lower(), cve_id
        assert _flat(record.description).startswith(_flat(row["description"])[:400]), cve_id
    assert len(cwe_differs) == 18
    assert {"CVE-2024-39427", "CVE-2023-38537", "CVE-2023-3350"} <= set(cwe_differs)
    assert len(score_differs) == 372
    assert "CVE-2021-42756" in score_differs


def test_regresshion_spot_check(subset: dict[str, Vulnerability]) -> None:
    record = subset["CVE-2024-6387"]
    assert record.source == "cve5"
    assert record.cwe_ids == ("CWE-364",)
    assert record.cwe_provider == "cna:redhat"
    assert record.cvss == (
        CvssScore(
            version="3.1",
            vector="CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H",
            base_score=8.1,
            provider="cna:redhat",
        ),
    )
    assert record.published_at == datetime(2024, 7, 1, 12, 37, 25, 431000, tzinfo=UTC)
    assert record.modified_at == datetime(2024, 9, 14, 2, 9, 26, 419000, tzinfo=UTC)
    assert record.description.startswith("A security regression (CVE-2006-5051) was discovered")
    assert not record.is_rejected
    assert record.kev_added_on is None
    assert record.ssvc is not None
    assert record.ssvc.exploitation is SsvcExploitation.POC
    assert record.ssvc.automatable is False
    assert record.ssvc.technical_impact is SsvcTechnicalImpact.TOTAL
    assert record.ssvc.provider == "adp:cisa"
    assert record.ssvc.version == "2.0.3"


def test_kev_date_adp_cwe_and_rejected_records(subset: dict[str, Vulnerability]) -> None:
    assert subset["CVE-2011-0611"].kev_added_on == date(2022, 3, 3)
    assert subset["CVE-2011-0611"].ssvc.exploitation is SsvcExploitation.ACTIVE  # type: ignore[union-attr]
    rejected = subset["CVE-2024-26609"]
    assert rejected.is_rejected
    assert rejected.cvss == ()
    assert rejected.description.startswith("This CVE ID has been rejected")
    adp_only = [r for r in subset.values() if r.cwe_provider == "adp:cisa"]
    assert adp_only
    assert all(r.cwe_ids for r in adp_only)


def test_the_cvelist_samples_directory() -> None:
    result = read_cve5(DATA / "nvd-cve5-samples" / "cve-json5")
    assert result.rejected == []
    assert len(result.records) == 22
    records = {record.cve_id: record for record in result.records}
    log4shell = records["CVE-2021-44228"]
    assert log4shell.cwe_ids == ("CWE-502", "CWE-400", "CWE-20")
    assert log4shell.cwe_provider == "cna:apache"
    assert [(s.provider, s.base_score) for s in log4shell.cvss] == [("adp:cisa", 10.0)]
    assert log4shell.kev_added_on == date(2021, 12, 10)
    v4 = records["CVE-2025-4565"].cvss[0]
    assert (v4.version, v4.base_score, v4.provider) == ("4.0", 8.2, "cna:Google")
    versions = {s.version for s in records["CVE-2016-15012"].cvss}
    assert versions == {"3.1", "3.0", "2.0"}


def test_parsing_twice_gives_equal_results() -> None:
    data = SUBSET.read_bytes()
    assert parse_cve5_jsonl(data) == parse_cve5_jsonl(data)
    assert parse_cve5_jsonl(data).records == read_cve5(SUBSET).records


# --- malformed input ----------------------------------------------------------------------

GOOD: dict[str, Any] = {
    "dataType": "CVE_RECORD",
    "dataVersion": "5.1",
    "cveMetadata": {
        "cveId": "CVE-2030-0001",
        "state": "PUBLISHED",
        "datePublished": "2030-01-02T03:04:05",
    },
    "containers": {
        "cna": {
            "providerMetadata": {"shortName": "example"},
            "descriptions": [{"lang": "de", "value": "Fehler"}, {"lang": "en-US", "value": "Bug"}],
            "problemTypes": [{"descriptions": [{"type": "CWE", "cweId": "CWE-787"}]}],
            "metrics": [
                {"cvssV3_1": {"vectorString": "CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}}
            ],
        },
        "adp": [
            {
                "providerMetadata": {"shortName": "CISA-ADP"},
                "metrics": [{"other": {"type": "kev", "content": {"dateAdded": "2030-02-01"}}}],
            }
        ],
    },
}


def test_the_minimal_record_parses() -> None:
    record = parse_cve5_record(GOOD)
    assert record.cve_id == "CVE-2030-0001"
    assert record.description == "Bug"
    assert record.published_at == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)  # UTC when unnamed
    assert record.cwe_ids == ("CWE-787",)
    assert record.cvss[0].base_score == 6.2
    assert record.kev_added_on == date(2030, 2, 1)
    assert record.ssvc is None


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    def change(record: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = record
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is _DELETE:
            del node[last]
        else:
            node[int(last) if last.isdigit() else last] = value

    return change


_DELETE = object()
_CNA = "containers.cna"


@pytest.mark.parametrize(
    ("change", "record_id", "reason"),
    [
        (_set("cveMetadata", _DELETE), "line 1", "'cveMetadata' must be an object"),
        (_set("cveMetadata.cveId", "CVE-30-1"), "CVE-30-1", "not a CVE id"),
        (_set("cveMetadata.state", "RESERVED"), "CVE-2030-0001", "unknown state"),
        (_set("dataVersion", "4.0"), "CVE-2030-0001", "unsupported dataVersion"),
        (_set("dataType", "CVE_LIST"), "CVE-2030-0001", "not a CVE record"),
        (_set("cveMetadata.datePublished", "yesterday"), "CVE-2030-0001", "not a date-time"),
        (
            _set(f"{_CNA}.metrics.0.cvssV3_1.vectorString", "CVSS:3.1/AV:Q/AC:L"),
            "CVE-2030-0001",
            "cna:example: malformed CVSS 3.1 vector",
        ),
        (
            _set(
                f"{_CNA}.metrics.0.cvssV3_1.vectorString",
                "CVSS:3.0/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
            ),
            "CVE-2030-0001",
            "CVSS 3.1 metric holds a CVSS 3.0 vector",
        ),
        (
            _set(f"{_CNA}.metrics.0.cvssV3_1", "9.8"),
            "CVE-2030-0001",
            "'cvssV3_1' must be an object",
        ),
        (
            _set(f"{_CNA}.problemTypes.0.descriptions.0.cweId", "CWE-XSS"),
            "CVE-2030-0001",
            "'cweId': not a CWE id",
        ),
        (
            _set(f"{_CNA}.problemTypes.0.descriptions.0.cweId", 787),
            "CVE-2030-0001",
            "'cweId' must be a string",
        ),
        (_set(f"{_CNA}.metrics", {"a": 1}), "CVE-2030-0001", "'metrics' must be an array"),
        (_set("containers.adp.0", "CISA"), "CVE-2030-0001", "containers.adp[0] must be an object"),
        (
            _set("containers.adp.0.metrics.0.other.content.dateAdded", "soon"),
            "CVE-2030-0001",
            "adp:cisa: 'dateAdded' is not a date",
        ),
        (
            _set(
                "containers.adp.0.metrics.0.other",
                {"type": "ssvc", "content": {"options": [{"Exploitation": "maybe"}]}},
            ),
            "CVE-2030-0001",
            "SSVC assessment",
        ),
    ],
)
def test_malformed_records_are_rejected_and_the_rest_imports(
    change: Callable[[dict[str, Any]], None], record_id: str, reason: str
) -> None:
    bad = copy.deepcopy(GOOD)
    change(bad)
    other = copy.deepcopy(GOOD)
    other["cveMetadata"]["cveId"] = "CVE-2030-0002"
    data = (json.dumps(bad) + "\n" + json.dumps(other) + "\n").encode()
    result = parse_cve5_jsonl(data, location="test.jsonl")
    assert [record.cve_id for record in result.records] == ["CVE-2030-0002"]
    assert len(result.rejected) == 1
    rejection = result.rejected[0]
    assert rejection.source == "cve5"
    assert rejection.record_id == record_id
    assert reason in rejection.reason
    assert "\n" not in rejection.reason
    assert rejection.location == "test.jsonl"


def test_broken_lines_and_documents() -> None:
    good = json.dumps(GOOD)
    result = parse_cve5_jsonl(f'{{"cveMetadata": \n\n{good}\n[1]\n'.encode())
    assert [r.cve_id for r in result.records] == ["CVE-2030-0001"]
    assert [(r.record_id, r.reason.split(":")[0]) for r in result.rejected] == [
        ("line 1", "not valid JSON"),
        ("line 4", "a CVE record must be a JSON object"),
    ]
    assert parse_cve5_json(b"{not json", location="x.json").rejected[0].record_id == "x.json"
    array = parse_cve5_json(gzip.compress(f"[{good}, {good}]".encode()))
    assert len(array.records) == 2
    truncated = parse_cve5_jsonl(lzma.compress(f"{good}\n".encode() * 3)[:-20])
    assert truncated.rejected
    assert "compressed stream" in truncated.rejected[0].reason


def test_a_directory_reads_records_and_jsonl_but_not_other_json(tmp_path: Path) -> None:
    (tmp_path / "2030" / "0xxx").mkdir(parents=True)
    (tmp_path / "2030" / "0xxx" / "CVE-2030-0001.json").write_text(json.dumps(GOOD))
    (tmp_path / "delta.json").write_text('{"new": []}')
    other = copy.deepcopy(GOOD)
    other["cveMetadata"]["cveId"] = "CVE-2030-0002"
    (tmp_path / "more.jsonl.gz").write_bytes(gzip.compress(json.dumps(other).encode()))
    result = read_cve5(tmp_path)
    assert result.rejected == []
    assert sorted(r.cve_id for r in result.records) == ["CVE-2030-0001", "CVE-2030-0002"]


def test_choose_cwe_ids_prefers_real_cwes() -> None:
    assert choose_cwe_ids([("cna:x", ("NVD-CWE-noinfo",)), ("adp:cisa", ("CWE-79",))]) == (
        ("CWE-79",),
        "adp:cisa",
    )
    assert choose_cwe_ids([("cna:x", ()), ("adp:cisa", ("NVD-CWE-noinfo",))]) == (
        ("NVD-CWE-noinfo",),
        "adp:cisa",
    )
    assert choose_cwe_ids([("cna:x", ())]) == ((), "")


def test_record_must_be_an_object() -> None:
    with pytest.raises(FieldError, match="must be a JSON object"):
        parse_cve5_record([GOOD])


def test_a_cvelist_release_zip_in_a_zip(tmp_path: Path) -> None:
    """cvelistV5's daily bundle is a zip holding ``cves.zip``; both levels are read."""
    other = copy.deepcopy(GOOD)
    other["cveMetadata"]["cveId"] = "CVE-2030-0002"
    inner = tmp_path / "cves.zip"
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cves/2030/0xxx/CVE-2030-0001.json", json.dumps(GOOD))
        archive.writestr("cves/2030/0xxx/CVE-2030-0002.json", json.dumps(other))
        archive.writestr("cves/2030/0xxx/CVE-2030-0003.json", "{broken")
        archive.writestr("cves/delta.json", '{"new": []}')
    outer = tmp_path / "2030-01-02_all_CVEs_at_midnight.zip.zip"
    with zipfile.ZipFile(outer, "w") as archive:
        archive.write(inner, "cves.zip")
    fetched = fetch_cve5(UrllibHttpClient(), tmp_path / "bundle.zip", url=outer.as_uri())
    assert fetched.path is not None
    result = read_cve5(fetched.path)
    assert [r.cve_id for r in result.records] == ["CVE-2030-0001", "CVE-2030-0002"]
    assert len(result.rejected) == 1
    assert result.rejected[0].location.endswith(
        "bundle.zip!cves.zip!cves/2030/0xxx/CVE-2030-0003.json"
    )
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really")
    assert read_cve5(broken).rejected[0].reason.startswith("not a readable zip archive")
