"""Requested items against installed packages: is each one fixed, and what must be updated?

Pure functions shared by planning (against the desk's inventory), by the run (against the
fresh scan taken just before the work: a retry finds what is already done) and by the
verification (against the rescan after the work).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from patchdesk.engine.model.inventory import InstalledPackage, KernelInfo
from patchdesk.engine.model.platform import PackageFormat
from patchdesk.engine.model.work import (
    ItemOutcome,
    ItemResult,
    ItemState,
    KernelTarget,
    PlannedItem,
    PlannedPackage,
    RequestedItem,
)
from patchdesk.engine.remediate.kernel import evaluate_kernel, verify_kernel
from patchdesk.engine.remediate.minimums import compared_version, is_at_least, lowest_version

__all__ = ["ItemsEvaluation", "evaluate_items", "verify_items"]


def _by_name(packages: Iterable[InstalledPackage]) -> dict[str, list[InstalledPackage]]:
    found: dict[str, list[InstalledPackage]] = {}
    for package in packages:
        found.setdefault(package.name, []).append(package)
    return found


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemsEvaluation:
    items: tuple[PlannedItem, ...]
    packages: tuple[PlannedPackage, ...]  # installed instances of the items still to update
    meta_missing: tuple[PlannedItem, ...] = ()  # kernel items no installed metapackage updates


def evaluate_items(
    requests: Sequence[RequestedItem],
    installed: Iterable[InstalledPackage],
    package_format: PackageFormat,
    *,
    kernel: KernelInfo | None = None,
    kernel_targets: Sequence[KernelTarget | None] = (),
) -> ItemsEvaluation:
    """Each request's state against ``installed``; every installed instance (architecture) of
    a package must reach the minimum. Versions must already be validated.

    ``kernel_targets`` (aligned with ``requests``, None for ordinary packages) marks kernel
    items, judged against the running ``kernel`` (:mod:`~patchdesk.engine.remediate.kernel`).
    """
    installed = list(installed)
    by_name = _by_name(installed)
    targets = [*kernel_targets, *[None] * (len(requests) - len(kernel_targets))]
    items: list[PlannedItem] = []
    missing: list[PlannedItem] = []
    packages: dict[tuple[str, str], PlannedPackage] = {}
    for request, target in zip(requests, targets, strict=True):
        instances = by_name.get(request.package, [])
        if not instances:
            items.append(PlannedItem(request=request, state=ItemState.NOT_INSTALLED))
            continue
        lowest = lowest_version(
            package_format, [compared_version(p, request.basis) for p in instances]
        )
        if target is not None:
            found = evaluate_kernel(request, target, installed, kernel, package_format)
            planned = PlannedItem(
                request=request, state=found.state, installed_version=lowest, kernel=target
            )
            items.append(planned)
            if found.is_meta_missing:
                missing.append(planned)
            for package in found.to_update:
                packages[(package.name, package.arch)] = PlannedPackage(
                    name=package.name, arch=package.arch, installed_version=package.version
                )
            continue
        below = [
            p
            for p in instances
            if not is_at_least(
                package_format, compared_version(p, request.basis), request.min_version
            )
        ]
        state = ItemState.TO_UPDATE if below else ItemState.ALREADY_FIXED
        items.append(PlannedItem(request=request, state=state, installed_version=lowest))
        for package in below:
            packages[(package.name, package.arch)] = PlannedPackage(
                name=package.name, arch=package.arch, installed_version=package.version
            )
    ordered = tuple(packages[key] for key in sorted(packages))
    return ItemsEvaluation(items=tuple(items), packages=ordered, meta_missing=tuple(missing))


def verify_items(
    items: Sequence[PlannedItem],
    after: Iterable[InstalledPackage] | None,
    package_format: PackageFormat,
    *,
    kernel: KernelInfo | None = None,
    rebooted: bool = False,
) -> tuple[ItemResult, ...]:
    """Each item's outcome from the packages found after the work (None: no rescan).

    A kernel item is fixed when a fixed kernel of its flavour runs (``kernel``: the running
    kernel after the work), ``fixed_pending_reboot`` when one is installed but not running.
    """
    after = None if after is None else list(after)
    by_name = _by_name(after or ())
    results = []
    for item in items:
        request = item.request
        before = item.installed_version
        if item.state is ItemState.ALREADY_FIXED:
            outcome = ItemOutcome.ALREADY_FIXED
        elif item.state is ItemState.NOT_INSTALLED:
            outcome = ItemOutcome.NOT_INSTALLED
        else:
            outcome = ItemOutcome.NOT_VERIFIED
        if after is None:
            results.append(ItemResult(request=request, outcome=outcome, version_before=before))
            continue
        if item.kernel is not None and item.state is not ItemState.NOT_INSTALLED:
            found, version_after = verify_kernel(
                request, item.kernel, after, kernel, package_format, rebooted=rebooted
            )
            if not (found is ItemOutcome.FIXED and item.state is ItemState.ALREADY_FIXED):
                outcome = found
            results.append(
                ItemResult(
                    request=request,
                    outcome=outcome,
                    version_before=before,
                    version_after=version_after,
                )
            )
            continue
        instances = by_name.get(request.package, [])
        now = [compared_version(p, request.basis) for p in instances]
        version_after = lowest_version(package_format, now) if now else ""
        fixed = all(is_at_least(package_format, v, request.min_version) for v in now)
        if item.state is ItemState.TO_UPDATE and not now:
            outcome = ItemOutcome.NOT_INSTALLED  # removed: an unexpected change says so
        elif item.state is ItemState.TO_UPDATE:
            outcome = ItemOutcome.FIXED if fixed else ItemOutcome.NOT_FIXED
        elif not fixed:  # was fixed or absent before, is not now: never report it as fine
            outcome = ItemOutcome.NOT_FIXED
        results.append(
            ItemResult(
                request=request,
                outcome=outcome,
                version_before=before,
                version_after=version_after,
            )
        )
    return tuple(results)
