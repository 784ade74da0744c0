"""Straightforward step-by-step versions of the three comparison algorithms, for the tests.

These follow the C code of dpkg 1.21 (``verrevcmp``), rpm 4.18 (``rpmvercmp``, ``rpmverCmp``)
and apk-tools (``apk_version_compare``) one character at a time, with none of the key tricks of
``patchdesk.engine.versions``. The property tests check that the byte keys order every version
exactly as these do; the differential tests check both against the real tools.
"""

from __future__ import annotations

__all__ = ["apk_compare", "apk_valid", "dpkg_compare", "rpm_evr_compare", "rpmvercmp"]


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)


def _is_digit(byte: int) -> bool:
    return 0x30 <= byte <= 0x39


def _is_alpha(byte: int) -> bool:
    return 0x41 <= byte <= 0x5A or 0x61 <= byte <= 0x7A


def _order(byte: int | None) -> int:
    """dpkg's ``order()`` for a (signed, x86) ``char``; None is the end of the string."""
    if byte is None or _is_digit(byte):
        return 0
    if _is_alpha(byte):
        return byte
    if byte == 0x7E:
        return -1
    signed = byte - 256 if byte >= 0x80 else byte
    return signed + 256


def verrevcmp(a: bytes, b: bytes) -> int:
    i = j = 0
    while i < len(a) or j < len(b):
        first_diff = 0
        while (i < len(a) and not _is_digit(a[i])) or (j < len(b) and not _is_digit(b[j])):
            ac = _order(a[i] if i < len(a) else None)
            bc = _order(b[j] if j < len(b) else None)
            if ac != bc:
                return _sign(ac - bc)
            i += 1
            j += 1
        while i < len(a) and a[i] == 0x30:
            i += 1
        while j < len(b) and b[j] == 0x30:
            j += 1
        while i < len(a) and _is_digit(a[i]) and j < len(b) and _is_digit(b[j]):
            if not first_diff:
                first_diff = a[i] - b[j]
            i += 1
            j += 1
        if i < len(a) and _is_digit(a[i]):
            return 1
        if j < len(b) and _is_digit(b[j]):
            return -1
        if first_diff:
            return _sign(first_diff)
    return 0


def dpkg_compare(a: tuple[int, str, str], b: tuple[int, str, str]) -> int:
    """``dpkg_version_compare`` on (epoch, upstream, revision)."""
    if a[0] != b[0]:
        return _sign(a[0] - b[0])
    result = verrevcmp(a[1].encode(), b[1].encode())
    return result or verrevcmp(a[2].encode(), b[2].encode())


def _rpm_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _rpm_segment(text: str, start: int, digits: bool) -> int:
    end = start
    while (
        end < len(text)
        and text[end].isascii()
        and (text[end].isdigit() if digits else text[end].isalpha())
    ):
        end += 1
    return end


def rpmvercmp(a: str, b: str) -> int:  # noqa: PLR0911, PLR0912 - one branch per rpm rule
    if a == b:
        return 0
    i = j = 0
    while i < len(a) or j < len(b):
        while i < len(a) and not _rpm_alnum(a[i]) and a[i] not in "~^":
            i += 1
        while j < len(b) and not _rpm_alnum(b[j]) and b[j] not in "~^":
            j += 1
        one = a[i] if i < len(a) else ""
        two = b[j] if j < len(b) else ""
        if "~" in (one, two):
            if one != "~":
                return 1
            if two != "~":
                return -1
            i, j = i + 1, j + 1
            continue
        if "^" in (one, two):
            if not one:
                return -1
            if not two:
                return 1
            if one != "^":
                return 1
            if two != "^":
                return -1
            i, j = i + 1, j + 1
            continue
        if not (one and two):
            break
        is_number = one.isdigit()
        end_i, end_j = _rpm_segment(a, i, is_number), _rpm_segment(b, j, is_number)
        seg_a, seg_b = a[i:end_i], b[j:end_j]
        if not seg_b:
            return 1 if is_number else -1
        if is_number:
            seg_a, seg_b = seg_a.lstrip("0"), seg_b.lstrip("0")
            if len(seg_a) != len(seg_b):
                return 1 if len(seg_a) > len(seg_b) else -1
        if seg_a != seg_b:
            return -1 if seg_a < seg_b else 1
        i, j = end_i, end_j
    if i >= len(a) and j >= len(b):
        return 0
    return -1 if i >= len(a) else 1


def rpm_evr_compare(
    a: tuple[str | None, str, str | None], b: tuple[str | None, str, str | None]
) -> int:
    """``rpmverCmp`` on (epoch, version, release): missing epoch is "0", missing release lowest."""
    result = rpmvercmp(a[0] or "0", b[0] or "0") or rpmvercmp(a[1], b[1])
    if result or (a[2] is None and b[2] is None):
        return result
    if a[2] is None or b[2] is None:
        return -1 if a[2] is None else 1
    return rpmvercmp(a[2], b[2])


# --- apk: the token walk of apk-tools' version.c ------------------------------------------
INITIAL, DIGIT, LETTER, SUFFIX, SUFFIX_NO, COMMIT_HASH, REVISION_NO, END, INVALID = range(9)
SUFFIXES = ("alpha", "beta", "pre", "rc", "", "cvs", "svn", "git", "hg", "p")
NONE_SUFFIX = 4


class _Token:
    def __init__(self) -> None:
        self.kind = INITIAL
        self.number = 0
        self.value = ""
        self.suffix = -1


def _digits(token: _Token, text: str, pos: int) -> int:
    end = pos
    while end < len(text) and "0" <= text[end] <= "9":
        end += 1
    token.value = text[pos:end]
    token.number = 0
    for char in token.value:
        token.number = (token.number * 10 + int(char)) % 2**64
    if not token.value:
        token.kind = INVALID
    return end


def _next(token: _Token, text: str, pos: int) -> int:  # noqa: PLR0911, PLR0912
    if pos >= len(text):
        token.kind = END
        return pos
    char = text[pos]
    if "a" <= char <= "z":
        if token.kind > DIGIT:
            token.kind = INVALID
            return pos
        token.value, token.kind = char, LETTER
        return pos + 1
    if char == "." or "0" <= char <= "9":
        if char == "." and token.kind > DIGIT:
            token.kind = INVALID
            return pos
        if token.kind in (INITIAL, DIGIT):
            token.kind = DIGIT
        elif token.kind == SUFFIX:
            token.kind = SUFFIX_NO
        else:
            token.kind = INVALID
            return pos
        return _digits(token, text, pos + (char == "."))
    if char == "_" and token.kind <= SUFFIX_NO:
        end = pos + 1
        while end < len(text) and "a" <= text[end] <= "z":
            end += 1
        name = text[pos + 1 : end]
        if not name or name not in SUFFIXES:
            token.kind = INVALID
            return pos
        token.value, token.suffix, token.kind = name, SUFFIXES.index(name), SUFFIX
        return end
    if char == "~" and token.kind < COMMIT_HASH:
        end = pos + 1
        while end < len(text) and text[end] in "0123456789abcdef":
            end += 1
        token.value, token.kind = text[pos + 1 : end], COMMIT_HASH
        if not token.value:
            token.kind = INVALID
        return end
    if char == "-" and token.kind < REVISION_NO and text[pos + 1 : pos + 2] == "r":
        token.kind = REVISION_NO
        return _digits(token, text, pos + 2)
    token.kind = INVALID
    return pos


def _token_cmp(a: _Token, b: _Token) -> int:
    if a.kind == DIGIT and (a.value[0] == "0" or b.value[0] == "0"):
        return _sign((a.value > b.value) - (a.value < b.value))
    if a.kind in (DIGIT, INITIAL, SUFFIX_NO, REVISION_NO):
        return _sign(a.number - b.number)
    if a.kind == LETTER:
        return _sign(ord(a.value) - ord(b.value))
    if a.kind == SUFFIX:
        return _sign(a.suffix - b.suffix)
    return (a.value > b.value) - (a.value < b.value)


def _first(token: _Token, text: str) -> int:
    token.kind = INITIAL
    return _digits(token, text, 0)


def apk_valid(text: str) -> bool:
    token = _Token()
    pos = _first(token, text)
    while token.kind < END:
        pos = _next(token, text, pos)
    return token.kind == END


def apk_compare(a: str, b: str) -> int:
    ta, tb = _Token(), _Token()
    pa, pb = _first(ta, a), _first(tb, b)
    while ta.kind == tb.kind and ta.kind < END:
        result = _token_cmp(ta, tb)
        if result:
            return result
        pa, pb = _next(ta, a, pa), _next(tb, b, pb)
    if ta.kind == tb.kind:
        return 0
    if ta.kind == SUFFIX and ta.suffix < NONE_SUFFIX:
        return -1
    if tb.kind == SUFFIX and tb.suffix < NONE_SUFFIX:
        return 1
    return -1 if ta.kind > tb.kind else 1
