"""Alpine (apk-tools) versions: ``digits{.digits}[letter]{_suffix[digits]}[~hash][-rN]``.

Validation is apk-tools' ``apk_version_validate()``; order is ``apk_version_compare()`` of the
current tokenizer (apk-tools 2.14 / 3.0 ``src/version.c``). Tokens compare left to right with
their values: numbers as C ``uint64_t`` (a longer run wraps modulo 2**64, as in apk), a
dotted number with a leading zero as a string, the letter by its byte, suffixes in the order
``alpha < beta < pre < rc < (none) < cvs < svn < git < hg < p``, the commit hash as a string.
Where the two strings have tokens of different kinds, a pre-release suffix is older than
anything; otherwise the token kind later in the grammar is older (``1.0 < 1.0.1``,
``1.0a < 1.0.1``, ``1.0-r1 > 1.0``, ``1.0_p1 > 1.0``, ``1.0_rc1 < 1.0``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from patchdesk.engine.model.platform import PackageFormat
from patchdesk.engine.versions.base import VersionBase, check_text
from patchdesk.engine.versions.errors import InvalidVersion, Reason
from patchdesk.engine.versions.keycodec import DIGIT_CACHE_LIMIT, wrap_uint64

__all__ = ["SUFFIXES", "ApkVersion", "compare", "parse", "sort_key"]

KIND = PackageFormat.APK
SUFFIXES = ("alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p")
"""Known suffixes, oldest first; the first four are pre-releases (older than no suffix)."""
_PRE_RELEASE = 4

# Token classes in the order apk gives tokens of *different* kinds at the same position.
_PRE_SUFFIX = 0x01
_END = 0x02
_REVISION = 0x03
_HASH = 0x04
_SUFFIX_NUMBER = 0x05
_POST_SUFFIX = 0x06
_LETTER = 0x07
_ZERO_LED = 0x08  # a dotted number with a leading zero: compared as a string
_NUMBER = 0x09

_VALID = re.compile(
    r"([0-9]+)((?:\.[0-9]+)*)([a-z]?)((?:_[a-z]+[0-9]*)*)(?:~([0-9a-f]+))?(?:-r([0-9]+))?"
)
_SUFFIX_PARTS = re.compile(r"_([a-z]+)([0-9]*)")
_SUFFIX_KEYS = {
    name: bytes((_PRE_SUFFIX if rank < _PRE_RELEASE else _POST_SUFFIX, rank))
    for rank, name in enumerate(SUFFIXES)
}


_U64: dict[str, bytes] = {}
_DOTTED: dict[str, bytes] = {}


def _u64(digits: str) -> bytes:
    """A number as apk holds it (``uint64_t``, wrapping), 8 bytes big-endian; cached."""
    encoded = _U64.get(digits)
    if encoded is None:
        encoded = wrap_uint64(digits).to_bytes(8, "big")
        if len(_U64) < DIGIT_CACHE_LIMIT:
            _U64[digits] = encoded
    return encoded


def _dotted(number: str) -> bytes:
    """A ``.number`` token: with a leading zero a string (0x00-terminated), else a number."""
    encoded = _DOTTED.get(number)
    if encoded is None:
        if number[0] == "0":
            encoded = b"%c%s\x00" % (_ZERO_LED, number.encode("ascii"))
        else:
            encoded = bytes((_NUMBER,)) + _u64(number)
        if len(_DOTTED) < DIGIT_CACHE_LIMIT:
            _DOTTED[number] = encoded
    return encoded


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ApkVersion(VersionBase):
    """A valid apk version; ``key`` is its sort key."""

    kind: ClassVar[PackageFormat] = KIND
    text: str
    key: bytes

    def __str__(self) -> str:
        return self.text


def _fail(text: str, reason: Reason, detail: str) -> InvalidVersion:
    return InvalidVersion(KIND, text, reason, detail)


_ORDER = ("number", "letter", "suffix", "commit hash", "revision")
_Step = tuple[int, int] | tuple[Reason, str]


def _count(text: str, allowed: str) -> int:
    return len(text) - len(text.lstrip(allowed))


def _suffix(text: str, pos: int) -> _Step:
    suffix = _SUFFIX_PARTS.match(text, pos)
    name = suffix.group(1) if suffix else ""
    if suffix is None or name not in SUFFIXES:
        return Reason.APK_UNKNOWN_SUFFIX, f"unknown suffix _{name} at offset {pos}"
    return 2, suffix.end()


def _commit_hash(text: str, pos: int) -> _Step:
    count = _count(text[pos + 1 :], "0123456789abcdef")
    if not count:
        return Reason.APK_MISSING_HASH, f"no hex commit hash after '~' at offset {pos}"
    return 3, pos + 1 + count


def _revision(text: str, pos: int) -> _Step:
    if text[pos + 1 : pos + 2] != "r":
        return Reason.APK_MISPLACED, f"'-' at offset {pos} is not followed by 'r' and a number"
    count = _count(text[pos + 2 :], "0123456789")
    if not count:
        return Reason.APK_MISSING_NUMBER, f"no digits after '-r' at offset {pos}"
    return 4, pos + 2 + count


# A marker character, the last stage after which it may come, and how to read what follows.
_MARKERS = {"_": (2, _suffix), "~": (2, _commit_hash), "-": (3, _revision)}


def _step(text: str, pos: int, stage: int) -> _Step:
    """One token of apk's grammar at ``pos``: (new stage, new pos), or (reason, detail)."""
    char = text[pos]
    where = f"{char!r} at offset {pos}"
    if char == "." and stage == 0:
        count = _count(text[pos + 1 :], "0123456789")
        if not count:
            return Reason.APK_MISSING_NUMBER, f"no digits after {where}"
        return 0, pos + 1 + count
    if "a" <= char <= "z" and stage == 0:
        return 1, pos + 1
    marker = _MARKERS.get(char)
    if marker is not None and stage <= marker[0]:
        return marker[1](text, pos)
    if char in ".~_-0123456789" or "a" <= char <= "z":
        return Reason.APK_MISPLACED, f"{where} may not follow a {_ORDER[stage]}"
    return Reason.APK_BAD_CHARACTER, f"{where} is not allowed"


def _diagnose(text: str) -> InvalidVersion:
    """Why ``apk_version_validate()`` refuses ``text``: walk its grammar to the first fault."""
    if "\x00" in text:
        return _fail(text, Reason.NUL_CHARACTER, "contains a NUL character")
    pos = len(text) - len(text.lstrip("0123456789"))
    if pos == 0:
        return _fail(text, Reason.APK_NO_LEADING_DIGIT, "does not start with a digit")
    stage = 0  # index into _ORDER of the last token kind seen
    while pos < len(text):
        first, second = _step(text, pos, stage)
        if isinstance(first, Reason):
            return _fail(text, first, str(second))
        stage, pos = first, int(second)
    raise AssertionError(f"apk grammar walk accepted {text!r}")  # pragma: no cover


def _key(text: str) -> bytes:
    match = _VALID.fullmatch(text)
    if match is None:
        raise _diagnose(text)
    initial, dotted, letter, suffixes, commit, revision = match.groups()
    pieces = [_u64(initial)]
    if dotted:
        pieces += [_dotted(number) for number in dotted[1:].split(".")]
    if letter:
        pieces.append(bytes((_LETTER, ord(letter))))
    for name, number in _SUFFIX_PARTS.findall(suffixes) if suffixes else ():
        suffix_key = _SUFFIX_KEYS.get(name)
        if suffix_key is None:
            raise _diagnose(text)
        pieces.append(suffix_key)
        if number:
            pieces.append(bytes((_SUFFIX_NUMBER,)) + _u64(number))
    if commit is not None:
        pieces.append(b"%c%s\x00" % (_HASH, commit.encode("ascii")))
    if revision is not None:
        pieces.append(bytes((_REVISION,)) + _u64(revision))
    pieces.append(bytes((_END,)))
    return b"".join(pieces)


def parse(text: str) -> ApkVersion:
    """Parse an apk version; InvalidVersion when apk-tools would refuse it."""
    text = check_text(KIND, text)
    return ApkVersion(text=text, key=_key(text))


def sort_key(text: str) -> bytes:
    """The order-preserving key of an apk version string."""
    return _key(check_text(KIND, text))


def compare(a: str | ApkVersion, b: str | ApkVersion) -> int:
    """-1, 0 or 1 as ``apk_version_compare()`` orders two valid versions."""
    key_a = a.key if isinstance(a, ApkVersion) else sort_key(a)
    key_b = b.key if isinstance(b, ApkVersion) else sort_key(b)
    return (key_a > key_b) - (key_a < key_b)
