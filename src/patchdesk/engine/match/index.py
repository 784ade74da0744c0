"""The advisory store in the shape matching needs: fixes by (platform, name kind, package).

Versions are turned into order-preserving sort keys once, when the index is built; matching
then compares bytes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from patchdesk.engine import versions
from patchdesk.engine.feeds.result import Rejection
from patchdesk.engine.model.advisory import (
    Advisory,
    Confidence,
    FixStatus,
    PackageNameKind,
)

__all__ = ["AdvisoryIndex", "FixEntry", "IndexKey"]

IndexKey = tuple[str, PackageNameKind, str]  # (platform key, name kind, package name)


@dataclass(frozen=True, slots=True, kw_only=True)
class FixEntry:
    """One affected package of one advisory, ready to compare."""

    advisory_id: str
    advisory_source: str
    status: FixStatus
    fixed_version: str | None
    fixed_key: bytes | None
    introduced_key: bytes | None
    arches: frozenset[str]
    cve_ids: tuple[str, ...]
    confidence: Confidence
    channel: str = ""

    def affects(self, version_key: bytes, arch: str) -> bool:
        """True when a package at ``version_key`` on ``arch`` is exposed to this advisory."""
        if self.status in {FixStatus.NOT_AFFECTED, FixStatus.UNKNOWN}:
            return False
        if self.arches and arch not in self.arches and arch not in {"all", "noarch"}:
            return False
        if self.introduced_key is not None and version_key < self.introduced_key:
            return False
        if self.status == FixStatus.FIXED:
            return self.fixed_key is not None and version_key < self.fixed_key
        return True  # no fix yet, or will not fix


@dataclass(slots=True)
class AdvisoryIndex:
    """Fix entries by :data:`IndexKey`, plus the entries rejected while building."""

    entries: Mapping[IndexKey, tuple[FixEntry, ...]]
    rejected: list[Rejection] = field(default_factory=list)
    advisory_count: int = 0
    platform_keys: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.platform_keys = frozenset(key[0] for key in self.entries)

    @classmethod
    def from_advisories(cls, advisories: Iterable[Advisory]) -> AdvisoryIndex:
        grouped: dict[IndexKey, list[FixEntry]] = defaultdict(list)
        rejected: list[Rejection] = []
        count = 0
        for advisory in advisories:
            count += 1
            for package in advisory.affected:
                kind = package.version_format.value
                try:
                    fixed_key = (
                        versions.sort_key(kind, package.fixed_version)
                        if package.fixed_version
                        else None
                    )
                    introduced_key = (
                        versions.sort_key(kind, package.introduced_version)
                        if package.introduced_version
                        else None
                    )
                except versions.InvalidVersion as exc:
                    rejected.append(
                        Rejection(
                            source=advisory.source,
                            record_id=advisory.id,
                            reason=f"{package.platform_key} {package.package}: {exc}",
                        )
                    )
                    continue
                key = (package.platform_key, package.name_kind, package.package)
                grouped[key].append(
                    FixEntry(
                        advisory_id=advisory.id,
                        advisory_source=advisory.source,
                        status=package.status,
                        fixed_version=package.fixed_version,
                        fixed_key=fixed_key,
                        introduced_key=introduced_key,
                        arches=frozenset(package.arches),
                        cve_ids=advisory.cve_ids,
                        confidence=advisory.confidence,
                        channel=package.channel,
                    )
                )
        return cls(
            entries={key: tuple(value) for key, value in grouped.items()},
            rejected=rejected,
            advisory_count=count,
        )

    def lookup(self, platform_key: str, kind: PackageNameKind, name: str) -> tuple[FixEntry, ...]:
        return self.entries.get((platform_key, kind, name), ())
