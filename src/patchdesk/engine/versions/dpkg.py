"""Debian versions, ``[epoch:]upstream[-revision]``, validated and ordered exactly as dpkg 1.21.

Validation follows ``parseversion()`` of libdpkg 1.21 step by step (leading and trailing blanks
are trimmed; the epoch is read with C ``strtol`` up to the *first* colon; the revision starts
after the *last* hyphen). Errors raise :class:`InvalidVersion`; what dpkg only warns about is
accepted and kept in :attr:`DpkgVersion.warning` (``strict=True`` refuses it too).

Order is dpkg's ``verrevcmp()`` applied to epoch, upstream and revision (Debian Policy
§5.6.12), computed through an order-preserving byte key: see ``docs/versions.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from patchdesk.engine.model.platform import PackageFormat
from patchdesk.engine.versions.base import VersionBase, check_text
from patchdesk.engine.versions.errors import InvalidVersion, Reason
from patchdesk.engine.versions.keycodec import DIGIT_CACHE_LIMIT, encode_natural

__all__ = ["EPOCH_MAX", "DpkgVersion", "compare", "parse", "sort_key"]

KIND = PackageFormat.DPKG
EPOCH_MAX = 2**31 - 1
"""dpkg refuses an epoch above ``INT_MAX`` ("epoch in version is too big")."""

_LONG_MAX = 2**63 - 1
_BLANKS = b" \t"  # C isblank()
_C_SPACES = b" \t\n\v\f\r"  # C isspace(), skipped by strtol()
_LETTERS = [*range(0x41, 0x5B), *range(0x61, 0x7B)]
_DIGITS = range(0x30, 0x3A)


def _build_weights() -> tuple[bytes, int]:
    """A byte translation giving each non-digit byte its verrevcmp weight, digits unchanged.

    verrevcmp's ``order()`` ranks ``~`` < end of part < letters (by ASCII) < bytes >= 0x80 (a
    signed ``char`` plus 256) < every other ASCII byte (plus 256). Those 246 ranks (with the
    terminator) fit exactly in the 246 byte values that are not ASCII digits.
    """
    others = [c for c in range(1, 0x80) if c not in _DIGITS and c not in _LETTERS and c != 0x7E]
    ranked = [0x7E, -1, *_LETTERS, *range(0x80, 0x100), *others]
    codes = [c for c in range(0x100) if c not in _DIGITS]
    table = bytearray(range(0x100))
    terminator = 0
    for source, code in zip(ranked, codes, strict=True):
        if source < 0:
            terminator = code
        else:
            table[source] = code
    return bytes(table), terminator


_WEIGHTS, _TERM_CODE = _build_weights()
_TERM = bytes((_TERM_CODE,))
_EMPTY_PAIR_END = _TERM + encode_natural(b"") + _TERM
_SPLIT_DIGITS = re.compile(rb"([0-9]+)")
_FAST = re.compile(r"(?:([0-9]{1,9}):)?([0-9][A-Za-z0-9.+~-]*)")
_BAD_UPSTREAM = re.compile(rb"[^0-9A-Za-z.+~:-]")
_BAD_REVISION = re.compile(rb"[^0-9A-Za-z.+~]")
_NOT_BLANK = re.compile(rb"[^ \t]*")
_RUNS: dict[bytes, bytes] = {}


def _run(digits: bytes) -> bytes:
    """Terminator plus the encoded number, for one digit run; cached (bounded)."""
    encoded = _TERM + encode_natural(digits)
    if len(_RUNS) < DIGIT_CACHE_LIMIT:
        _RUNS[digits] = encoded
    return encoded


def _part_key(part: bytes) -> bytes:
    """Order-preserving, self-delimiting key of an upstream version or a revision.

    verrevcmp walks (non-digit run, digit run) pairs; a part is the list of its pairs, the first
    always present, every later one with a non-empty non-digit run. Each pair becomes the weights
    of its non-digit run, the terminator and the encoded number; the part ends with one more
    terminator, which sorts after ``~`` and before everything else, as verrevcmp's end does.
    """
    pieces = _SPLIT_DIGITS.split(part.translate(_WEIGHTS))
    if len(pieces) == 1:
        return pieces[0] + _EMPTY_PAIR_END
    runs = _RUNS
    pieces[1::2] = [runs.get(run) or _run(run) for run in pieces[1::2]]
    pieces.append(_EMPTY_PAIR_END if pieces[-1] else _TERM)
    return b"".join(pieces)


def _key(epoch: int, upstream: bytes, revision: bytes) -> bytes:
    return _run(b"%d" % epoch) + _part_key(upstream) + _part_key(revision)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class DpkgVersion(VersionBase):
    """A parsed Debian version. ``==``/``<`` follow dpkg; ``key`` is its sort key."""

    kind: ClassVar[PackageFormat] = KIND
    text: str
    epoch: int
    upstream: str
    revision: str
    warning: Reason | None
    key: bytes

    def __str__(self) -> str:
        return self.text


def _fail(text: str, reason: Reason, detail: str) -> InvalidVersion:
    return InvalidVersion(KIND, text, reason, detail)


def _strtol(data: bytes) -> tuple[int, int, bool]:
    """C ``strtol(data, &end, 10)`` on a 64-bit ``long``: (value, end index, overflowed)."""
    start = 0
    while start < len(data) and data[start] in _C_SPACES:
        start += 1
    negative = start < len(data) and data[start] == 0x2D
    if start < len(data) and data[start] in b"+-":
        start += 1
    end = start
    while end < len(data) and data[end] in _DIGITS:
        end += 1
    if end == start:
        return 0, 0, False  # no conversion: end points at the start of the string
    significant = data[start:end].lstrip(b"0")
    if len(significant) > 19 or int(significant or b"0") > _LONG_MAX + negative:
        return (-_LONG_MAX - 1 if negative else _LONG_MAX), end, True
    value = int(significant or b"0")
    return (-value if negative else value), end, False


def _encode(text: str) -> bytes:
    if "\x00" in text:
        raise _fail(text, Reason.NUL_CHARACTER, "contains a NUL character")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _fail(text, Reason.NOT_ENCODABLE, "cannot be encoded as UTF-8") from exc


def _epoch(text: str, data: bytes, colon: int) -> int:
    """The epoch before the first colon, read and checked as ``parseversion()`` does."""
    epoch, epoch_end, overflow = _strtol(data)
    if epoch_end == 0:
        raise _fail(text, Reason.EPOCH_EMPTY, "epoch in version is empty")
    if epoch_end != colon:
        raise _fail(text, Reason.EPOCH_NOT_NUMBER, "epoch in version is not number")
    if epoch < 0:
        raise _fail(text, Reason.EPOCH_NEGATIVE, "epoch in version is negative")
    if epoch > EPOCH_MAX or overflow:
        raise _fail(text, Reason.EPOCH_TOO_BIG, "epoch in version is too big")
    if colon + 1 == len(data):
        raise _fail(text, Reason.NOTHING_AFTER_COLON, "nothing after colon in version number")
    return epoch


def _warning(upstream: bytes, revision: bytes) -> Reason | None:
    """The first of dpkg's warnings that applies (dpkg reports only one), or None."""
    if upstream[0] not in _DIGITS:
        return Reason.UPSTREAM_NOT_DIGIT
    if _BAD_UPSTREAM.search(upstream):
        return Reason.UPSTREAM_BAD_CHARACTER
    if _BAD_REVISION.search(revision):
        return Reason.REVISION_BAD_CHARACTER
    return None


def _split(text: str) -> tuple[int, bytes, bytes, Reason | None]:
    """``parseversion()``: (epoch, upstream, revision, first warning), or InvalidVersion."""
    data = _encode(text).lstrip(_BLANKS)
    if not data:
        raise _fail(text, Reason.EMPTY, "version string is empty")
    match = _NOT_BLANK.match(data)
    end = match.end() if match else 0
    if data[end:].lstrip(_BLANKS):
        raise _fail(text, Reason.EMBEDDED_SPACES, "version string has embedded spaces")
    colon = data.find(b":")
    epoch = 0
    version = data[:end]
    if colon >= 0:
        epoch = _epoch(text, data, colon)
        version = data[colon + 1 : end]
    upstream, hyphen, revision = version.rpartition(b"-")
    if not hyphen:
        upstream, revision = version, b""
    elif not revision:
        raise _fail(text, Reason.REVISION_EMPTY, "revision number is empty")
    if not upstream:
        raise _fail(text, Reason.UPSTREAM_EMPTY, "version number is empty")
    return epoch, upstream, revision, _warning(upstream, revision)


_WARNINGS = {
    Reason.UPSTREAM_NOT_DIGIT: "version number does not start with digit",
    Reason.UPSTREAM_BAD_CHARACTER: "invalid character in version number",
    Reason.REVISION_BAD_CHARACTER: "invalid character in revision number",
}


def parse(text: str, *, strict: bool = False) -> DpkgVersion:
    """Parse like dpkg. ``strict=True`` also refuses what dpkg accepts with a warning."""
    text = check_text(KIND, text)
    epoch, upstream, revision, warning = _split(text)
    if strict and warning is not None:
        raise _fail(text, warning, _WARNINGS[warning])
    return DpkgVersion(
        text=text,
        epoch=epoch,
        upstream=upstream.decode("utf-8"),
        revision=revision.decode("utf-8"),
        warning=warning,
        key=_key(epoch, upstream, revision),
    )


def sort_key(text: str) -> bytes:
    """The order-preserving key of a version string (InvalidVersion when dpkg refuses it)."""
    match = _FAST.fullmatch(text) if type(text) is str else None
    if match is None:
        epoch, upstream, revision, _ = _split(check_text(KIND, text))
        return _key(epoch, upstream, revision)
    epoch_text, version_text = match.groups()
    upstream_text, hyphen, revision_text = version_text.rpartition("-")
    if not hyphen:
        upstream_text, revision_text = version_text, ""
    elif not revision_text:
        _split(text)  # raises the exact error ("revision number is empty")
    epoch_digits = epoch_text.encode("ascii") if epoch_text else b"0"
    return (
        (_RUNS.get(epoch_digits) or _run(epoch_digits))
        + _part_key(upstream_text.encode("ascii"))
        + _part_key(revision_text.encode("ascii"))
    )


def compare(a: str | DpkgVersion, b: str | DpkgVersion) -> int:
    """-1, 0 or 1 as dpkg orders ``a`` and ``b``."""
    key_a = a.key if isinstance(a, DpkgVersion) else sort_key(a)
    key_b = b.key if isinstance(b, DpkgVersion) else sort_key(b)
    return (key_a > key_b) - (key_a < key_b)
