"""Versioned service documents (R15): which version of a document is in force on a day."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

__all__ = ["DocumentKind", "DocumentVersion", "NoDocumentInForce", "document_in_force"]


class DocumentKind(enum.StrEnum):
    SPECIFICATION = "specification"  # the service specification
    TERMS = "terms"  # the provider's terms of service


class NoDocumentInForce(LookupError):
    def __init__(self, *, kind: DocumentKind, on: date) -> None:
        super().__init__(f"no {kind} in force on {on}")
        self.kind = kind
        self.on = on


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentVersion:
    kind: DocumentKind
    version: str
    effective_on: date
    id: int | None = None


def document_in_force(
    versions: Iterable[DocumentVersion], *, kind: DocumentKind, on: date
) -> DocumentVersion:
    """The latest version of ``kind`` that took effect on or before ``on`` (R15)."""
    candidates = [v for v in versions if v.kind is kind and v.effective_on <= on]
    if not candidates:
        raise NoDocumentInForce(kind=kind, on=on)
    return max(candidates, key=lambda v: (v.effective_on, v.version))
