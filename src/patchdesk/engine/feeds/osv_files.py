"""Reading OSV exports from files: single JSON files, directories, zip archives, JSON Lines.

Supported layouts (the vendor's own downloads and osv.dev's):

* a single record ``ALSA-2024-4312.json`` (also ``.json.gz`` / ``.json.xz``), or a JSON array
  of records;
* a directory of such files, read recursively in sorted path order (other files are ignored);
* a zip archive (osv.dev's ``<ecosystem>/all.zip``): every member must be a ``.json`` record;
* JSON Lines, one record per line: ``.jsonl`` / ``.ndjson``, optionally ``.gz`` / ``.xz``.

:func:`iter_osv_export` streams (an export never has to fit in memory twice);
:func:`read_osv_export` collects a :class:`~patchdesk.engine.feeds.result.ParseResult`.
A damaged file, member or line becomes a rejection with its location; reading goes on.
"""

from __future__ import annotations

import gzip
import io
import json
import lzma
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

from patchdesk.engine.feeds.osv import parse_osv_record
from patchdesk.engine.feeds.result import ParseResult, Rejection
from patchdesk.engine.model.advisory import Advisory

__all__ = [
    "MAX_RECORD_BYTES",
    "iter_osv_export",
    "parse_osv_json",
    "parse_osv_jsonl",
    "read_osv_export",
]

MAX_RECORD_BYTES: Final = 32 * 1024 * 1024
"""Largest single OSV document (file, zip member or line) accepted; larger ones are rejected."""

_JSON_SUFFIXES: Final = (".json", ".json.gz", ".json.xz")
_JSONL_SUFFIXES: Final = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".jsonl.xz", ".ndjson.xz")
_DECOMPRESS_ERRORS: Final = (OSError, EOFError, lzma.LZMAError, zlib.error)

Item = Advisory | Rejection


def _emit(result: ParseResult[Advisory]) -> Iterator[Item]:
    yield from result.rejected
    yield from result.records


def _open(path: Path) -> io.BufferedIOBase:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rb")
    if path.name.endswith(".xz"):
        return lzma.open(path, "rb")
    return path.open("rb")


def parse_osv_json(data: bytes, *, source: str, location: str = "") -> ParseResult[Advisory]:
    """One JSON document: a record, or an array of records."""
    result: ParseResult[Advisory] = ParseResult()
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as error:
        reason = f"not valid JSON: {str(error)[:200]}"
        result.rejected.append(
            Rejection(source=source, record_id=location or "?", reason=reason, location=location)
        )
        return result
    if isinstance(document, list):
        for index, record in enumerate(document):
            result.extend(parse_osv_record(record, source=source, location=f"{location}[{index}]"))
    else:
        result.extend(parse_osv_record(document, source=source, location=location))
    return result


def parse_osv_jsonl(lines: Iterable[bytes], *, source: str, location: str = "") -> Iterator[Item]:
    """JSON Lines: one record per line; blank lines are skipped."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{location} line {number}".strip()
        if len(line) > MAX_RECORD_BYTES:
            yield Rejection(source=source, record_id=where, reason="line too long", location=where)
            continue
        yield from _emit(parse_osv_json(line, source=source, location=where))


def _too_big(source: str, where: str, size: int) -> Rejection:
    reason = f"{size} bytes, more than the {MAX_RECORD_BYTES} accepted for one record"
    return Rejection(source=source, record_id=where, reason=reason, location=where)


def _read_limited(stream: io.BufferedIOBase) -> bytes | None:
    data = stream.read(MAX_RECORD_BYTES + 1)
    return None if len(data) > MAX_RECORD_BYTES else data


def _iter_zip(path: Path, source: str) -> Iterator[Item]:
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            where = f"{path.name}:{info.filename}"
            if not info.filename.endswith(".json"):
                reason = "zip member is not a .json OSV record"
                yield Rejection(source=source, record_id=where, reason=reason, location=where)
                continue
            if info.file_size > MAX_RECORD_BYTES:
                yield _too_big(source, where, info.file_size)
                continue
            try:
                with archive.open(info) as member:
                    data = member.read()
            except (zipfile.BadZipFile, *_DECOMPRESS_ERRORS) as error:
                reason = f"unreadable zip member: {error}"
                yield Rejection(source=source, record_id=where, reason=reason, location=where)
                continue
            yield from _emit(parse_osv_json(data, source=source, location=where))


def _iter_file(path: Path, source: str, where: str) -> Iterator[Item]:
    name = path.name.lower()
    if name.endswith(".zip"):
        yield from _iter_zip(path, source)
    elif name.endswith(_JSONL_SUFFIXES):
        with _open(path) as stream:
            yield from parse_osv_jsonl(stream, source=source, location=where)
    else:
        with _open(path) as stream:
            data = _read_limited(stream)
        if data is None:
            yield _too_big(source, where, MAX_RECORD_BYTES + 1)
        else:
            yield from _emit(parse_osv_json(data, source=source, location=where))


def iter_osv_export(path: Path, *, source: str) -> Iterator[Item]:
    """Advisories and rejections from an OSV export at ``path``, in a stable order."""
    if path.is_dir():
        files = sorted(
            file
            for file in path.rglob("*")
            if file.is_file()
            and file.name.lower().endswith(_JSON_SUFFIXES + _JSONL_SUFFIXES)
            and not any(part.startswith(".") for part in file.relative_to(path).parts)
        )
    else:
        files = [path]
    for file in files:
        where = str(file.relative_to(path)) if file != path else file.name
        try:
            yield from _iter_file(file, source, where)
        except (zipfile.BadZipFile, *_DECOMPRESS_ERRORS) as error:
            reason = f"unreadable file: {type(error).__name__}: {error}"
            yield Rejection(source=source, record_id=where, reason=reason, location=where)


def read_osv_export(path: Path, *, source: str) -> ParseResult[Advisory]:
    """Everything :func:`iter_osv_export` yields, collected."""
    result: ParseResult[Advisory] = ParseResult()
    for item in iter_osv_export(path, source=source):
        if isinstance(item, Rejection):
            result.rejected.append(item)
        else:
            result.records.append(item)
    return result
