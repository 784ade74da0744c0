"""Match the packages of servers against the advisory index.

Each distinct (platform, architecture, package, version, source, source version) is compared
once, however many servers have it: :class:`Matcher` remembers every verdict. Kernel packages
are then judged per server, because only the running kernel is exposed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from patchdesk.engine import versions
from patchdesk.engine.match.index import AdvisoryIndex, FixEntry
from patchdesk.engine.match.kernel import kernel_states
from patchdesk.engine.model.advisory import PackageNameKind
from patchdesk.engine.model.finding import (
    CannotEvaluate,
    HostMatch,
    KernelState,
    MatchMethod,
    PackageFinding,
)
from patchdesk.engine.model.inventory import HostInventory, InstalledPackage, OriginClass

__all__ = ["OUT_OF_SCOPE_ORIGINS", "Matcher"]

OUT_OF_SCOPE_ORIGINS = frozenset({OriginClass.THIRD_PARTY, OriginClass.LOCAL})

_Identity = tuple[str, str, str, str, str, str, str]
_Verdict = tuple[tuple[PackageFinding, ...], CannotEvaluate | None]


@dataclass(slots=True)
class Matcher:
    """Matches inventories against one index, comparing each distinct package once."""

    index: AdvisoryIndex
    _memo: dict[_Identity, _Verdict] = field(default_factory=dict)

    @property
    def distinct_packages_compared(self) -> int:
        return len(self._memo)

    def match_host(self, inventory: HostInventory) -> HostMatch:
        platform = inventory.platform
        if platform is None or platform.key not in self.index.platform_keys:
            reason = (
                "the operating system is unknown"
                if platform is None
                else f"no advisories for {platform.key} in the advisory store"
            )
            return HostMatch(
                target=inventory.target,
                platform_key=platform.key if platform else "",
                cannot_evaluate=tuple(
                    CannotEvaluate(package=p.name, version=p.version, reason=reason)
                    for p in inventory.packages
                ),
                is_platform_known=False,
            )
        kernels = kernel_states(inventory)
        findings: list[PackageFinding] = []
        out_of_scope: list[PackageFinding] = []
        unknown: list[CannotEvaluate] = []
        key, kind = platform.key, platform.package_format.value
        for package in inventory.packages:
            package_findings, problem = self._verdict(key, kind, package)
            if problem is not None:
                unknown.append(problem)
            if not package_findings:
                continue
            state = kernels.get((package.name, package.version), KernelState.NOT_KERNEL)
            if state == KernelState.NOT_RUNNING:
                continue  # an installed kernel that is not running is not exposed
            if state == KernelState.RUNNING:
                package_findings = tuple(replace(f, kernel_state=state) for f in package_findings)
            target = out_of_scope if package.origin.kind in OUT_OF_SCOPE_ORIGINS else findings
            target.extend(package_findings)
        return HostMatch(
            target=inventory.target,
            platform_key=platform.key,
            findings=tuple(findings),
            out_of_scope_findings=tuple(out_of_scope),
            cannot_evaluate=tuple(unknown),
        )

    def match_hosts(self, inventories: Iterable[HostInventory]) -> list[HostMatch]:
        return [self.match_host(inventory) for inventory in inventories if inventory.is_ok]

    def _verdict(self, platform_key: str, kind: str, package: InstalledPackage) -> _Verdict:
        identity = (
            platform_key,
            package.arch,
            package.name,
            package.version,
            package.source_name,
            package.source_version,
            kind,
        )
        verdict = self._memo.get(identity)
        if verdict is None:
            verdict = self._compare(platform_key, kind, package)
            self._memo[identity] = verdict
        return verdict

    def _compare(self, platform_key: str, kind: str, package: InstalledPackage) -> _Verdict:
        findings: list[PackageFinding] = []
        for version in {package.version, package.source_version or package.version}:
            # e.g. from an inventory document: never a silent "not vulnerable"
            try:
                versions.sort_key(kind, version)
            except versions.InvalidVersion as exc:
                problem = CannotEvaluate(
                    package=package.name, version=version, reason=f"invalid version: {exc}"
                )
                return (), problem
        lookups = (
            (MatchMethod.BINARY_NAME, PackageNameKind.BINARY, package.name, package.version),
            (
                MatchMethod.SOURCE_NAME,
                PackageNameKind.SOURCE,
                package.source_name or package.name,
                package.source_version or package.version,
            ),
        )
        for method, name_kind, name, version in lookups:
            entries = self.index.lookup(platform_key, name_kind, name)
            if not entries:
                continue
            try:
                key = versions.sort_key(kind, version)
            except versions.InvalidVersion as exc:
                problem = CannotEvaluate(
                    package=package.name, version=version, reason=f"invalid version: {exc}"
                )
                return tuple(findings), problem
            seen = {finding.advisory_id for finding in findings}
            findings.extend(
                _finding(entry, package, method, name, version)
                for entry in entries
                if entry.advisory_id not in seen and entry.affects(key, package.arch)
            )
        return tuple(findings), None


def _finding(
    entry: FixEntry, package: InstalledPackage, method: MatchMethod, name: str, version: str
) -> PackageFinding:
    return PackageFinding(
        advisory_id=entry.advisory_id,
        advisory_source=entry.advisory_source,
        package=package.name,
        installed_version=package.version,
        fixed_version=entry.fixed_version,
        fix_status=entry.status,
        cve_ids=entry.cve_ids,
        match_method=method,
        matched_name=name,
        compared_version=version,
        confidence=entry.confidence,
        channel=entry.channel,
    )
