"""Engine advisories and vulnerabilities ⇄ ORM rows (the only place the two meet)."""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from datetime import date, datetime
from typing import Any

from patchdesk.desk.advisories import models as orm
from patchdesk.engine import versions
from patchdesk.engine.feeds.result import Rejection
from patchdesk.engine.model import Advisory, AffectedPackage, FixStatus, Vulnerability

__all__ = [
    "advisory_fields",
    "affected_rows",
    "content_hash",
    "vulnerability_fields",
]


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def content_hash(record: Advisory | Vulnerability) -> str:
    """A stable fingerprint of a record, to skip unchanged ones on the next import."""
    canonical = json.dumps(_plain(record), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def advisory_fields(record: Advisory, *, digest: str) -> dict[str, Any]:
    return {
        "source": record.source,
        "advisory_id": record.id,
        "kind": record.kind.value,
        "summary": record.summary,
        "details": record.details,
        "published_at": record.published_at,
        "modified_at": record.modified_at,
        "vendor_severity": record.vendor_severity.value,
        "confidence": record.confidence.value,
        "references": list(record.references),
        "aliases": list(record.aliases),
        "content_hash": digest,
    }


def _key(package: AffectedPackage, version: str | None) -> bytes | None:
    if not version:
        return None
    return versions.sort_key(package.version_format.value, version)


def affected_rows(
    record: Advisory, advisory: orm.Advisory
) -> tuple[list[orm.AffectedPackage], list[Rejection]]:
    """The rows for one advisory's affected packages; invalid versions are rejected one by one."""
    rows: list[orm.AffectedPackage] = []
    rejected: list[Rejection] = []
    for package in record.affected:
        if package.status == FixStatus.FIXED and not package.fixed_version:
            rejected.append(_rejection(record, package, "status fixed but no fixed version"))
            continue
        try:
            fixed_key = _key(package, package.fixed_version)
            introduced_key = _key(package, package.introduced_version)
        except versions.InvalidVersion as exc:
            rejected.append(_rejection(record, package, str(exc)))
            continue
        rows.append(
            orm.AffectedPackage(
                advisory=advisory,
                platform_key=package.platform_key,
                package=package.package,
                name_kind=package.name_kind.value,
                version_format=package.version_format.value,
                status=package.status.value,
                fixed_version=package.fixed_version or "",
                fixed_key=fixed_key,
                introduced_version=package.introduced_version or "",
                introduced_key=introduced_key,
                arches=list(package.arches),
                channel=package.channel,
            )
        )
    return rows, rejected


def _rejection(record: Advisory, package: AffectedPackage, reason: str) -> Rejection:
    return Rejection(
        source=record.source,
        record_id=record.id,
        reason=f"{package.platform_key} {package.package}: {reason}",
    )


def vulnerability_fields(record: Vulnerability) -> dict[str, Any]:
    """The fields one source may set; empty values never overwrite known ones."""
    fields: dict[str, Any] = {"is_rejected": record.is_rejected}
    if record.description:
        fields["description"] = record.description
    if record.published_at:
        fields["published_at"] = record.published_at
    if record.modified_at:
        fields["modified_at"] = record.modified_at
    return fields
