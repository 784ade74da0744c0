"""Package versions: parse once, compare exactly like dpkg, rpm or apk, sort by byte keys.

    >>> from patchdesk.engine import versions
    >>> versions.compare("dpkg", "1.0~rc1-1", "1.0-1")
    -1
    >>> versions.sort_key("rpm", "1.2-3.el9") < versions.sort_key("rpm", "1.2-3.el9_1")
    True

``sort_key(kind, v)`` gives bytes whose plain byte order is the package manager's order and
which are equal exactly for equal versions, so Python can sort and bisect on them and
SQLite/PostgreSQL can index them (``BLOB``/``bytea``) and match ranges with ``<``/``>=``.
Strings the real tool refuses raise :class:`InvalidVersion`; ordering versions of different
kinds is a ``TypeError``. See ``docs/versions.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

from patchdesk.engine.model.platform import PackageFormat
from patchdesk.engine.versions import apk, dpkg, rpm
from patchdesk.engine.versions.apk import ApkVersion
from patchdesk.engine.versions.dpkg import DpkgVersion
from patchdesk.engine.versions.errors import InvalidVersion, Reason
from patchdesk.engine.versions.rpm import RpmVersion

__all__ = [
    "ApkVersion",
    "DpkgVersion",
    "InvalidVersion",
    "PackageFormat",
    "Reason",
    "RpmVersion",
    "Version",
    "compare",
    "parse",
    "sort_key",
]

Version: TypeAlias = DpkgVersion | RpmVersion | ApkVersion

_KEYS: dict[str, Callable[[str], bytes]] = {
    "dpkg": dpkg.sort_key,
    "rpm": rpm.sort_key,
    "apk": apk.sort_key,
}
_PARSERS: dict[str, Callable[[str], Version]] = {
    "dpkg": dpkg.parse,
    "rpm": rpm.parse,
    "apk": apk.parse,
}


def _unknown_kind(kind: object) -> Exception:
    if not isinstance(kind, str):
        return TypeError(f"kind must be 'dpkg', 'rpm' or 'apk', not {type(kind).__name__}")
    return ValueError(f"unknown version kind {kind!r}: expected 'dpkg', 'rpm' or 'apk'")


def _key(kind: str, value: str | Version) -> bytes:
    key_of = _KEYS.get(kind) if isinstance(kind, str) else None
    if key_of is None:
        raise _unknown_kind(kind)
    if type(value) is str:
        return key_of(value)
    if isinstance(value, DpkgVersion | RpmVersion | ApkVersion):
        if value.kind != kind:
            raise TypeError(f"a {value.kind} version is not a {kind} version")
        return value.key
    return key_of(value)  # a str subclass is accepted, anything else is a TypeError


def parse(kind: str, text: str) -> Version:
    """Parse ``text`` once into an immutable version of ``kind`` (``dpkg``, ``rpm``, ``apk``)."""
    parser = _PARSERS.get(kind) if isinstance(kind, str) else None
    if parser is None:
        raise _unknown_kind(kind)
    return parser(text)


def sort_key(kind: str, v: str | Version) -> bytes:
    """Order-preserving key: ``sort_key(a) < sort_key(b)`` exactly when ``compare(a, b) < 0``."""
    return _key(kind, v)


def compare(kind: str, a: str | Version, b: str | Version) -> int:
    """-1, 0 or 1 as the package manager of ``kind`` orders ``a`` and ``b``."""
    key_a = _key(kind, a)
    key_b = _key(kind, b)
    return (key_a > key_b) - (key_a < key_b)
