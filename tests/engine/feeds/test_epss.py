"""EPSS: the real KEV/EPSS table and FIRST's daily CSV layout."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pytest

from patchdesk.engine.feeds.epss import fetch_epss, parse_epss_csv, read_epss
from patchdesk.engine.feeds.http import UrllibHttpClient
from patchdesk.engine.feeds.kev import read_kev
from patchdesk.engine.model.vulnerability import EpssScore
from patchdesk_testing.paths import shared_data

DATA = shared_data()
TABLE = DATA / "epss" / "epss_kev_nvd_2026-08-22.csv"

FIRST = b"""#model_version:v2025.03.14,score_date:2025-08-24T12:55:00Z
cve,epss,percentile
CVE-1999-0001,0.01064,0.77183
CVE-2024-6387,0.42375,0.97402
"""


def test_the_kev_epss_table() -> None:
    result = read_epss(TABLE, scored_on=date(2026, 8, 22))
    assert result.rejected == []
    assert len(result.records) == 1556
    assert result.records[0] == EpssScore(
        cve_id="CVE-2025-62593", score=0.01015, percentile=0.60644, scored_on=date(2026, 8, 22)
    )
    assert all(0 <= s.score <= 1 and 0 <= s.percentile <= 1 for s in result.records)
    assert len({s.cve_id for s in result.records}) == 1556
    # The table lists the KEV CVEs of 2026-08-22: every entry of the 2025-08-25 catalogue.
    kev = {
        entry.cve_id
        for entry in read_kev(DATA / "cisa-kev" / "known_exploited_vulnerabilities.json").records
    }
    assert kev <= {s.cve_id for s in result.records}


def test_first_daily_file_takes_its_date_from_the_comment() -> None:
    result = parse_epss_csv(gzip.compress(FIRST), scored_on=date(2000, 1, 1))
    assert result.rejected == []
    assert result.records == [
        EpssScore(
            cve_id="CVE-1999-0001", score=0.01064, percentile=0.77183, scored_on=date(2025, 8, 24)
        ),
        EpssScore(
            cve_id="CVE-2024-6387", score=0.42375, percentile=0.97402, scored_on=date(2025, 8, 24)
        ),
    ]


def test_without_a_date_the_score_date_is_unknown() -> None:
    result = parse_epss_csv(b"cve,epss,percentile\nCVE-2024-6387,0.4,0.9\n")
    assert result.records[0].scored_on is None


def test_parsing_twice_gives_equal_results() -> None:
    data = TABLE.read_bytes()
    assert parse_epss_csv(data) == parse_epss_csv(data)


@pytest.mark.parametrize(
    ("row", "record_id", "reason"),
    [
        ("CVE-2024-1,0.1,0.2", "CVE-2024-1", "not a CVE id"),
        ("CVE-2024-0001,nan,0.2", "CVE-2024-0001", "EPSS nan is outside 0..1"),
        ("CVE-2024-0001,1.2,0.2", "CVE-2024-0001", "EPSS 1.2 is outside 0..1"),
        ("CVE-2024-0001,0.1,-1", "CVE-2024-0001", "percentile -1.0 is outside 0..1"),
        ("CVE-2024-0001,high,0.2", "CVE-2024-0001", "EPSS is not a number: 'high'"),
        ("CVE-2024-0001,0.1", "CVE-2024-0001", "percentile is not a number: ''"),
        (",0.1,0.2", "line 3", "'cve' is not a CVE id"),
    ],
)
def test_malformed_rows_are_rejected(row: str, record_id: str, reason: str) -> None:
    data = FIRST.replace(b"CVE-1999-0001,0.01064,0.77183", row.encode())
    result = parse_epss_csv(data, location="epss.csv")
    assert [s.cve_id for s in result.records] == ["CVE-2024-6387"]
    assert len(result.rejected) == 1
    assert (result.rejected[0].record_id, result.rejected[0].location) == (record_id, "epss.csv")
    assert reason in result.rejected[0].reason


def test_files_that_are_not_epss() -> None:
    result = parse_epss_csv(b"id,score\nCVE-2024-0001,0.1\n", location="x.csv")
    assert result.records == []
    assert result.rejected[0].reason == "not an EPSS CSV: no cve / epss / percentile column"
    assert parse_epss_csv(b"").rejected[0].reason.startswith("not an EPSS CSV")
    assert parse_epss_csv(b"#score_date:tomorrow\ncve,epss,percentile\n").rejected[0].reason == (
        "'score_date' is not a date: 'tomorrow'"
    )
    assert (
        parse_epss_csv(b"\x1f\x8b broken")
        .rejected[0]
        .reason.startswith("not a valid compressed stream")
    )


def test_fetch_then_read(tmp_path: Path) -> None:
    source = tmp_path / "epss_scores-2025-08-24.csv.gz"
    source.write_bytes(gzip.compress(FIRST))
    fetched = fetch_epss(UrllibHttpClient(), tmp_path / "current.csv.gz", url=source.as_uri())
    assert fetched.path is not None
    result = read_epss(fetched.path)
    assert [s.cve_id for s in result.records] == ["CVE-1999-0001", "CVE-2024-6387"]
