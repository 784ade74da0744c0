"""The fleet as an index of installed package versions: who is affected by a new advisory?

Built once from the inventories. Like the matcher, it works on *distinct* installed packages:
each (platform, package, version) is stored once with the compact array of servers that have
it, and the versions of one package name are kept sorted by their sort keys. Answering for one
advisory is then a few dictionary lookups and binary searches, not a pass over every server.
"""

from __future__ import annotations

import bisect
from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from patchdesk.engine import versions
from patchdesk.engine.match.host import OUT_OF_SCOPE_ORIGINS
from patchdesk.engine.match.kernel import kernel_states
from patchdesk.engine.model.advisory import Advisory, FixStatus, PackageNameKind
from patchdesk.engine.model.finding import KernelState
from patchdesk.engine.model.inventory import HostInventory

__all__ = ["FleetIndex"]

_Slot = tuple[str, PackageNameKind, str]  # (platform key, name kind, name)
_Identity = tuple[str, str, str, str, str, str]  # platform, name, version, arch, source, s-version


@dataclass(slots=True)
class _Holding:
    """One distinct installed package and the servers (by number) that have it."""

    name: str
    arch: str
    servers: array[int] = field(default_factory=lambda: array("I"))


@dataclass(slots=True)
class _Versions:
    """The distinct versions of one package name on one platform, sorted by sort key."""

    keys: list[bytes] = field(default_factory=list)
    holdings: list[list[int]] = field(default_factory=list)  # per key: holding numbers

    def add(self, key: bytes, holding: int) -> None:
        position = bisect.bisect_left(self.keys, key)
        if position == len(self.keys) or self.keys[position] != key:
            self.keys.insert(position, key)
            self.holdings.insert(position, [])
        self.holdings[position].append(holding)


class FleetIndex:
    """Installed versions by (platform, source or binary name); in-scope packages only."""

    def __init__(self) -> None:
        self._slots: dict[_Slot, _Versions] = defaultdict(_Versions)
        self._holdings: list[_Holding] = []
        self._holding_of: dict[_Identity, int] = {}
        self._targets: list[str] = []
        self._keys: dict[tuple[str, str], bytes | None] = {}  # (kind, version) → sort key
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
        number = len(self._targets)
        self._targets.append(inventory.target)
        key, kind = platform.key, platform.package_format.value
        kernels = kernel_states(inventory)
        for package in inventory.packages:
            if package.origin.kind in OUT_OF_SCOPE_ORIGINS:
                continue
            if kernels and kernels.get((package.name, package.version)) == KernelState.NOT_RUNNING:
                continue
            identity = (
                key,
                package.name,
                package.version,
                package.arch,
                package.source_name,
                package.source_version,
            )
            holding = self._holding_of.get(identity)
            if holding is None:
                holding = self._new_holding(identity, kind)
            self._holdings[holding].servers.append(number)

    def _new_holding(self, identity: _Identity, kind: str) -> int:
        platform_key, name, version, arch, source_name, source_version = identity
        holding = len(self._holdings)
        self._holdings.append(_Holding(name=name, arch=arch))
        self._holding_of[identity] = holding
        for name_kind, slot_name, slot_version in (
            (PackageNameKind.BINARY, name, version),
            (PackageNameKind.SOURCE, source_name or name, source_version or version),
        ):
            sort_key = self._key(kind, slot_version)
            if sort_key is None:
                self.skipped_invalid += 1
                continue
            self._slots[(platform_key, name_kind, slot_name)].add(sort_key, holding)
        return holding

    def _key(self, kind: str, version: str) -> bytes | None:
        """Sort keys are computed once per distinct version (most versions repeat)."""
        memo = (kind, version)
        if memo not in self._keys:
            try:
                self._keys[memo] = versions.sort_key(kind, version)
            except versions.InvalidVersion:
                self._keys[memo] = None
        return self._keys[memo]

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
            start, end = 0, len(slot.keys)
            if package.introduced_version:
                start = bisect.bisect_left(
                    slot.keys, versions.sort_key(kind, package.introduced_version)
                )
            if package.status == FixStatus.FIXED and package.fixed_version:
                end = bisect.bisect_left(slot.keys, versions.sort_key(kind, package.fixed_version))
            arches = frozenset(package.arches)
            for holdings in slot.holdings[start:end]:
                for number in holdings:
                    holding = self._holdings[number]
                    if (
                        arches
                        and holding.arch not in arches
                        and holding.arch not in {"all", "noarch"}
                    ):
                        continue
                    for server in holding.servers:
                        found[self._targets[server]].add(holding.name)
        return dict(found)
