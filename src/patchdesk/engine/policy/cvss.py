"""Read the facts the policy needs from a CVSS vector (v2, v3.x, v4.0)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CvssMetrics", "InvalidVector", "parse_cvss_vector"]

_ATTACK_VECTORS = frozenset({"N", "A", "L", "P"})
_V2_IMPACT = {"N": "N", "P": "L", "C": "H"}  # v2 None/Partial/Complete → v3 style N/L/H
_IMPACT = frozenset({"N", "L", "H"})


class InvalidVector(ValueError):
    def __init__(self, vector: str, reason: str) -> None:
        super().__init__(f"invalid CVSS vector {vector!r}: {reason}")
        self.vector = vector
        self.reason = reason


@dataclass(frozen=True, slots=True, kw_only=True)
class CvssMetrics:
    """Attack vector and impacts, normalised to v3 letters (impacts N/L/H)."""

    version: str
    attack_vector: str  # N network, A adjacent, L local, P physical
    privileges_required: str  # N/L/H ("" when the version has none: v2 uses Au)
    confidentiality: str
    integrity: str
    availability: str


def parse_cvss_vector(vector: str) -> CvssMetrics:
    """Parse ``CVSS:3.1/AV:N/...``, ``CVSS:4.0/AV:N/...`` or a v2 ``AV:N/AC:L/Au:N/C:P/I:P/A:P``."""
    text = vector.strip()
    parts = text.split("/")
    version = "2.0"
    if parts and parts[0].startswith("CVSS:"):
        version = parts[0].removeprefix("CVSS:")
        parts = parts[1:]
    metrics: dict[str, str] = {}
    for part in parts:
        name, sep, value = part.partition(":")
        if not sep or not name or not value:
            raise InvalidVector(vector, f"malformed element {part!r}")
        if name in metrics:
            raise InvalidVector(vector, f"metric {name} given twice")
        metrics[name] = value
    attack_vector = metrics.get("AV", "")
    if attack_vector not in _ATTACK_VECTORS:
        raise InvalidVector(vector, "no valid attack vector (AV)")
    impacts: tuple[str, ...]
    if version.startswith("4"):
        impacts = tuple(metrics.get(name, "") for name in ("VC", "VI", "VA"))
    elif version.startswith("3"):
        impacts = tuple(metrics.get(name, "") for name in ("C", "I", "A"))
    elif version == "2.0":
        impacts = tuple(_V2_IMPACT.get(metrics.get(name, ""), "") for name in ("C", "I", "A"))
    else:
        raise InvalidVector(vector, f"unknown CVSS version {version}")
    if not all(impact in _IMPACT for impact in impacts):
        raise InvalidVector(vector, "missing or invalid impact metrics")
    confidentiality, integrity, availability = impacts
    return CvssMetrics(
        version=version,
        attack_vector=attack_vector,
        privileges_required=metrics.get("PR", ""),
        confidentiality=confidentiality,
        integrity=integrity,
        availability=availability,
    )
