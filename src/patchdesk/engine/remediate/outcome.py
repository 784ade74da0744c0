"""What a run did, decided from the facts it gathered: the package changes, each item's
verification, pending restarts and the final status. Never "done" unless every requested item
is verified fixed by a rescan and nothing outside the approved transaction changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from patchdesk.engine.model.inventory import HostInventory, InstalledPackage
from patchdesk.engine.model.work import (
    ItemOutcome,
    ItemResult,
    PackageChange,
    PendingRestart,
    PlannedItem,
    RestartOutcome,
    RestartRecord,
    TransactionAction,
    TransactionEntry,
    WorkIssue,
    WorkPlan,
    WorkReason,
    WorkResult,
    WorkStatus,
    WorkStep,
)
from patchdesk.engine.remediate.items import verify_items

__all__ = ["RunState", "diff_packages", "finish", "verify_run"]

_SETTLED = frozenset(
    {
        ItemOutcome.FIXED,
        ItemOutcome.ALREADY_FIXED,
        ItemOutcome.NOT_INSTALLED,
        ItemOutcome.FIXED_PENDING_REBOOT,  # done: only the reboot is left (reboot_required)
    }
)


@dataclass(slots=True)
class RunState:
    """Mutable facts of one run; :func:`finish` turns them into a :class:`WorkResult`."""

    plan: WorkPlan
    items: tuple[PlannedItem, ...]
    steps: list[WorkStep] = field(default_factory=list)
    issues: list[WorkIssue] = field(default_factory=list)
    hostname: str = ""
    before: HostInventory | None = None
    after: HostInventory | None = None
    approved: tuple[TransactionEntry, ...] = ()
    changes_started: bool = False
    stopped: WorkStatus | None = None  # REFUSED or FAILED, with the reason in issues
    restarts: list[RestartRecord] = field(default_factory=list)
    pending: list[PendingRestart] = field(default_factory=list)
    window_ended: bool = False
    rebooted: bool = False
    reboot_requested: bool = False
    boot_id: str = ""  # before the reboot
    apply_locked: bool = False  # the apply found the lock taken: apt changed nothing

    def stop(self, status: WorkStatus, issue: WorkIssue) -> None:
        if self.stopped is None:
            self.stopped = status
        self.issues.append(issue)


def diff_packages(
    before: Iterable[InstalledPackage],
    after: Iterable[InstalledPackage],
    approved: Sequence[TransactionEntry],
) -> tuple[PackageChange, ...]:
    """Every installed package whose version differs, and whether the dry run showed it."""
    old = {(p.name, p.arch): p.version for p in before}
    new = {(p.name, p.arch): p.version for p in after}
    expected: dict[str, set[str]] = {}
    for entry in approved:
        if entry.action in (TransactionAction.UPGRADE, TransactionAction.INSTALL):
            expected.setdefault(entry.name, set()).add(entry.new_version)
    changes = []
    for name, arch in sorted(old.keys() | new.keys()):
        was, now = old.get((name, arch), ""), new.get((name, arch), "")
        if was != now:
            changes.append(
                PackageChange(
                    name=name,
                    arch=arch,
                    before=was,
                    after=now,
                    is_expected=bool(now) and now in expected.get(name, set()),
                )
            )
    return tuple(changes)


def _final_scan(state: RunState) -> HostInventory | None:
    if state.after is not None and state.after.error is None:
        return state.after
    if not state.changes_started and state.before is not None:
        return state.before  # nothing was changed: the scan before is still true
    return None


def verify_run(state: RunState) -> tuple[ItemResult, ...]:
    """Each item against the last usable scan (kernel items against its running kernel)."""
    final = _final_scan(state)
    return verify_items(
        state.items,
        None if final is None else final.packages,
        state.plan.package_format,
        kernel=None if final is None else final.kernel,
        rebooted=state.rebooted,
    )


def _not_fixed(item: ItemResult, *, kernel_rebooted: bool) -> WorkIssue:
    request = item.request
    found = item.version_after or "unknown"
    message = f"{request.package} is at {found}, not at {request.min_version} or later"
    if kernel_rebooted:
        message = (
            f"{request.package}: after the reboot the server does not run a kernel at "
            f"{request.min_version} or later (running: {found}); check the boot loader's default"
        )
    return WorkIssue(
        code=WorkReason.NOT_FIXED,
        message=message,
        params={"package": request.package, "minimum": request.min_version, "found": found},
    )


def finish(
    state: RunState, *, target: str, started_at: datetime, finished_at: datetime
) -> WorkResult:
    final = _final_scan(state)
    packages = None if final is None else final.packages
    items = verify_run(state)
    changes: tuple[PackageChange, ...] = ()
    if state.before is not None and packages is not None:
        changes = diff_packages(state.before.packages, packages, state.approved)
    issues = list(state.issues)
    status = state.stopped
    if status is WorkStatus.REFUSED and changes:
        status = WorkStatus.FAILED  # a refusal that found changes after all is no refusal
    if state.apply_locked and status is WorkStatus.FAILED and not changes and packages:
        status = WorkStatus.REFUSED  # apt took no lock, so it changed nothing
    unexpected = [c for c in changes if not c.is_expected]
    if unexpected:
        issues.append(
            WorkIssue(
                code=WorkReason.UNEXPECTED_CHANGE,
                message="packages changed outside the approved transaction: "
                + ", ".join(f"{c.name} {c.before or '-'} -> {c.after or '-'}" for c in unexpected),
                params={"packages": ", ".join(c.name for c in unexpected)},
            )
        )
    if state.window_ended and status is None:
        issues.append(
            WorkIssue(
                code=WorkReason.WINDOW_ENDED,
                message="the work window ended before the restarts (or the reboot) could run",
                params={"pending": ", ".join(p.service for p in state.pending)},
            )
        )
    if status is None:
        not_fixed = [i for i in items if i.outcome not in _SETTLED]
        kernels = {id(p.request) for p in state.items if p.kernel is not None}
        issues.extend(
            _not_fixed(item, kernel_rebooted=state.rebooted and id(item.request) in kernels)
            for item in not_fixed
        )
        failed_restart = any(r.outcome is RestartOutcome.FAILED for r in state.restarts)
        if state.window_ended:
            status = WorkStatus.STOPPED_WINDOW_ENDED
        elif not_fixed or unexpected or failed_restart:
            status = WorkStatus.PARTIAL
        else:
            status = WorkStatus.DONE
    rescan = state.after if state.after is not None and state.after.error is None else None
    restart = rescan.restart if rescan is not None else None
    reboot_required = restart.reboot_required if restart is not None else None
    if any(i.outcome is ItemOutcome.FIXED_PENDING_REBOOT for i in items):
        reboot_required = True  # the fixed kernel runs only after a reboot
    return WorkResult(
        target=target,
        hostname=state.hostname,
        status=status,
        started_at=started_at,
        finished_at=finished_at,
        issues=tuple(issues),
        steps=tuple(state.steps),
        transaction=state.approved,
        changes=changes,
        items=items,
        restarts=tuple(state.restarts),
        pending_restarts=tuple(state.pending),
        reboot_required=reboot_required,
        rebooted=state.rebooted,
        is_changed=bool(changes) or (state.changes_started and packages is None),
        apply_started=state.changes_started,
    )
