"""Split untrusted command output into lines, rejecting garbled or hostile ones with a count.

Everything a host prints is data. A line is rejected (and counted) when it is not UTF-8, is
longer than :data:`MAX_LINE_CHARS`, contains control characters, or was cut off by truncated
output; the parser then sees only clean text. Parsers add their own rejections (a field that
fails validation) through the same :class:`Rejections`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from patchdesk.engine.model.inventory import CollectionWarning

__all__ = [
    "MAX_LINE_CHARS",
    "Rejections",
    "describe",
    "iter_lines",
    "iter_records",
    "split_sections",
]

MAX_LINE_CHARS: Final = 4096
_MAX_EXAMPLES: Final = 5
_PREVIEW_CHARS: Final = 60
_ALLOWED_CONTROLS: Final = frozenset("\t")


def describe(text: str) -> str:
    """A short, printable preview of untrusted text for a warning message."""
    preview = text[:_PREVIEW_CHARS].encode("unicode_escape").decode("ascii")
    return preview + ("..." if len(text) > _PREVIEW_CHARS else "")


@dataclass(slots=True)
class Rejections:
    """Counts rejected lines of one command's output, keeping the first few reasons."""

    source: str
    count: int = 0
    examples: list[str] = field(default_factory=list)

    def reject(self, line_no: int, reason: str) -> None:
        self.count += 1
        if len(self.examples) < _MAX_EXAMPLES:
            self.examples.append(f"line {line_no}: {reason}")

    def warning(self) -> CollectionWarning | None:
        if not self.count:
            return None
        return CollectionWarning(
            source=self.source,
            code="rejected_lines",
            count=self.count,
            message=f"{self.count} line(s) of {self.source} output rejected",
            examples=tuple(self.examples),
        )


def _check(raw: bytes, line_no: int, rejections: Rejections) -> str | None:
    if len(raw) > MAX_LINE_CHARS * 4:
        rejections.reject(line_no, f"line of {len(raw)} bytes is too long")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        rejections.reject(line_no, "not UTF-8")
        return None
    text = text.removesuffix("\r")
    if len(text) > MAX_LINE_CHARS:
        rejections.reject(line_no, f"line of {len(text)} characters is too long")
        return None
    if any(not ch.isprintable() and ch not in _ALLOWED_CONTROLS for ch in text):
        rejections.reject(line_no, f"control characters in {describe(text)!r}")
        return None
    return text


def iter_records(
    data: bytes,
    rejections: Rejections,
    *,
    separator: bytes = b"\n",
    is_truncated: bool = False,
    needs_terminator: bool = False,
) -> Iterator[tuple[int, str]]:
    """``(record number, text)`` for each clean record; blank records are skipped silently.

    The last record, when not terminated, is rejected if the output was truncated or the
    format always terminates records (``needs_terminator``): it may be cut in the middle.
    """
    parts = data.split(separator)
    tail = parts.pop() if parts else b""
    for line_no, raw in enumerate(parts, start=1):
        if not raw.strip():
            continue
        text = _check(raw, line_no, rejections)
        if text is not None:
            yield line_no, text
    if tail.strip():
        if is_truncated or needs_terminator:
            rejections.reject(len(parts) + 1, "incomplete last line (output cut off)")
        else:
            text = _check(tail, len(parts) + 1, rejections)
            if text is not None:
                yield len(parts) + 1, text


def iter_lines(
    data: bytes, rejections: Rejections, *, is_truncated: bool = False
) -> Iterator[tuple[int, str]]:
    """Newline-separated records; see :func:`iter_records`."""
    return iter_records(data, rejections, is_truncated=is_truncated)


def split_sections(
    text_lines: list[tuple[int, str]], marker: str, rejections: Rejections
) -> dict[str, list[str]]:
    """Group lines under ``@@<marker> NAME@@`` headers (as printed by the collection scripts).

    Lines before the first header are dropped. A header that appears twice (a host file that
    prints one itself) makes that section ambiguous: it is dropped and counted as rejected.
    """
    sections: dict[str, list[str]] = {}
    seen_twice: set[str] = set()
    current: list[str] | None = None
    prefix = f"@@{marker} "
    for line_no, line in text_lines:
        if line.startswith(prefix) and line.endswith("@@"):
            name = line[len(prefix) : -2]
            if name in sections:
                seen_twice.add(name)
                rejections.reject(line_no, f"section {describe(name)!r} appears twice")
            current = sections.setdefault(name, [])
            continue
        if current is not None and line.strip():
            current.append(line)
    for name in seen_twice:
        del sections[name]
    return sections
