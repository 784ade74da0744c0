"""CISA's Known Exploited Vulnerabilities catalogue (JSON or CSV) -> :class:`KevEntry`.

https://www.cisa.gov/known-exploited-vulnerabilities-catalog; schema in
``known_exploited_vulnerabilities_schema.json``. Both formats carry the same fields; the CSV
lists CWEs as ``"CWE-59, CWE-436"``. ``knownRansomwareCampaignUse`` is ``Known`` or
``Unknown``; anything else, a bad date, CVE or CWE id rejects that entry.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from patchdesk.engine.feeds._enrichment_io import (
    decode_text,
    decompress,
    normalize_cve_id,
    parse_day,
    rejection,
)
from patchdesk.engine.feeds.cwe import normalize_cwe_id
from patchdesk.engine.feeds.http import FetchResult, HttpClient
from patchdesk.engine.feeds.json_fields import (
    FieldError,
    opt_str,
    parse_timestamp,
)
from patchdesk.engine.feeds.result import ParseResult
from patchdesk.engine.model.vulnerability import KevEntry

__all__ = [
    "KEV_CSV_URL",
    "KEV_JSON_URL",
    "SOURCE",
    "KevCatalogInfo",
    "fetch_kev",
    "parse_kev_csv",
    "parse_kev_entry",
    "parse_kev_json",
    "read_kev",
    "read_kev_catalog_info",
]

SOURCE: Final = "kev"
KEV_JSON_URL: Final = (
    "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
)
KEV_CSV_URL: Final = (
    "https://www.cisa.gov/sites/default/files/csv/known_exploited_vulnerabilities.csv"
)
_RANSOMWARE: Final = {"known": True, "unknown": False}
_REQUIRED_COLUMNS: Final = ("cveID", "dateAdded")


@dataclass(frozen=True, slots=True, kw_only=True)
class KevCatalogInfo:
    """The JSON catalogue's header: which version the desk imported."""

    version: str  # "2025.08.25"
    released_at: datetime | None
    count: int | None  # entries the catalogue says it has


def _cwe_ids(value: object) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        items: Sequence[object] = [part for part in value.split(",") if part.strip()]
    elif isinstance(value, list):
        items = value
    else:
        raise FieldError(f"'cwes' must be an array or text, got {type(value).__name__}")
    ids: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise FieldError("'cwes' must hold strings")
        try:
            ids.append(normalize_cwe_id(item))
        except ValueError as error:
            raise FieldError(f"'cwes': {error}") from None
    return tuple(dict.fromkeys(ids))


def parse_kev_entry(entry: Mapping[str, object]) -> KevEntry:
    """One catalogue entry (a JSON object or a CSV row); raises FieldError."""
    ransomware = opt_str(entry, "knownRansomwareCampaignUse").lower()
    if ransomware and ransomware not in _RANSOMWARE:
        raise FieldError(f"unknown knownRansomwareCampaignUse {ransomware[:20]!r}")
    due = entry.get("dueDate")
    return KevEntry(
        cve_id=normalize_cve_id(entry.get("cveID"), field="cveID"),
        added_on=parse_day(entry.get("dateAdded"), field="dateAdded"),
        vendor=opt_str(entry, "vendorProject"),
        product=opt_str(entry, "product"),
        name=opt_str(entry, "vulnerabilityName", limit=None).strip(),
        due_on=None if due in {None, ""} else parse_day(due, field="dueDate"),
        known_ransomware_use=_RANSOMWARE.get(ransomware, False),
        cwe_ids=_cwe_ids(entry.get("cwes")),
    )


def _add(result: ParseResult[KevEntry], entry: object, where: str, location: str) -> None:
    try:
        if not isinstance(entry, Mapping):
            raise FieldError("a catalogue entry must be an object")
        result.records.append(parse_kev_entry(entry))
    except FieldError as error:
        record_id = where
        if isinstance(entry, Mapping) and isinstance(entry.get("cveID"), str):
            record_id = str(entry["cveID"]) or where
        result.rejected.append(rejection(SOURCE, record_id, error, location))


def _load(data: bytes) -> object:
    try:
        return json.loads(decompress(data))
    except (ValueError, RecursionError) as error:
        raise FieldError(f"not valid JSON: {error}") from None


def parse_kev_json(data: bytes, *, location: str = "") -> ParseResult[KevEntry]:
    """``known_exploited_vulnerabilities.json`` (plain or compressed)."""
    result: ParseResult[KevEntry] = ParseResult()
    try:
        document = _load(data)
        if not isinstance(document, Mapping) or not isinstance(
            document.get("vulnerabilities"), list
        ):
            raise FieldError("not a KEV catalogue: no 'vulnerabilities' array")
    except FieldError as error:
        result.rejected.append(rejection(SOURCE, location or "catalogue", error, location))
        return result
    for index, entry in enumerate(document["vulnerabilities"]):
        _add(result, entry, f"vulnerabilities[{index}]", location)
    return result


def parse_kev_csv(data: bytes, *, location: str = "") -> ParseResult[KevEntry]:
    """``known_exploited_vulnerabilities.csv`` (plain or compressed)."""
    result: ParseResult[KevEntry] = ParseResult()
    try:
        reader = csv.DictReader(decode_text(data))
        missing = [name for name in _REQUIRED_COLUMNS if name not in (reader.fieldnames or ())]
        if missing:
            raise FieldError(f"not a KEV CSV: no column {', '.join(missing)}")
        for row in reader:
            _add(result, row, f"line {reader.line_num}", location)
    except (FieldError, csv.Error) as error:
        result.rejected.append(rejection(SOURCE, location or "catalogue", error, location))
    return result


def read_kev_catalog_info(data: bytes) -> KevCatalogInfo:
    """The header of the JSON catalogue; raises FieldError when it is not one."""
    document = _load(data)
    if not isinstance(document, Mapping):
        raise FieldError("not a KEV catalogue")
    released = document.get("dateReleased")
    count = document.get("count")
    return KevCatalogInfo(
        version=opt_str(document, "catalogVersion"),
        released_at=None if released is None else parse_timestamp(released, field="dateReleased"),
        count=count if isinstance(count, int) and not isinstance(count, bool) else None,
    )


def fetch_kev(
    client: HttpClient,
    destination: Path,
    *,
    url: str = KEV_JSON_URL,
    etag: str = "",
    last_modified: str = "",
) -> FetchResult:
    """Download the catalogue to ``destination`` (conditionally: a 304 comes back as
    ``not_modified``); then :func:`read_kev` it. ``url`` may be a ``file://`` copy."""
    return client.fetch(url, destination=destination, etag=etag, last_modified=last_modified)


def read_kev(path: Path) -> ParseResult[KevEntry]:
    """A catalogue file: CSV when the name says ``.csv`` (``.csv.gz``), JSON otherwise."""
    data = path.read_bytes()
    if ".csv" in path.name.lower():
        return parse_kev_csv(data, location=str(path))
    return parse_kev_json(data, location=str(path))
