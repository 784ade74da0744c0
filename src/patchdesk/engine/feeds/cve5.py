"""CVE JSON 5 records (cvelistV5, CISA Vulnrichment) -> :class:`Vulnerability` facts.

A record (https://github.com/CVEProject/cve-schema, ``CVE_RECORD`` 5.x) has one CNA container
and any number of ADP containers; CISA's ADP ("Vulnrichment", ``CISA-ADP``) adds CWE and CVSS
where the CNA gave none, an SSVC assessment for every new CVE, and the KEV date. What is kept:

* **CVSS**: every v2.0 / v3.0 / v3.1 / v4.0 vector of every container, validated and scored
  with the ``cvss`` library, provider ``cna:<shortName>`` or ``adp:<name>`` (``adp:cisa``);
* **CWE**: the ids of the first container that names a real CWE (the CNA first, then the ADPs
  in record order); NVD's placeholders (``CWE-noinfo``) only when nobody names a real one.
  ``cweId`` fields are used as given; a problem type without one is searched for ids in its
  text (``"Use After Free (CWE-416)"``);
* dates, state (``REJECTED`` -> ``is_rejected``, the rejection reason as description), the
  English description, CISA's KEV date (ADP ``other`` type ``kev``) and SSVC assessment.

A record that cannot be read completely (wrong types, malformed vector or CWE id, unknown
state) is rejected whole: the desk keeps what it had for that CVE rather than half a record.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Final

from patchdesk.engine.feeds._enrichment_cve5_record import (
    SOURCE,
    choose_cwe_ids,
    parse_cve5_record,
    parse_ssvc,
)
from patchdesk.engine.feeds._enrichment_io import (
    decompress,
    iter_text_lines,
    open_decompressed,
    rejection,
)
from patchdesk.engine.feeds.http import FetchResult, HttpClient
from patchdesk.engine.feeds.json_fields import FieldError
from patchdesk.engine.feeds.result import ParseResult
from patchdesk.engine.model.vulnerability import Vulnerability

__all__ = [
    "SOURCE",
    "choose_cwe_ids",
    "fetch_cve5",
    "parse_cve5_json",
    "parse_cve5_jsonl",
    "parse_cve5_record",
    "parse_ssvc",
    "read_cve5",
]

_SUFFIXES: Final = (".json", ".json.gz", ".json.xz", ".jsonl", ".jsonl.gz", ".jsonl.xz")


def _record_id(record: object, fallback: str) -> str:
    if isinstance(record, Mapping):
        meta = record.get("cveMetadata")
        if isinstance(meta, Mapping) and isinstance(meta.get("cveId"), str):
            return str(meta["cveId"])[:40]
    return fallback


def _add(result: ParseResult[Vulnerability], record: object, where: str, location: str) -> None:
    try:
        result.records.append(parse_cve5_record(record))
    except FieldError as error:
        result.rejected.append(rejection(SOURCE, _record_id(record, where), error, location))


def _add_line(result: ParseResult[Vulnerability], number: int, line: bytes, location: str) -> None:
    try:
        record = json.loads(line)
    except (ValueError, RecursionError) as error:
        result.rejected.append(
            rejection(SOURCE, f"line {number}", f"not valid JSON: {error}", location)
        )
        return
    _add(result, record, f"line {number}", location)


def parse_cve5_json(data: bytes, *, location: str = "") -> ParseResult[Vulnerability]:
    """One JSON document (plain, gzip or xz): a record, or an array of records."""
    result: ParseResult[Vulnerability] = ParseResult()
    try:
        document = json.loads(decompress(data))
    except (ValueError, RecursionError) as error:
        result.rejected.append(
            rejection(SOURCE, location or "document", f"not valid JSON: {error}", location)
        )
        return result
    records = document if isinstance(document, list) else [document]
    for index, record in enumerate(records):
        _add(result, record, f"record {index}", location)
    return result


def parse_cve5_jsonl(data: bytes, *, location: str = "") -> ParseResult[Vulnerability]:
    """JSON Lines (plain, gzip or xz): one record per line."""
    try:
        stream = io.BytesIO(decompress(data))
    except FieldError as error:
        result: ParseResult[Vulnerability] = ParseResult()
        result.rejected.append(rejection(SOURCE, location or "stream", error, location))
        return result
    return _parse_stream(stream, location)


def _parse_stream(stream: io.BufferedIOBase, location: str) -> ParseResult[Vulnerability]:
    result: ParseResult[Vulnerability] = ParseResult()
    try:
        for number, line in iter_text_lines(stream):
            _add_line(result, number, line, location)
    except FieldError as error:
        result.rejected.append(rejection(SOURCE, location or "stream", error, location))
    return result


def _is_record_file(name: str) -> bool:
    name = name.rsplit("/", 1)[-1].lower()
    return name.endswith(_SUFFIXES) and (name.startswith("cve-") or ".jsonl" in name)


def _parse_member(data: bytes, name: str, location: str) -> ParseResult[Vulnerability]:
    if ".jsonl" in name.lower():
        return parse_cve5_jsonl(data, location=location)
    return parse_cve5_json(data, location=location)


def _read_zip(
    archive: zipfile.ZipFile, location: str, depth: int = 0
) -> ParseResult[Vulnerability]:
    """Record files of a zip archive, in name order; a zip inside (cvelistV5's daily bundle is
    a zip in a zip) is copied to a temporary file and read the same way."""
    result: ParseResult[Vulnerability] = ParseResult()
    for info in sorted(archive.infolist(), key=lambda member: member.filename):
        where = f"{location}!{info.filename}"
        if info.is_dir():
            continue
        if info.filename.lower().endswith(".zip") and depth < 2:
            with tempfile.TemporaryFile() as copy:
                with archive.open(info) as inner:
                    shutil.copyfileobj(inner, copy)
                result.extend(_read_zip_file(copy, where, depth + 1))
        elif _is_record_file(info.filename):
            result.extend(_parse_member(archive.read(info), info.filename, where))
    return result


def _read_zip_file(
    file: Path | IO[bytes], location: str, depth: int = 0
) -> ParseResult[Vulnerability]:
    try:
        with zipfile.ZipFile(file) as archive:
            return _read_zip(archive, location, depth)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as error:
        result: ParseResult[Vulnerability] = ParseResult()
        reason = f"not a readable zip archive: {error}"
        result.rejected.append(rejection(SOURCE, location or "archive", reason, location))
        return result


def fetch_cve5(
    client: HttpClient,
    destination: Path,
    *,
    url: str,
    etag: str = "",
    last_modified: str = "",
) -> FetchResult:
    """Download a bundle of CVE records to ``destination``, then :func:`read_cve5` it.

    There is no fixed address: cvelistV5 publishes a dated release asset each day
    (``<date>_all_CVEs_at_midnight.zip.zip``, or the hourly delta zip); a JSON Lines export of
    Vulnrichment or a single record file work as well.
    """
    return client.fetch(url, destination=destination, etag=etag, last_modified=last_modified)


def read_cve5(path: Path) -> ParseResult[Vulnerability]:
    """Records from a file, a zip archive or a directory tree, in sorted path order.

    Files: ``*.json`` (a record or an array) and ``*.jsonl`` (one record per line), each
    optionally ``.gz`` or ``.xz``; ``*.zip`` archives of those (nested zips too). In a
    directory or an archive (a cvelistV5 checkout or release, say) only ``.jsonl`` files and
    ``.json`` files named ``CVE-*`` are read, so ``delta.json`` is not taken for a record.
    """
    if path.suffix.lower() == ".zip":
        return _read_zip_file(path, str(path))
    if path.is_dir():
        result: ParseResult[Vulnerability] = ParseResult()
        for file in sorted(path.rglob("*")):
            name = file.name.lower()
            if file.is_file() and (_is_record_file(name) or name.endswith(".zip")):
                result.extend(read_cve5(file))
        return result
    location = str(path)
    if ".jsonl" in path.name.lower():
        with open_decompressed(path) as stream:
            return _parse_stream(stream, location)
    return parse_cve5_json(path.read_bytes(), location=location)
