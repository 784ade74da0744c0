"""patchdesk's own advisory format: the normalised model as JSON lines.

Used for the starter snapshot shipped with the package and to carry advisories from one desk
to another air-gapped one. The first line is a header naming the format and its version; each
further line is one :class:`~patchdesk.engine.model.Advisory`.
"""

from __future__ import annotations

import json
import lzma
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from patchdesk.engine.feeds.result import ParseResult, Rejection
from patchdesk.engine.model.advisory import (
    Advisory,
    AdvisoryKind,
    AffectedPackage,
    Confidence,
    FixStatus,
    PackageNameKind,
    VendorSeverity,
)
from patchdesk.engine.model.platform import PackageFormat

__all__ = [
    "FORMAT",
    "advisory_from_json",
    "advisory_to_json",
    "read_native_advisories",
    "write_native_advisories",
]

FORMAT = "patchdesk-advisories"
VERSION = 1


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def advisory_to_json(advisory: Advisory) -> dict[str, Any]:
    """A plain, stable JSON object for one advisory (keys sorted when dumped)."""
    return {
        "id": advisory.id,
        "source": advisory.source,
        "kind": advisory.kind.value,
        "summary": advisory.summary,
        "details": advisory.details,
        "published_at": _time(advisory.published_at),
        "modified_at": _time(advisory.modified_at),
        "vendor_severity": advisory.vendor_severity.value,
        "cve_ids": list(advisory.cve_ids),
        "references": list(advisory.references),
        "aliases": list(advisory.aliases),
        "confidence": advisory.confidence.value,
        "affected": [
            {
                "platform_key": p.platform_key,
                "package": p.package,
                "name_kind": p.name_kind.value,
                "version_format": p.version_format.value,
                "status": p.status.value,
                "fixed_version": p.fixed_version,
                "introduced_version": p.introduced_version,
                "arches": list(p.arches),
                "channel": p.channel,
            }
            for p in advisory.affected
        ],
    }


def _strings(value: Any, field: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{field} must be a list of strings")
    return tuple(value)


def _optional_time(value: Any, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{field} must be an ISO 8601 string")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"{field} has no time zone")
    return moment


def _optional_str(value: Any, field: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{field} must be a string")
    return value


def _affected(item: Mapping[str, Any]) -> AffectedPackage:
    return AffectedPackage(
        platform_key=str(item["platform_key"]),
        package=str(item["package"]),
        name_kind=PackageNameKind(item["name_kind"]),
        version_format=PackageFormat(item["version_format"]),
        status=FixStatus(item["status"]),
        fixed_version=_optional_str(item.get("fixed_version"), "fixed_version"),
        introduced_version=_optional_str(item.get("introduced_version"), "introduced_version"),
        arches=_strings(item.get("arches", []), "arches"),
        channel=str(item.get("channel", "")),
    )


def advisory_from_json(data: Mapping[str, Any]) -> Advisory:
    """The advisory an object describes; ``ValueError``/``KeyError`` say what is wrong."""
    affected = data.get("affected", [])
    if not isinstance(affected, list) or not all(isinstance(a, dict) for a in affected):
        raise ValueError("affected must be a list of objects")
    return Advisory(
        id=str(data["id"]),
        source=str(data["source"]),
        kind=AdvisoryKind(data.get("kind", "security")),
        summary=str(data.get("summary", "")),
        details=str(data.get("details", "")),
        published_at=_optional_time(data.get("published_at"), "published_at"),
        modified_at=_optional_time(data.get("modified_at"), "modified_at"),
        vendor_severity=VendorSeverity(data.get("vendor_severity", "unknown")),
        cve_ids=_strings(data.get("cve_ids", []), "cve_ids"),
        references=_strings(data.get("references", []), "references"),
        aliases=_strings(data.get("aliases", []), "aliases"),
        confidence=Confidence(data.get("confidence", "vendor")),
        affected=tuple(_affected(item) for item in affected),
    )


def write_native_advisories(advisories: Iterable[Advisory], path: Path) -> int:
    """Write ``path`` (``.jsonl`` or ``.jsonl.xz``); return how many advisories were written."""
    count = 0
    opener = lzma.open if path.suffix == ".xz" else open
    with opener(path, "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"format": FORMAT, "version": VERSION}) + "\n")
        for advisory in advisories:
            handle.write(json.dumps(advisory_to_json(advisory), sort_keys=True) + "\n")
            count += 1
    return count


def read_native_advisories(path: Path) -> ParseResult[Advisory]:
    """Read a file written by :func:`write_native_advisories`; bad lines are rejected."""
    result: ParseResult[Advisory] = ParseResult()
    opener = lzma.open if path.suffix == ".xz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        header = handle.readline()
        try:
            meta = json.loads(header)
        except json.JSONDecodeError:
            meta = None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise ValueError(f"{path} is not a {FORMAT} file")
        if meta.get("version") != VERSION:
            raise ValueError(f"{path}: unsupported {FORMAT} version {meta.get('version')!r}")
        for number, line in enumerate(handle, start=2):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                if not isinstance(data, dict):
                    raise ValueError("not a JSON object")
                result.records.append(advisory_from_json(data))
            except (ValueError, KeyError, TypeError) as exc:
                record_id = data.get("id", f"line {number}") if isinstance(data, dict) else ""
                result.rejected.append(
                    Rejection(
                        source=FORMAT,
                        record_id=str(record_id or f"line {number}"),
                        reason=f"{type(exc).__name__}: {exc}",
                        location=f"{path.name}:{number}",
                    )
                )
    return result
