"""The steps of one run over one session, before anything changes: the scan, the
pre-checks (window, tools, disk space, lock and database health), the index refresh, the dry
run and its review, and the TLS passphrase check. :class:`WorkFlow` continues with the update
itself in :mod:`~patchdesk.engine.remediate.apply`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from patchdesk.engine.collect.host import CollectOptions, collect_inventory
from patchdesk.engine.model.inventory import HostInventory, ScanError
from patchdesk.engine.model.work import (
    ItemState,
    PlannedPackage,
    TransactionEntry,
    WorkIssue,
    WorkPhase,
    WorkReason,
    WorkStatus,
)
from patchdesk.engine.remediate import backends, commands
from patchdesk.engine.remediate.items import evaluate_items
from patchdesk.engine.remediate.outcome import RunState
from patchdesk.engine.remediate.parsers import parse_disk_free, parse_tools
from patchdesk.engine.remediate.prechecks import check_tls_passphrases
from patchdesk.engine.remediate.review import review_transaction
from patchdesk.engine.remediate.session import Clock, WindowClock, WorkSession
from patchdesk.engine.remediate.tls import TlsImpact

__all__ = ["Prepared", "Stop", "WorkFlow"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Prepared:
    """What the update will do, once every pre-check passed and the dry run is approved."""

    before: HostInventory
    packages: tuple[PlannedPackage, ...]
    approved: tuple[TransactionEntry, ...]
    affected: dict[str, TlsImpact]  # web servers needing a passphrase the update affects


class Stop(Exception):
    """Ends the work early; the state already holds the status and the reason."""


def _scan_issue(session: WorkSession, error: ScanError) -> WorkIssue:
    try:
        code = WorkReason(str(error.code))
    except ValueError:
        code = WorkReason.INTERNAL_ERROR
    return session.issue(code, error.message, **dict(error.params))


class WorkFlow:
    """The steps of one run over one session (see the module docstring for the order)."""

    def __init__(
        self,
        session: WorkSession,
        state: RunState,
        *,
        clock: Clock,
        window: WindowClock,
        passphrases: Mapping[str, str],
    ) -> None:
        self.session = session
        self.state = state
        self.plan = state.plan
        self.clock = clock
        self.window = window
        self.passphrases = passphrases

    def refuse(self, code: WorkReason, message: str, **params: str) -> Stop:
        self.state.stop(WorkStatus.REFUSED, self.session.issue(code, message, **params))
        return Stop()

    async def scan(self, *, full: bool) -> HostInventory:
        options = CollectOptions(
            origin_rules=self.session.options.origin_rules,
            with_out_of_scope=False,
            with_restart=full,
            command_timeout_s=self.session.options.command_timeout_s,
        )
        return await collect_inventory(self.session, options=options, clock=self.clock)

    async def prepare(self) -> Prepared | None:
        """Everything before the update; None when there is nothing to update."""
        session, state, plan = self.session, self.state, self.plan
        session.enter(WorkPhase.SCAN_BEFORE, "scan the server before the work")
        before = await self.scan(full=False)
        state.hostname = before.hostname
        if before.error is not None:
            state.stop(WorkStatus.REFUSED, _scan_issue(session, before.error))
            raise Stop
        assert before.platform is not None
        if before.platform.key != plan.platform_key:
            raise self.refuse(
                WorkReason.PLAN_STALE,
                f"the plan is for {plan.platform_key}, the server runs {before.platform.key}",
                planned=plan.platform_key,
                found=before.platform.key,
            )
        if not before.is_privileged:
            raise self.refuse(
                WorkReason.NOT_PRIVILEGED, "the login is not root and has no sudo configured"
            )
        state.before = before
        requests = [item.request for item in plan.items]
        evaluation = evaluate_items(
            requests,
            before.packages,
            plan.package_format,
            kernel=before.kernel,
            kernel_targets=[item.kernel for item in plan.items],
        )
        state.items = evaluation.items
        if evaluation.meta_missing:
            names = [i.request.package for i in evaluation.meta_missing]
            raise self.refuse(
                WorkReason.KERNEL_META_MISSING,
                f"no kernel metapackage is installed any more for {', '.join(names)}: install "
                "the kernel metapackage for the flavour, or update the kernel by hand",
                packages=", ".join(names),
            )
        await self.prechecks()
        if not evaluation.packages and not plan.full_upgrade:
            waiting = any(i.state is ItemState.REBOOT_ONLY for i in evaluation.items)
            session.enter(
                WorkPhase.VERIFY,
                "nothing to update: a fixed kernel is installed and waits for a reboot"
                if waiting
                else "every requested item is already fixed",
            )
            return None
        await self.check_package_manager()
        session.enter(WorkPhase.REFRESH, "refresh the package indexes")
        if issue := await backends.refresh_indexes(session, plan):
            state.stop(WorkStatus.REFUSED, issue)
            raise Stop
        approved, affected = await self.dry_run(before, evaluation.packages)
        if not approved:
            session.enter(WorkPhase.VERIFY, "the package manager has nothing to do")
            return None
        return Prepared(
            before=before, packages=evaluation.packages, approved=approved, affected=affected
        )

    async def prechecks(self) -> None:
        session = self.session
        session.enter(WorkPhase.PRECHECK, "pre-checks")
        if self.window() <= 0:
            raise self.refuse(
                WorkReason.WINDOW_CLOSED,
                f"the work window ended at {self.window.ends_at.isoformat()}",
                window_ends_at=self.window.ends_at.isoformat(),
            )
        result = await session.step(commands.TOOLS, purpose="package-management tools present")
        tool = backends.tool_of(self.plan.package_manager)
        if tool not in parse_tools(result.stdout):
            raise self.refuse(
                WorkReason.PACKAGE_MANAGER_MISSING, f"{tool} is not installed", tool=tool
            )

    async def check_package_manager(self) -> None:
        session, options = self.session, self.session.options
        result = await session.step(commands.DISK_FREE, purpose="free disk space")
        for row in parse_disk_free(result.stdout):
            if row.available_kib < options.min_free_mib * 1024:
                raise self.refuse(
                    WorkReason.DISK_SPACE_LOW,
                    f"{row.mount} has {row.available_kib // 1024} MiB free, "
                    f"{options.min_free_mib} MiB are required",
                    mount=row.mount,
                    free_mib=str(row.available_kib // 1024),
                    required_mib=str(options.min_free_mib),
                )
        if issue := await backends.check_lock(session, self.plan):
            self.state.stop(WorkStatus.REFUSED, issue)
            raise Stop

    async def dry_run(
        self, before: HostInventory, packages: tuple[PlannedPackage, ...]
    ) -> tuple[tuple[TransactionEntry, ...], dict[str, TlsImpact]]:
        session, plan = self.session, self.plan
        session.enter(WorkPhase.DRY_RUN, "dry run")
        outcome = await backends.run_dry_run(session, plan, packages)
        if outcome.dry_run.problem is not None:
            raise self.refuse(
                WorkReason.DRY_RUN_FAILED,
                f"the dry run cannot be used: {outcome.dry_run.problem}",
                detail=outcome.dry_run.problem,
            )
        review = review_transaction(
            plan,
            outcome.dry_run.entries,
            installed=before.packages,
            planned=[p.name for p in packages],
            candidate_sources=outcome.candidate_sources,
            items=self.state.items,
        )
        if not review.is_approved:
            for issue in review.issues:
                self.state.stop(WorkStatus.REFUSED, issue)
            raise Stop
        installed = {p.name: p.version for p in before.packages}
        approved = tuple(
            TransactionEntry(
                action=e.action,
                name=e.name,
                arch=e.arch,
                old_version=e.old_version or installed.get(e.name, ""),
                new_version=e.new_version,
                repository=e.repository,
            )
            for e in review.approved
        )
        affected = await check_tls_passphrases(session, plan, before, approved)
        missing = {s: i.why for s, i in affected.items() if s not in self.passphrases}
        if missing:
            service, why = next(iter(missing.items()))
            raise self.refuse(
                WorkReason.TLS_PASSPHRASE_MISSING,
                f"{service} needs its TLS passphrase to restart ({why}) and none is on file: "
                "ask the customer to register it",
                service=service,
                services=", ".join(missing),
                why=why,
            )
        return approved, affected
