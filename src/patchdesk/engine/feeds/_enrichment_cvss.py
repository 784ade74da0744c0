"""CVSS vectors: validate them and compute their base score with Red Hat's ``cvss`` library.

Every vector a parser keeps goes through :func:`parse_cvss_vector`: the library parses it (a
malformed vector raises :class:`FieldError`, which rejects the record) and computes the base
score. The score a source states is not trusted: 371 CVE 5 records of Fortinet, for example,
put the *temporal* score into ``baseScore``; the vector is the assessment, the score follows
from it.
"""

from __future__ import annotations

import functools
from decimal import DecimalException
from typing import Final

from cvss import CVSS2, CVSS3, CVSS4, CVSSError  # type: ignore[import-untyped]

from patchdesk.engine.feeds._enrichment_io import shorten
from patchdesk.engine.feeds.json_fields import FieldError
from patchdesk.engine.model.vulnerability import CvssScore

__all__ = ["parse_cvss_vector"]

_MAX_VECTOR_CHARS: Final = 400


def _detect_version(vector: str) -> tuple[str, str]:
    """``(version, vector)``; a v2 vector has no prefix and may come in parentheses."""
    if vector.startswith("CVSS:"):
        version = vector[5:8]
        if version not in {"3.0", "3.1", "4.0"}:
            raise FieldError(f"unsupported CVSS version in vector {shorten(vector, 60)!r}")
        return version, vector
    if vector.startswith("(") and vector.endswith(")"):
        vector = vector[1:-1]
    return "2.0", vector


@functools.lru_cache(maxsize=16384)
def _score(version: str, vector: str) -> float | str:
    """The base score of a vector, or the library's reason why the vector is malformed."""
    try:
        if version == "2.0":
            return float(CVSS2(vector).base_score)
        if version == "4.0":
            return float(CVSS4(vector).base_score)
        return float(CVSS3(vector).base_score)
    except (CVSSError, ValueError, KeyError, IndexError, TypeError, DecimalException) as error:
        return str(error) or type(error).__name__


def parse_cvss_vector(
    vector: object, *, provider: str, declared_version: str | None = None
) -> CvssScore:
    """Validate ``vector`` and score it. ``declared_version`` is what the source says it is
    (``"3.1"`` from ``cvssV3_1``); a vector of another version is malformed input."""
    if not isinstance(vector, str) or not vector.strip():
        raise FieldError(f"a CVSS vector must be a non-empty string, got {vector!r:.40}")
    text = vector.strip()
    if len(text) > _MAX_VECTOR_CHARS:
        raise FieldError(f"a CVSS vector is {len(text)} characters long")
    version, text = _detect_version(text)
    if declared_version is not None and declared_version != version:
        raise FieldError(
            f"CVSS {declared_version} metric holds a CVSS {version} vector {shorten(text, 60)!r}"
        )
    score = _score(version, text)
    if isinstance(score, str):
        raise FieldError(f"malformed CVSS {version} vector {shorten(text, 60)!r}: {score}")
    return CvssScore(version=version, vector=text, base_score=score, provider=provider)
