"""Byte encodings shared by the sort keys: natural numbers of any length, in order.

A sort key is compared with plain byte order (Python ``bytes``, SQLite ``BLOB``, PostgreSQL
``bytea``), so every piece of a key must be *order-preserving* (``x < y`` exactly when
``enc(x) < enc(y)``) and *self-delimiting* (no encoding is a proper prefix of another), which
makes a concatenation of pieces compare like the tuple of the pieces.
"""

from __future__ import annotations

__all__ = ["DIGIT_CACHE_LIMIT", "encode_natural", "wrap_uint64"]

DIGIT_CACHE_LIMIT = 1 << 16
"""How many distinct digit runs a module-level encoding cache may hold before it stops growing."""

_UINT64 = 1 << 64
_INT_CHUNK = 1000  # digits per int() call: stays below Python's int-from-str digit limit


def encode_natural(digits: bytes) -> bytes:
    """Encode a run of ASCII digits as the natural number it denotes (leading zeros ignored).

    ``len`` byte then the digits when the number has fewer than 255 significant digits; longer
    numbers get ``0xff``, the recursively encoded digit count, then the digits. Numbers with more
    digits are larger and a length never prefixes a shorter one, so the encoding is
    order-preserving and self-delimiting for any length.
    """
    significant = digits.lstrip(b"0")
    count = len(significant)
    if count < 0xFF:
        return bytes((count,)) + significant
    return b"\xff" + encode_natural(str(count).encode("ascii")) + significant


def wrap_uint64(digits: str) -> int:
    """The value of a decimal digit string modulo 2**64, as C's unchecked ``uint64_t`` gets it."""
    value = 0
    for start in range(0, len(digits), _INT_CHUNK):
        chunk = digits[start : start + _INT_CHUNK]
        value = (value * 10 ** len(chunk) + int(chunk)) % _UINT64
    return value
