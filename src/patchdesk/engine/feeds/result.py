"""What a parser returns: the records it understood and the ones it rejected, with reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

__all__ = ["ParseResult", "Rejection"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class Rejection:
    """A record that could not be imported. The rest of the feed still imports."""

    source: str
    record_id: str  # the record's own id when it has one, else a location ("line 17")
    reason: str  # one line for the sync report, e.g. "invalid rpm version '1:': empty version"
    location: str = ""  # file name, line number, member of a zip ...


@dataclass(slots=True)
class ParseResult(Generic[T]):
    """Records in input order, and rejections. Mutable while a parser fills it."""

    records: list[T] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    def extend(self, other: ParseResult[T]) -> None:
        self.records.extend(other.records)
        self.rejected.extend(other.rejected)
