"""The package-manager steps of a run: lock and health, index refresh, dry run, apply.

apt: ``apt-get check`` under ``DPkg::Lock::Timeout`` (lock wait and database health),
``apt-get update``, ``apt-get -s install --only-upgrade``, candidate source versions from
``apt-cache show``, then ``apt-get install --only-upgrade name=version ...`` pinned to exactly
the versions the dry run showed, and the automatic-install marks restored.
dnf/yum: the lock's pid files, ``makecache``, ``upgrade --assumeno`` / ``-y`` by advisory or
security package list. zypper: ``/run/zypp.pid``, ``refresh``, ``patch --cve`` / ``update``
with ``--dry-run`` and XML output.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from patchdesk.engine.model.work import (
    PackageManager,
    PlannedPackage,
    TransactionAction,
    TransactionEntry,
    WorkIssue,
    WorkPlan,
    WorkReason,
)
from patchdesk.engine.remediate import commands
from patchdesk.engine.remediate.dryrun import (
    DryRun,
    parse_apt_simulation,
    parse_dnf_transaction,
    parse_zypper_summary,
)
from patchdesk.engine.remediate.kernel import is_flavour_kernel
from patchdesk.engine.remediate.parsers import parse_apt_candidates
from patchdesk.engine.remediate.session import WorkSession
from patchdesk.engine.transport.base import CommandResult

__all__ = [
    "DryRunOutcome",
    "apply_command",
    "check_lock",
    "is_lock_failure",
    "package_tokens",
    "refresh_indexes",
    "run_dry_run",
    "tool_of",
]

_APT_LOCK: Final = re.compile(
    r"Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock"
)
_APT_HOLDER: Final = re.compile(r"held by process (\d+) \(([^)]{0,32})\)")
_MARGIN_S: Final = 60.0


def tool_of(manager: PackageManager) -> str:
    return "apt-get" if manager is PackageManager.APT else str(manager)


def _token(plan: WorkPlan, name: str, arch: str) -> str:
    if plan.package_manager is PackageManager.APT and arch not in ("", "all", plan.native_arch):
        return f"{name}:{arch}"
    return name


def package_tokens(plan: WorkPlan, packages: Sequence[PlannedPackage]) -> list[str]:
    """Package arguments: the name, qualified with a foreign architecture on Debian."""
    return list(dict.fromkeys(_token(plan, p.name, p.arch) for p in packages))


def is_lock_failure(result: CommandResult) -> bool:
    text = result.stderr.decode("utf-8", "replace") + result.stdout.decode("utf-8", "replace")
    return result.exit_status != 0 and _APT_LOCK.search(text) is not None


def _holder(result: CommandResult) -> str:
    text = result.stdout.decode("utf-8", "replace") + result.stderr.decode("utf-8", "replace")
    if match := _APT_HOLDER.search(text):
        return f"{match[1]} ({match[2]})"
    for line in text.splitlines():
        if line.startswith("locked "):
            return line.removeprefix("locked ")[:64]
    return "unknown"


async def check_lock(session: WorkSession, plan: WorkPlan) -> WorkIssue | None:
    """Wait (up to ``lock_wait_s``) for the package manager to be free, then check it works."""
    wait = session.options.lock_wait_s
    manager = plan.package_manager
    command = (
        commands.apt_check(wait)
        if manager is PackageManager.APT
        else commands.rpm_lock_wait(manager, wait)
    )
    result = await session.step(
        command,
        purpose="wait for the package manager lock and check the package database",
        as_root=True,
        timeout_s=wait + _MARGIN_S,
    )
    if result.exit_status == 0:
        return None
    if is_lock_failure(result) or result.exit_status == 75:
        holder = _holder(result)
        return session.issue(
            WorkReason.PACKAGE_MANAGER_LOCKED,
            f"the package manager stayed locked for {wait} s (held by process {holder})",
            holder=holder,
            waited_s=str(wait),
        )
    detail = result.stderr_line() or f"exit status {result.exit_status}"
    return session.issue(
        WorkReason.PACKAGE_MANAGER_BROKEN,
        f"the package database is not in a usable state: {detail}",
        detail=detail,
    )


async def refresh_indexes(session: WorkSession, plan: WorkPlan) -> WorkIssue | None:
    manager = plan.package_manager
    wait = session.options.lock_wait_s
    command = (
        commands.apt_update(wait)
        if manager is PackageManager.APT
        else commands.rpm_refresh(manager)
    )
    result = await session.step(
        command, purpose="refresh the package indexes", as_root=True, timeout_s=wait + 600
    )
    if result.exit_status == 0:
        return None
    if is_lock_failure(result):
        return session.issue(
            WorkReason.PACKAGE_MANAGER_LOCKED,
            f"the package indexes stayed locked (held by process {_holder(result)})",
            holder=_holder(result),
        )
    detail = result.stderr_line() or f"exit status {result.exit_status}"
    return session.issue(
        WorkReason.INDEX_UPDATE_FAILED, f"refreshing the package indexes failed: {detail}",
        detail=detail,
    )  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class DryRunOutcome:
    dry_run: DryRun
    candidate_sources: dict[tuple[str, str], str] = field(default_factory=dict)


async def run_dry_run(
    session: WorkSession, plan: WorkPlan, packages: Sequence[PlannedPackage]
) -> DryRunOutcome:
    """The dry run of exactly the transaction the apply would run."""
    manager = plan.package_manager
    names = package_tokens(plan, packages)
    purpose = "dry run: what the update would change"
    if manager is PackageManager.APT:
        result = await session.step(
            commands.apt_simulate(names, full_upgrade=plan.full_upgrade), purpose=purpose
        )
        dry_run = parse_apt_simulation(result)
        kernels = [i.kernel for i in plan.items if i.kernel is not None]
        pins = [
            f"{e.name}={e.new_version}"
            for e in dry_run.entries
            if e.action is TransactionAction.UPGRADE
            # a kernel item's new image: its source version is compared with the minimum
            or (
                e.action is TransactionAction.INSTALL
                and any(is_flavour_kernel(k, e.name, plan.package_format) for k in kernels)
            )
        ]
        sources: dict[tuple[str, str], str] = {}
        if pins and dry_run.problem is None:
            answer = await session.step(
                commands.apt_candidates(pins), purpose="source versions of the candidates"
            )
            sources = parse_apt_candidates(answer.stdout) if answer.exit_status == 0 else {}
        return DryRunOutcome(dry_run=dry_run, candidate_sources=sources)
    if manager is PackageManager.ZYPPER:
        command = commands.zypper_transaction(
            names, cves=plan.cve_ids, full_upgrade=plan.full_upgrade, dry_run=True
        )
        result = await session.step(command, purpose=purpose, as_root=True)
        return DryRunOutcome(dry_run=parse_zypper_summary(result))
    command = commands.rpm_transaction(
        manager, names, advisories=plan.advisory_ids, full_upgrade=plan.full_upgrade, dry_run=True
    )
    result = await session.step(command, purpose=purpose, as_root=True)
    return DryRunOutcome(dry_run=parse_dnf_transaction(result))


def apply_command(
    plan: WorkPlan,
    packages: Sequence[PlannedPackage],
    approved: Sequence[TransactionEntry],
    *,
    lock_wait_s: int,
) -> str:
    """The update itself: the same selection as the dry run (apt: pinned to its versions)."""
    manager = plan.package_manager
    if manager is PackageManager.APT:
        pins = [
            f"{_token(plan, e.name, e.arch)}={e.new_version}"
            for e in approved
            if e.action is TransactionAction.UPGRADE
        ]
        return commands.apt_install(pins, lock_wait_s=lock_wait_s)
    names = package_tokens(plan, packages)
    if manager is PackageManager.ZYPPER:
        return commands.zypper_transaction(
            names, cves=plan.cve_ids, full_upgrade=plan.full_upgrade, dry_run=False
        )
    return commands.rpm_transaction(
        manager, names, advisories=plan.advisory_ids, full_upgrade=plan.full_upgrade, dry_run=False
    )
