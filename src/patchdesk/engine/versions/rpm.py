"""RPM versions: ``rpmvercmp()`` on bare strings and ``[epoch:]version[-release]`` as rpm 4.18.

``rpmvercmp`` splits a string into maximal runs of ASCII digits and of ASCII letters, plus the
single characters ``~`` and ``^``; every other character (non-ASCII included) only separates
runs. Runs compare left to right: ``~`` sorts before anything, even the end of the string; the
end sorts before ``^``; ``^`` sorts before any run; a digit run is newer than a letter run;
digit runs compare as numbers of any length, letter runs with ``strcmp``. A string with runs
left over is newer.

An EVR string is split as rpm's ``parseEVR()`` does (digits then ``:`` make the epoch; the
release follows the *last* ``-``) and compared as ``rpmverCmp()``: epoch (missing = ``0``),
version and release each with ``rpmvercmp``, a missing release older than any release.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from patchdesk.engine.model.platform import PackageFormat
from patchdesk.engine.versions.base import VersionBase, check_text
from patchdesk.engine.versions.errors import InvalidVersion, Reason
from patchdesk.engine.versions.keycodec import DIGIT_CACHE_LIMIT, encode_natural

__all__ = ["RpmVersion", "compare", "parse", "rpmvercmp", "sort_key", "vercmp_key"]

KIND = PackageFormat.RPM

# Token classes of a vercmp key, in rpmvercmp's order: tilde < end < caret < letters < digits.
_TILDE = b"\x01"
_END = b"\x02"
_CARET = b"\x03"
_ALPHA = b"\x04"
_NUMBER = b"\x05"
_NO_RELEASE = b"\x00"  # below every vercmp key: rpmverCmp ranks a missing release lowest

_TOKENS = re.compile(r"[0-9]+|[A-Za-z]+|[~^]")
_TOKEN_KEYS: dict[str, bytes] = {"~": _TILDE, "^": _CARET}


def _token_key(token: str) -> bytes:
    raw = token.encode("ascii")
    # Letters are > 0x00, so a terminating 0x00 gives strcmp order (a prefix sorts first).
    encoded = _NUMBER + encode_natural(raw) if token[0] in "0123456789" else _ALPHA + raw + b"\x00"
    if len(_TOKEN_KEYS) < DIGIT_CACHE_LIMIT:
        _TOKEN_KEYS[token] = encoded
    return encoded


def _fail(text: str, reason: Reason, detail: str) -> InvalidVersion:
    return InvalidVersion(KIND, text, reason, detail)


def _check(text: str) -> str:
    """Refuse what cannot reach rpm's C code unchanged: NUL, unencodable code points."""
    text = check_text(KIND, text)
    if "\x00" in text:
        raise _fail(text, Reason.NUL_CHARACTER, "contains a NUL character")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise _fail(text, Reason.NOT_ENCODABLE, "cannot be encoded as UTF-8") from exc
    return text


def vercmp_key(text: str) -> bytes:
    """Order-preserving key for ``rpmvercmp``: one class byte (and value) per run, then end."""
    cache = _TOKEN_KEYS
    tokens = _TOKENS.findall(_check(text))
    return b"".join([cache.get(token) or _token_key(token) for token in tokens]) + _END


def rpmvercmp(a: str, b: str) -> int:
    """rpm's ``rpmvercmp(a, b)`` on two bare strings: -1, 0 or 1."""
    key_a = vercmp_key(a)
    key_b = vercmp_key(b)
    return (key_a > key_b) - (key_a < key_b)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class RpmVersion(VersionBase):
    """A parsed EVR. ``epoch`` and ``release`` are ``None`` when the string has none."""

    kind: ClassVar[PackageFormat] = KIND
    text: str
    epoch: str | None
    version: str
    release: str | None
    key: bytes

    def __str__(self) -> str:
        return self.text


def _split(text: str) -> tuple[str | None, str, str | None]:
    """rpm's ``parseEVR()``: (epoch, version, release); an epoch written empty (``:1``) is 0."""
    if not text:
        raise _fail(text, Reason.EMPTY, "version string is empty")
    digits = len(text) - len(text.lstrip("0123456789"))
    hyphen = text.rfind("-", digits)
    epoch: str | None = None
    start = 0
    if text[digits : digits + 1] == ":":
        epoch = text[:digits] or "0"
        start = digits + 1
    if hyphen < 0:
        return epoch, text[start:], None
    return epoch, text[start:hyphen], text[hyphen + 1 :]


def _key(epoch: str | None, version: str, release: str | None) -> bytes:
    return (
        vercmp_key(epoch or "0")
        + vercmp_key(version)
        + (_NO_RELEASE if release is None else vercmp_key(release))
    )


def parse(text: str) -> RpmVersion:
    """Split an EVR string as rpm does (only the empty string is refused)."""
    text = _check(text)
    epoch, version, release = _split(text)
    return RpmVersion(
        text=text, epoch=epoch, version=version, release=release, key=_key(epoch, version, release)
    )


_RELEASE_MARK = "\x01"  # stands for the release hyphen in the one-pass tokenizer below
_FAST_TOKENS = re.compile(r"[0-9]+|[A-Za-z]+|[~^\x01]")
_TOKEN_KEYS[_RELEASE_MARK] = _END
_EPOCH_KEYS: dict[str, bytes] = {}


def _fast_key(text: str) -> bytes:
    """``_key(*_split(text))`` in one tokenizer pass, for ASCII text without control bytes.

    The release hyphen is replaced by a mark whose token key is the end byte, so a single
    ``findall`` yields the version's keys, its end, then the release's keys.
    """
    epoch_key = _ZERO_EPOCH
    colon = text.find(":")
    if colon >= 0 and (colon == 0 or text[:colon].isdigit()):
        epoch = text[:colon] or "0"
        epoch_key = _EPOCH_KEYS.get(epoch) or _epoch_key(epoch)
        text = text[colon + 1 :]
    hyphen = text.rfind("-")
    cache = _TOKEN_KEYS
    if hyphen < 0:
        tokens = _FAST_TOKENS.findall(text)
        tail = _END + _NO_RELEASE
    else:
        tokens = _FAST_TOKENS.findall(f"{text[:hyphen]}{_RELEASE_MARK}{text[hyphen + 1 :]}")
        tail = _END
    return epoch_key + b"".join([cache.get(token) or _token_key(token) for token in tokens]) + tail


def _epoch_key(epoch: str) -> bytes:
    key = vercmp_key(epoch)
    if len(_EPOCH_KEYS) < DIGIT_CACHE_LIMIT:
        _EPOCH_KEYS[epoch] = key
    return key


_ZERO_EPOCH = vercmp_key("0")


def sort_key(text: str) -> bytes:
    """The order-preserving key of an EVR string."""
    if type(text) is str and text and text.isascii() and text.isprintable():
        return _fast_key(text)
    return _key(*_split(_check(text)))


def compare(a: str | RpmVersion, b: str | RpmVersion) -> int:
    """-1, 0 or 1 as rpm 4.18's ``rpmverCmp()`` orders two EVR strings."""
    key_a = a.key if isinstance(a, RpmVersion) else sort_key(a)
    key_b = b.key if isinstance(b, RpmVersion) else sort_key(b)
    return (key_a > key_b) - (key_a < key_b)
