"""Apply requested security updates over SSH, safely and fully recorded (R7 step 4, R13, R14).

What the desk calls:

- :func:`build_work_plan` (``requested items + inventory → WorkPlan | PlanRefusal``): exactly
  which packages to update to at least which versions; nothing else unless the request allows
  a full upgrade.
- :func:`run_work` (one server) / :func:`run_works` / :func:`run_works_blocking` (many, with a
  bounded pool): scan → pre-checks (window, tools, disk, lock, database health) → index refresh
  → dry run compared with the plan → TLS passphrase check → apply → rescan → allowed
  restarts → reboot when allowed and required → verification of every item. Each returns a
  :class:`~patchdesk.engine.model.work.WorkResult`.

Types are in :mod:`patchdesk.engine.model.work`. See ``docs/remediation.md`` for the rules,
the commands per package manager, the statuses and the reason codes.
"""

from __future__ import annotations

from patchdesk.engine.model.work import (
    ItemOutcome,
    ItemResult,
    ItemState,
    PackageChange,
    PackageManager,
    PendingRestart,
    PlannedItem,
    PlannedPackage,
    PlanRefusal,
    PlanRefusalCode,
    RequestedItem,
    RestartOutcome,
    RestartPolicy,
    RestartRecord,
    TransactionAction,
    TransactionEntry,
    VersionBasis,
    WorkIssue,
    WorkPhase,
    WorkPlan,
    WorkProgress,
    WorkReason,
    WorkResult,
    WorkStatus,
    WorkStep,
)
from patchdesk.engine.remediate.plan import build_work_plan, select_package_manager
from patchdesk.engine.remediate.pool import (
    DEFAULT_WORK_CONCURRENCY,
    WorkJob,
    run_works,
    run_works_blocking,
)
from patchdesk.engine.remediate.run import run_work
from patchdesk.engine.remediate.session import MASK, RunOptions

__all__ = [
    "DEFAULT_WORK_CONCURRENCY",
    "MASK",
    "ItemOutcome",
    "ItemResult",
    "ItemState",
    "PackageChange",
    "PackageManager",
    "PendingRestart",
    "PlanRefusal",
    "PlanRefusalCode",
    "PlannedItem",
    "PlannedPackage",
    "RequestedItem",
    "RestartOutcome",
    "RestartPolicy",
    "RestartRecord",
    "RunOptions",
    "TransactionAction",
    "TransactionEntry",
    "VersionBasis",
    "WorkIssue",
    "WorkJob",
    "WorkPhase",
    "WorkPlan",
    "WorkProgress",
    "WorkReason",
    "WorkResult",
    "WorkStatus",
    "WorkStep",
    "build_work_plan",
    "run_work",
    "run_works",
    "run_works_blocking",
    "select_package_manager",
]
