"""Compare a dry run with the plan: exactly the expected transaction, or a refusal.

Dependency rule: a transaction line is accepted when it is

1. an upgrade of a planned package;
2. an upgrade of an installed package built from the same source package as a planned one
   (sibling binaries that must move together, like ``perl`` and ``perl-base``);
3. an install or upgrade of a package the request lists in ``allowed_dependencies``;
4. with a full upgrade (only when the request says so), an upgrade of any installed package;
5. for a kernel item (Debian, Ubuntu), the install of a new kernel ABI's packages of the
   item's flavour (:func:`~patchdesk.engine.remediate.kernel.is_new_kernel_package`); the
   dry run must install a kernel image of the flavour at or above the minimum. RPM kernels
   are install-only: the new kernel is an install of the planned package's own name.

Anything else refuses the work before anything changes: a removal, a downgrade, a reinstall,
a new package that is not listed, an upgrade of an unrelated package, a planned package the
package manager would skip, or a candidate below the requested minimum.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from patchdesk.engine.model.inventory import InstalledPackage
from patchdesk.engine.model.platform import PackageFormat
from patchdesk.engine.model.work import (
    ItemState,
    KernelTarget,
    PlannedItem,
    TransactionAction,
    TransactionEntry,
    VersionBasis,
    WorkIssue,
    WorkPlan,
    WorkReason,
)
from patchdesk.engine.remediate.kernel import is_flavour_kernel, is_new_kernel_package
from patchdesk.engine.remediate.minimums import is_at_least

__all__ = ["Review", "describe_entry", "review_transaction"]

_MAX_LISTED = 20


def describe_entry(entry: TransactionEntry) -> str:
    if entry.action is TransactionAction.REMOVE:
        return f"{entry.name} {entry.old_version}".strip()
    if entry.old_version:
        return f"{entry.name} {entry.old_version} -> {entry.new_version}"
    return f"{entry.name} {entry.new_version}".strip()


@dataclass(frozen=True, slots=True, kw_only=True)
class Review:
    approved: tuple[TransactionEntry, ...]
    issues: tuple[WorkIssue, ...]

    @property
    def is_approved(self) -> bool:
        return not self.issues


def _issue(code: WorkReason, text: str, entries: Sequence[TransactionEntry]) -> WorkIssue:
    listed = [describe_entry(e) for e in entries[:_MAX_LISTED]]
    more = f" (+{len(entries) - _MAX_LISTED} more)" if len(entries) > _MAX_LISTED else ""
    return WorkIssue(
        code=code,
        message=f"the dry run {text}: {', '.join(listed)}{more}",
        params={"packages": ", ".join(e.name for e in entries), "count": str(len(entries))},
    )


def review_transaction(
    plan: WorkPlan,
    entries: Iterable[TransactionEntry],
    *,
    installed: Iterable[InstalledPackage],
    planned: Iterable[str],
    candidate_sources: Mapping[tuple[str, str], str] | None = None,
    items: Sequence[PlannedItem] | None = None,
) -> Review:
    """Check ``entries`` against the plan and the packages installed now.

    ``planned`` are the package names still to update (from the fresh scan);
    ``candidate_sources`` maps ``(name, new version)`` to the candidate's source version,
    for items whose minimum is a source version (Debian); without it the binary version is
    compared (rpm: binary and source versions are the same). ``items`` are the items as the
    fresh scan sees them (default: the plan's).
    """
    entries = list(entries)
    items = plan.items if items is None else items
    kernels = [i.kernel for i in items if i.kernel is not None and i.state is ItemState.TO_UPDATE]
    installed_by_name = {p.name: p for p in installed}
    planned_names = set(planned)
    sources = {installed_by_name[n].source_name for n in planned_names if n in installed_by_name}
    allowed = set(plan.allowed_dependencies)
    removals: list[TransactionEntry] = []
    downgrades: list[TransactionEntry] = []
    skipped: list[TransactionEntry] = []
    unexpected: list[TransactionEntry] = []
    approved: list[TransactionEntry] = []
    for entry in entries:
        package = installed_by_name.get(entry.name)
        if entry.action is TransactionAction.REMOVE:
            removals.append(entry)
        elif entry.action is TransactionAction.DOWNGRADE:
            downgrades.append(entry)
        elif entry.action is TransactionAction.SKIP:
            (skipped if entry.name in planned_names else approved).append(entry)
        elif entry.action is TransactionAction.INSTALL and package is None:
            new_kernel = plan.package_format is PackageFormat.DPKG and any(
                is_new_kernel_package(k, entry.name) for k in kernels
            )
            (approved if entry.name in allowed or new_kernel else unexpected).append(entry)
        elif entry.action in (TransactionAction.UPGRADE, TransactionAction.INSTALL):
            related = (
                entry.name in planned_names
                or entry.name in allowed
                or (package is not None and package.source_name in sources)
                or plan.full_upgrade
            )
            (approved if related else unexpected).append(entry)
        else:  # a reinstall changes nothing the request asked for
            unexpected.append(entry)
    issues = []
    if removals:
        issues.append(_issue(WorkReason.DRY_RUN_REMOVES_PACKAGES, "would remove", removals))
    if downgrades:
        issues.append(_issue(WorkReason.DRY_RUN_DOWNGRADES, "would downgrade", downgrades))
    if skipped:
        issues.append(_issue(WorkReason.DRY_RUN_SKIPS_PACKAGES, "would skip", skipped))
    if unexpected:
        issues.append(
            _issue(WorkReason.DRY_RUN_UNEXPECTED_PACKAGES, "would also change", unexpected)
        )
    issues.extend(_unreached_minimums(plan, items, entries, planned_names, candidate_sources or {}))
    kept = tuple(e for e in approved if e.action is not TransactionAction.SKIP)
    return Review(approved=kept, issues=tuple(issues))


def _kernel_entries(
    target: KernelTarget, entries: Sequence[TransactionEntry], plan: WorkPlan
) -> list[TransactionEntry]:
    """The kernel images of the flavour the dry run installs (or upgrades)."""
    return [
        e
        for e in entries
        if e.action in (TransactionAction.INSTALL, TransactionAction.UPGRADE)
        and is_flavour_kernel(target, e.name, plan.package_format)
    ]


def _candidates(
    item: PlannedItem,
    found: Sequence[TransactionEntry],
    sources: Mapping[tuple[str, str], str],
) -> list[str]:
    """The candidates' versions on the item's basis (source: from ``apt-cache show``)."""
    if item.request.basis is VersionBasis.SOURCE:
        return [sources.get((e.name, e.new_version), e.new_version) for e in found]
    return [e.new_version for e in found]


def _unreached_minimums(
    plan: WorkPlan,
    items: Sequence[PlannedItem],
    entries: Sequence[TransactionEntry],
    planned_names: set[str],
    sources: Mapping[tuple[str, str], str],
) -> list[WorkIssue]:
    """Items whose package the dry run does not bring to the requested minimum (a kernel
    item: no kernel of its flavour at or above the minimum is installed by the dry run)."""
    upgrades: dict[str, list[TransactionEntry]] = {}
    for entry in entries:
        if entry.action is TransactionAction.UPGRADE:
            upgrades.setdefault(entry.name, []).append(entry)
    issues = []
    for item in items:
        request = item.request
        if item.state is not ItemState.TO_UPDATE:
            continue
        if item.kernel is not None:  # one new kernel of the flavour at the minimum suffices
            candidates = _candidates(item, _kernel_entries(item.kernel, entries, plan), sources)
            reached = [is_at_least(plan.package_format, c, request.min_version) for c in candidates]
            if any(reached):
                continue
        elif request.package not in planned_names:
            continue
        else:  # every instance must reach it
            candidates = _candidates(item, upgrades.get(request.package, []), sources)
            reached = [is_at_least(plan.package_format, c, request.min_version) for c in candidates]
            if reached and all(reached):
                continue
        shown = ", ".join(candidates) or "none"
        issues.append(
            WorkIssue(
                code=WorkReason.FIX_NOT_AVAILABLE,
                message=(
                    f"{request.package}: the repositories offer {shown}, "
                    f"below the requested {request.min_version}"
                    if candidates
                    else f"{request.package}: no update to {request.min_version} or later "
                    "is available from the configured repositories"
                ),
                params={
                    "package": request.package,
                    "minimum": request.min_version,
                    "candidate": shown,
                },
            )
        )
    return issues
