"""Typed access to decoded JSON for feed parsers: every wrong shape becomes a :class:`FieldError`.

Feed parsers read untrusted documents. These helpers turn "the value is missing", "it has the
wrong type" and "it is absurdly long" into one exception with a one-line reason, which the
parser turns into a :class:`~patchdesk.engine.feeds.result.Rejection` for that record only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Final

__all__ = [
    "MAX_NAME_CHARS",
    "MAX_TEXT_CHARS",
    "FieldError",
    "get_list",
    "get_mapping",
    "get_str",
    "get_str_list",
    "opt_list",
    "opt_mapping",
    "opt_str",
    "parse_timestamp",
]

JsonObject = Mapping[str, object]

MAX_NAME_CHARS: Final = 256
"""Longest identifier, package name or version accepted (longer ones reject the record)."""

MAX_TEXT_CHARS: Final = 65_536
"""Longest free text kept (summary, details); longer text is cut at this length."""


class FieldError(ValueError):
    """A field is missing, has the wrong type or an unusable value; ``str()`` is the reason."""


_TYPE_NAMES: Final = (
    (bool, "a boolean"),
    (int | float, "a number"),
    (str, "a string"),
    (Mapping, "an object"),
    (Sequence, "an array"),
)


def _describe(value: object) -> str:
    if value is None:
        return "null"
    for kind, name in _TYPE_NAMES:
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _check_name(key: str, value: str, limit: int | None) -> str:
    if limit is not None and len(value) > limit:
        raise FieldError(f"'{key}' is {len(value)} characters long (limit {limit})")
    return value


def get_str(obj: JsonObject, key: str, *, limit: int | None = MAX_NAME_CHARS) -> str:
    """A required, non-empty string (whitespace stripped), at most ``limit`` characters."""
    value = obj.get(key)
    if not isinstance(value, str):
        raise FieldError(f"'{key}' must be a string, got {_describe(value)}")
    value = value.strip()
    if not value:
        raise FieldError(f"'{key}' is empty")
    return _check_name(key, value, limit)


def opt_str(obj: JsonObject, key: str, *, limit: int | None = MAX_NAME_CHARS) -> str:
    """An optional string: ``""`` when absent or null. Free text passes ``limit=None``."""
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FieldError(f"'{key}' must be a string, got {_describe(value)}")
    if limit is None:
        return value[:MAX_TEXT_CHARS]
    return _check_name(key, value.strip(), limit)


def get_mapping(obj: JsonObject, key: str) -> JsonObject:
    value = obj.get(key)
    if not isinstance(value, Mapping):
        raise FieldError(f"'{key}' must be an object, got {_describe(value)}")
    return value


def opt_mapping(obj: JsonObject, key: str) -> JsonObject:
    value = obj.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise FieldError(f"'{key}' must be an object, got {_describe(value)}")
    return value


def get_list(obj: JsonObject, key: str) -> Sequence[object]:
    value = obj.get(key)
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise FieldError(f"'{key}' must be an array, got {_describe(value)}")
    return value


def opt_list(obj: JsonObject, key: str) -> Sequence[object]:
    if obj.get(key) is None:
        return ()
    return get_list(obj, key)


def get_str_list(obj: JsonObject, key: str, *, limit: int | None = None) -> tuple[str, ...]:
    """An optional array of strings (``()`` when absent); any non-string member raises."""
    values = opt_list(obj, key)
    for value in values:
        if not isinstance(value, str):
            raise FieldError(f"'{key}' must be an array of strings, found {_describe(value)}")
        if limit is not None and len(value) > limit:
            raise FieldError(f"a '{key}' entry is {len(value)} characters long (limit {limit})")
    return tuple(str(value) for value in values)


def parse_timestamp(value: object, *, field: str = "timestamp") -> datetime:
    """An RFC 3339 / ISO 8601 date or time, timezone-aware (UTC when the text names no zone)."""
    if not isinstance(value, str) or not value.strip():
        raise FieldError(f"'{field}' must be a date-time string, got {_describe(value)}")
    text = value.strip()
    if len(text) > 64:
        raise FieldError(f"'{field}' is not a date-time: {text[:64]!r}…")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise FieldError(f"'{field}' is not a date-time: {text!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed
