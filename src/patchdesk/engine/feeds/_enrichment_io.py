"""Shared plumbing of the enrichment parsers (CVE 5, NVD, KEV, EPSS, CSAF facts, CWE, EOL).

Private to ``engine/feeds``: opening plain / gzip / xz files and byte strings the same way,
splitting JSON Lines, CVE ids, calendar dates and English texts. Shape errors raise
:class:`~patchdesk.engine.feeds.json_fields.FieldError` with a one-line reason.
"""

from __future__ import annotations

import gzip
import io
import lzma
import re
import zlib
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Final

from patchdesk.engine.feeds.json_fields import FieldError
from patchdesk.engine.feeds.result import Rejection

__all__ = [
    "decode_text",
    "decompress",
    "english_text",
    "iter_text_lines",
    "normalize_cve_id",
    "open_decompressed",
    "parse_day",
    "rejection",
    "shorten",
]

_GZIP_MAGIC: Final = b"\x1f\x8b"
_XZ_MAGIC: Final = b"\xfd7zXZ\x00"
_CVE_ID: Final = re.compile(r"CVE-(\d{4})-(\d{4,19})", re.IGNORECASE)
_MAX_REASON_CHARS: Final = 300


def decompress(data: bytes) -> bytes:
    """``data`` itself, or its content when it is a gzip or xz stream (told by magic bytes)."""
    try:
        if data.startswith(_GZIP_MAGIC):
            return gzip.decompress(data)
        if data.startswith(_XZ_MAGIC):
            return lzma.decompress(data)
    except (OSError, EOFError, lzma.LZMAError, zlib.error) as error:
        raise FieldError(f"not a valid compressed stream: {error}") from None
    return data


def open_decompressed(path: Path) -> io.BufferedIOBase:
    """Open ``path`` for reading bytes, decompressing gzip or xz on the fly (by magic bytes)."""
    with path.open("rb") as probe:
        head = probe.read(len(_XZ_MAGIC))
    if head.startswith(_GZIP_MAGIC):
        return gzip.open(path, "rb")
    if head.startswith(_XZ_MAGIC):
        return lzma.open(path, "rb")
    return path.open("rb")


def iter_text_lines(stream: io.BufferedIOBase) -> Iterator[tuple[int, bytes]]:
    """``(line number, line)`` for each non-blank line; a broken stream raises FieldError."""
    try:
        for number, line in enumerate(stream, start=1):
            if line.strip():
                yield number, line
    except (OSError, EOFError, lzma.LZMAError, zlib.error) as error:
        raise FieldError(f"the stream is broken: {error}") from None


def decode_text(data: bytes) -> io.StringIO:
    """UTF-8 text (a leading byte-order mark dropped) as a file for :mod:`csv`."""
    try:
        return io.StringIO(decompress(data).decode("utf-8-sig"), newline="")
    except UnicodeDecodeError as error:
        raise FieldError(f"not UTF-8 text: {error}") from None


def normalize_cve_id(value: object, *, field: str = "cve") -> str:
    """``"cve-2024-6387"`` -> ``"CVE-2024-6387"``; anything else raises FieldError."""
    if not isinstance(value, str):
        raise FieldError(f"'{field}' must be a CVE id string, got {type(value).__name__}")
    match = _CVE_ID.fullmatch(value.strip())
    if match is None:
        raise FieldError(f"'{field}' is not a CVE id: {shorten(value, 40)!r}")
    return f"CVE-{match.group(1)}-{match.group(2)}"


def parse_day(value: object, *, field: str) -> date:
    """A calendar date ``YYYY-MM-DD`` (a date-time is cut to its date)."""
    if not isinstance(value, str):
        raise FieldError(f"'{field}' must be a date string, got {type(value).__name__}")
    text = value.strip()[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FieldError(f"'{field}' is not a date: {shorten(value, 40)!r}") from None


def english_text(entries: Sequence[object], *, key: str = "value") -> str:
    """The first entry whose ``lang`` is English (``en``, ``en-US`` ...), or ``""``."""
    fallback = ""
    for entry in entries:
        if not isinstance(entry, Mapping):
            raise FieldError("a description must be an object")
        lang = entry.get("lang")
        text = entry.get(key)
        if not isinstance(text, str) or not isinstance(lang, str):
            continue
        if lang.lower() == "en":
            return text.strip()
        if not fallback and lang.lower().startswith(("en-", "en_")):
            fallback = text.strip()
    return fallback


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def rejection(source: str, record_id: str, reason: object, location: str = "") -> Rejection:
    """A :class:`Rejection` with a one-line reason of bounded length."""
    return Rejection(
        source=source,
        record_id=shorten(record_id, 80),
        reason=shorten(str(reason), _MAX_REASON_CHARS),
        location=location,
    )
