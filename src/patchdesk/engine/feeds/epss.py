"""EPSS scores (FIRST, https://www.first.org/epss/data_stats) -> :class:`EpssScore`.

Two CSV layouts are read, recognised by their header:

* FIRST's daily file ``epss_scores-YYYY-MM-DD.csv.gz``: a comment line
  ``#model_version:v2025.03.14,score_date:2025-08-24T12:55:00Z``, then ``cve,epss,percentile``;
  the score date comes from the comment;
* the KEV/EPSS table of ``jgamblin/KEV_EPSS`` (``CVE,CVSS3,EPSS,EPSS Percentile,...``), which
  names no date: the caller passes ``scored_on``.

Score and percentile must be numbers in 0..1; a bad row is rejected, the rest imports.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Final

from patchdesk.engine.feeds._enrichment_io import (
    decode_text,
    normalize_cve_id,
    parse_day,
    rejection,
)
from patchdesk.engine.feeds.http import FetchResult, HttpClient
from patchdesk.engine.feeds.json_fields import FieldError
from patchdesk.engine.feeds.result import ParseResult
from patchdesk.engine.model.vulnerability import EpssScore

__all__ = ["EPSS_CURRENT_URL", "SOURCE", "fetch_epss", "parse_epss_csv", "read_epss"]

SOURCE: Final = "epss"
# FIRST's bulk file, served by Empirical Security for FIRST (redirects to the dated file).
EPSS_CURRENT_URL: Final = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz"
_COLUMNS: Final = {
    "cve": "cve",
    "epss": "epss",
    "percentile": "percentile",
    "epss percentile": "percentile",
}


def _probability(value: str | None, column: str) -> float:
    try:
        number = float(value or "")
    except ValueError:
        raise FieldError(f"{column} is not a number: {(value or '')[:20]!r}") from None
    if math.isnan(number) or not 0.0 <= number <= 1.0:
        raise FieldError(f"{column} {number} is outside 0..1")
    return number


def _comments(lines: Iterator[str]) -> tuple[dict[str, str], int, str | None]:
    """Leading ``#key:value,key:value`` lines as a dict, their count, and the next line."""
    info: dict[str, str] = {}
    count = 0
    for line in lines:
        if not line.startswith("#"):
            return info, count, line
        count += 1
        for pair in line[1:].strip().split(","):
            key, _, value = pair.partition(":")
            info[key.strip().lower()] = value.strip()
    return info, count, None


def parse_epss_csv(
    data: bytes, *, scored_on: date | None = None, location: str = ""
) -> ParseResult[EpssScore]:
    """An EPSS CSV (plain or compressed). ``scored_on`` is used when the file names no date."""
    result: ParseResult[EpssScore] = ParseResult()
    try:
        lines = iter(decode_text(data))
        info, comment_lines, header_line = _comments(lines)
        if "score_date" in info:
            scored_on = parse_day(info["score_date"], field="score_date")
        header = next(csv.reader([header_line or ""]))
        columns = {
            _COLUMNS[name.strip().lower()]: index
            for index, name in enumerate(header)
            if name.strip().lower() in _COLUMNS
        }
        missing = [name for name in ("cve", "epss", "percentile") if name not in columns]
        if missing:
            raise FieldError(f"not an EPSS CSV: no {' / '.join(missing)} column")
        reader = csv.reader(lines)
        for row in reader:
            if not row:
                continue
            number = comment_lines + 1 + reader.line_num
            cells = {
                key: row[index] if index < len(row) else None for key, index in columns.items()
            }
            try:
                result.records.append(
                    EpssScore(
                        cve_id=normalize_cve_id(cells["cve"], field="cve"),
                        score=_probability(cells["epss"], "EPSS"),
                        percentile=_probability(cells["percentile"], "percentile"),
                        scored_on=scored_on,
                    )
                )
            except FieldError as error:
                record_id = cells["cve"] or f"line {number}"
                result.rejected.append(rejection(SOURCE, record_id, error, location))
    except (FieldError, csv.Error) as error:
        result.rejected.append(rejection(SOURCE, location or "file", error, location))
    return result


def fetch_epss(
    client: HttpClient,
    destination: Path,
    *,
    url: str = EPSS_CURRENT_URL,
    etag: str = "",
    last_modified: str = "",
) -> FetchResult:
    """Download the day's scores (gzip CSV, about 300k rows) to ``destination``."""
    return client.fetch(url, destination=destination, etag=etag, last_modified=last_modified)


def read_epss(path: Path, *, scored_on: date | None = None) -> ParseResult[EpssScore]:
    return parse_epss_csv(path.read_bytes(), scored_on=scored_on, location=str(path))
