"""NVD CVE API 2.0 responses and the legacy 1.1 feed, on real NVD samples."""

from __future__ import annotations

import copy
import json
import lzma
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from patchdesk.engine.feeds.cve5 import read_cve5
from patchdesk.engine.feeds.http import FetchResult
from patchdesk.engine.feeds.nvd import fetch_nvd_feed, nvd_provider, parse_nvd_json, read_nvd
from patchdesk.engine.model.vulnerability import CvssScore, SsvcExploitation, Vulnerability
from patchdesk_testing.paths import shared_data

SAMPLES = shared_data() / "nvd-cve5-samples"


@pytest.fixture(scope="module")
def api() -> dict[str, Vulnerability]:
    result = read_nvd(SAMPLES / "nvd-api-2.0")
    assert result.rejected == []
    assert len(result.records) == 23
    return {record.cve_id: record for record in result.records}


def test_xz_backdoor(api: dict[str, Vulnerability]) -> None:
    record = api["CVE-2024-3094"]
    assert record.source == "nvd"
    assert record.cwe_ids == ("CWE-506",)
    assert record.cwe_provider == "nvd:secalert@redhat.com"  # NVD gave no weakness of its own
    vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"
    assert record.cvss == (
        CvssScore(
            version="3.1", vector=vector, base_score=10.0, provider="nvd:secalert@redhat.com"
        ),
        CvssScore(version="3.1", vector=vector, base_score=10.0, provider="nvd"),
    )
    assert record.published_at == datetime(2024, 3, 29, 17, 15, 21, 150000, tzinfo=UTC)
    assert record.description.startswith("Malicious code was discovered in the upstream tarballs")
    assert record.ssvc is not None
    assert record.ssvc.provider == "adp:cisa"  # the source is CISA-ADP's organisation id
    assert record.ssvc.exploitation is SsvcExploitation.NONE
    assert record.ssvc.automatable is True


def test_the_same_cve_from_nvd_and_the_cve_record_agree(api: dict[str, Vulnerability]) -> None:
    cve5 = {r.cve_id: r for r in read_cve5(SAMPLES / "cve-json5").records}["CVE-2024-3094"]
    assert cve5.cwe_ids == api["CVE-2024-3094"].cwe_ids
    assert {s.vector for s in cve5.cvss} <= {s.vector for s in api["CVE-2024-3094"].cvss}


def test_versions_providers_kev_and_weakness_choice(api: dict[str, Vulnerability]) -> None:
    scores = [(s.version, s.base_score, s.provider) for s in api["CVE-2016-1585"].cvss]
    assert scores == [
        ("3.1", 9.8, "nvd"),
        ("3.0", 3.9, "nvd:security@ubuntu.com"),
        ("2.0", 7.5, "nvd"),
    ]
    assert api["CVE-2016-1585"].cwe_ids == ("NVD-CWE-noinfo",)
    assert api["CVE-2023-4863"].kev_added_on == date(2023, 9, 13)
    assert api["CVE-2023-4863"].cwe_ids == ("CWE-787",)
    # NVD's own (Secondary) weakness entry wins over the CNA's Primary one.
    assert api["CVE-2022-1122"].cwe_ids == ("CWE-665", "CWE-824")
    assert api["CVE-2022-1122"].cwe_provider == "nvd"
    assert api["CVE-2022-36037"].cwe_provider == "nvd:security-advisories@github.com"
    assert api["CVE-2014-1424"].cvss[0].version == "2.0"
    assert not any(record.is_rejected for record in api.values())


def test_legacy_feed() -> None:
    result = read_nvd(SAMPLES / "nvdcve-1.1-test-data.json.xz")
    assert result.rejected == []
    assert len(result.records) == 669
    records = {record.cve_id: record for record in result.records}
    gitlab = records["CVE-2022-0090"]
    assert gitlab.cwe_ids == ("CWE-269",)
    assert gitlab.cwe_provider == "nvd"
    assert [(s.version, s.base_score, s.provider) for s in gitlab.cvss] == [
        ("3.1", 6.5, "nvd"),
        ("2.0", 5.0, "nvd"),
    ]
    assert gitlab.published_at == datetime(2022, 1, 18, 17, 15, tzinfo=UTC)
    assert sum(1 for record in result.records if record.is_rejected) == 29
    assert sum(1 for record in result.records if record.cvss) == 356


def test_parsing_twice_gives_equal_results() -> None:
    data = (SAMPLES / "nvdcve-1.1-test-data.json.xz").read_bytes()
    assert parse_nvd_json(data) == parse_nvd_json(data)


def test_provider_names() -> None:
    assert nvd_provider("nvd@nist.gov") == "nvd"
    assert nvd_provider("secalert@redhat.com") == "nvd:secalert@redhat.com"


# --- malformed input ----------------------------------------------------------------------


def _response(*cves: dict[str, Any]) -> bytes:
    return json.dumps(
        {"version": "2.0", "vulnerabilities": [{"cve": cve} for cve in cves]}
    ).encode()


GOOD: dict[str, Any] = json.loads((SAMPLES / "nvd-api-2.0" / "CVE-2023-4863.json").read_text())[
    "vulnerabilities"
][0]["cve"]


@pytest.mark.parametrize(
    ("path", "value", "record_id", "reason"),
    [
        (("id",), "4863", "4863", "not a CVE id"),
        (
            ("metrics", "cvssMetricV31", 0, "cvssData", "vectorString"),
            "CVSS:3.1/AV:N",
            "CVE-2023-4863",
            "malformed CVSS 3.1 vector",
        ),
        (
            ("metrics", "cvssMetricV31", 0, "cvssData"),
            [],
            "CVE-2023-4863",
            "'cvssData' must be an object",
        ),
        (
            ("metrics", "cvssMetricV31"),
            {"x": 1},
            "CVE-2023-4863",
            "'cvssMetricV31' must be an array",
        ),
        (
            ("weaknesses", 0, "description", 0, "value"),
            "Heap overflow",
            "CVE-2023-4863",
            "not a CWE id",
        ),
        (
            ("weaknesses", 0, "description", 0),
            "CWE-787",
            "CVE-2023-4863",
            "every 'description' entry",
        ),
        (("published",), 20230912, "CVE-2023-4863", "must be a date-time"),
        (("cisaExploitAdd",), "2023-13-45", "CVE-2023-4863", "not a date"),
    ],
)
def test_malformed_cves_are_rejected_and_the_rest_imports(
    path: tuple[str | int, ...], value: object, record_id: str, reason: str
) -> None:
    bad = copy.deepcopy(GOOD)
    node: Any = bad
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    result = parse_nvd_json(_response(bad, GOOD), location="page-1.json")
    assert [record.cve_id for record in result.records] == ["CVE-2023-4863"]
    assert len(result.rejected) == 1
    assert result.rejected[0].record_id == record_id
    assert reason in result.rejected[0].reason
    assert result.rejected[0].location == "page-1.json"


def test_broken_documents() -> None:
    assert parse_nvd_json(b"{", location="x.json").rejected[0].reason.startswith("not valid JSON")
    shape = parse_nvd_json(b'{"vulnerabilities": {}}')
    assert shape.rejected[0].reason == "'vulnerabilities' must be an array"
    entry = parse_nvd_json(b'{"vulnerabilities": [1, {"cve": []}]}')
    assert [(r.record_id, r.reason) for r in entry.rejected] == [
        ("vulnerabilities[0]", "a vulnerabilities entry must be an object"),
        ("vulnerabilities[1]", "'cve' must be an object, got an array"),
    ]
    legacy = parse_nvd_json(lzma.compress(b'{"CVE_Items": [{"cve": {"CVE_data_meta": {}}}]}'))
    assert legacy.rejected[0].reason.startswith("'ID' must be a CVE id")
    bare = parse_nvd_json(json.dumps(GOOD).encode())
    assert [record.cve_id for record in bare.records] == ["CVE-2023-4863"]


class _RecordingClient:
    """An HttpClient that copies a local file and remembers the URL it was asked for."""

    def __init__(self, body: Path) -> None:
        self.body = body
        self.urls: list[str] = []

    def fetch(
        self,
        url: str,
        *,
        destination: Path,
        etag: str = "",
        last_modified: str = "",
        expected_sha256: str = "",
        max_bytes: int | None = None,
    ) -> FetchResult:
        self.urls.append(url)
        destination.write_bytes(self.body.read_bytes())
        return FetchResult(url=url, path=destination, size=destination.stat().st_size)


def test_fetch_a_feed_then_read(tmp_path: Path) -> None:
    client = _RecordingClient(SAMPLES / "nvdcve-1.1-test-data.json.xz")
    fetched = fetch_nvd_feed(client, tmp_path / "feed.json.xz", feed="2024")
    assert client.urls == ["https://nvd.nist.gov/feeds/json/cve/2.0/nvdcve-2.0-2024.json.gz"]
    assert fetched.path is not None
    assert len(read_nvd(fetched.path).records) == 669
    fetch_nvd_feed(client, tmp_path / "x", url="file:///mirror/nvd.json.gz")
    assert client.urls[-1] == "file:///mirror/nvd.json.gz"
