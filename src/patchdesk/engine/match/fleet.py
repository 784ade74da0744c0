"""The fleet as an index of installed package versions: who is affected by a new advisory?

Built once from the inventories; answering for one advisory is a few dictionary lookups and
binary searches on version sort keys, not a pass over every server.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from patchdesk.engine import versions
from patchdesk.engine.match.host import OUT_OF_SCOPE_ORIGINS
from patchdesk.engine.match.kernel import kernel_states
from patchdesk.engine.model.advisory import Advisory, FixStatus, PackageNameKind
from patchdesk.engine.model.finding import KernelState
from patchdesk.engine.model.inventory import HostInventory

__all__ = ["FleetIndex"]

_Slot = tuple[str, PackageNameKind, str]  # (platform key, name kind, name)


@dataclass(slots=True)
class _Versions:
    keys: list[bytes]  # sorted
    holders: list[dict[str, set[str]]]  # per key: target → installed binary package names

    def add(self, key: bytes, target: str, package: str) -> None:
        position = bisect.bisect_left(self.keys, key)
        if position == len(self.keys) or self.keys[position] != key:
            self.keys.insert(position, key)
            self.holders.insert(position, {})
        self.holders[position].setdefault(target, set()).add(package)


class FleetIndex:
    """Installed versions by (platform, source or binary name); in-scope packages only."""

    def __init__(self) -> None:
        self._slots: dict[_Slot, _Versions] = defaultdict(lambda: _Versions([], []))
        self._arches: dict[tuple[str, str], str] = {}  # (target, package) → arch
        self.skipped_invalid = 0

    @classmethod
    def build(cls, inventories: Iterable[HostInventory]) -> FleetIndex:
        index = cls()
        for inventory in inventories:
            index.add_host(inventory)
        return index

    def add_host(self, inventory: HostInventory) -> None:
        platform = inventory.platform
        if platform is None or not inventory.is_ok:
            return
        kind = platform.package_format.value
        kernels = kernel_states(inventory)
        for package in inventory.packages:
            if package.origin.kind in OUT_OF_SCOPE_ORIGINS:
                continue
            if kernels.get((package.name, package.version)) == KernelState.NOT_RUNNING:
                continue
            self._arches[(inventory.target, package.name)] = package.arch
            pairs = (
                (PackageNameKind.BINARY, package.name, package.version),
                (
                    PackageNameKind.SOURCE,
                    package.source_name or package.name,
                    package.source_version or package.version,
                ),
            )
            for name_kind, name, version in pairs:
                try:
                    key = versions.sort_key(kind, version)
                except versions.InvalidVersion:
                    self.skipped_invalid += 1
                    continue
                self._slots[(platform.key, name_kind, name)].add(
                    key, inventory.target, package.name
                )

    def affected_by(self, advisory: Advisory) -> dict[str, set[str]]:
        """Servers exposed to ``advisory``: target → the installed packages concerned."""
        found: dict[str, set[str]] = defaultdict(set)
        for package in advisory.affected:
            if package.status in {FixStatus.NOT_AFFECTED, FixStatus.UNKNOWN}:
                continue
            slot = self._slots.get((package.platform_key, package.name_kind, package.package))
            if slot is None:
                continue
            kind = package.version_format.value
            start = 0
            if package.introduced_version:
                introduced = versions.sort_key(kind, package.introduced_version)
                start = bisect.bisect_left(slot.keys, introduced)
            end = len(slot.keys)
            if package.status == FixStatus.FIXED and package.fixed_version:
                end = bisect.bisect_left(slot.keys, versions.sort_key(kind, package.fixed_version))
            arches = frozenset(package.arches)
            for holders in slot.holders[start:end]:
                for target, names in holders.items():
                    for name in names:
                        arch = self._arches.get((target, name), "")
                        if not arches or arch in arches or arch in {"all", "noarch"}:
                            found[target].add(name)
        return dict(found)
