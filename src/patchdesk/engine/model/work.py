"""Update work on one server (R7 step 4, R13, R14): what was requested, the plan, the result.

The desk turns a customer's request into :class:`RequestedItem` s (one per finding: a package
and the version that fixes it), the engine builds a :class:`WorkPlan` from them and the server's
inventory (or a :class:`PlanRefusal`), runs it in the work window and returns a
:class:`WorkResult` that records every command, the versions before and after, restarts,
the reboot flag and the verification of each requested item. Everything here is plain data
(strings, numbers, tuples, aware datetimes): the desk stores it as it is.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from patchdesk.engine.model.finding import MatchMethod, PackageFinding
from patchdesk.engine.model.platform import PackageFormat

__all__ = [
    "ItemOutcome",
    "ItemResult",
    "ItemState",
    "KernelTarget",
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
    "TransactionAction",
    "TransactionEntry",
    "VersionBasis",
    "WorkIssue",
    "WorkPhase",
    "WorkPlan",
    "WorkProgress",
    "WorkReason",
    "WorkResult",
    "WorkStatus",
    "WorkStep",
]


class PackageManager(enum.StrEnum):
    APT = "apt"  # Debian, Ubuntu
    DNF = "dnf"  # RHEL 8+ family, Amazon Linux 2023
    YUM = "yum"  # RHEL/CentOS 7, Amazon Linux 2
    ZYPPER = "zypper"  # SLES, openSUSE Leap


class VersionBasis(enum.StrEnum):
    """Which installed version a minimum applies to.

    Advisories for Debian and Ubuntu name *source* packages and their fixed *source* version;
    a binary built from it may carry another version (a binNMU ``+b1``, its own epoch).
    """

    BINARY = "binary"
    SOURCE = "source"


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestedItem:
    """One thing the customer asked for: bring ``package`` to at least ``min_version``.

    ``package`` is the installed binary package; ``basis`` says whether ``min_version`` is
    compared with its binary or its source version. ``item_id`` is the desk's own reference
    (the finding or case item), echoed in :class:`ItemResult`.
    """

    package: str
    min_version: str
    basis: VersionBasis = VersionBasis.BINARY
    advisory_id: str = ""
    cve_ids: tuple[str, ...] = ()
    item_id: str = ""

    @classmethod
    def from_finding(cls, finding: PackageFinding, *, item_id: str = "") -> RequestedItem:
        """The request for a finding with a fix; raises ValueError for one without a fix."""
        if finding.fixed_version is None:
            raise ValueError(f"{finding.advisory_id} has no fixed version for {finding.package}")
        basis = (
            VersionBasis.SOURCE
            if finding.match_method is MatchMethod.SOURCE_NAME
            else VersionBasis.BINARY
        )
        return cls(
            package=finding.package,
            min_version=finding.fixed_version,
            basis=basis,
            advisory_id=finding.advisory_id,
            cve_ids=finding.cve_ids,
            item_id=item_id,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class RestartPolicy:
    """Which services the request allows the provider to restart after the update.

    Names are compared without a ``.service`` suffix (``apache2`` allows ``apache2.service``).
    """

    services: frozenset[str] = frozenset()
    allow_all: bool = False

    @classmethod
    def of(cls, names: Collection[str]) -> RestartPolicy:
        return cls(services=frozenset(name.removesuffix(".service") for name in names))

    def allows(self, service: str) -> bool:
        return self.allow_all or service.removesuffix(".service") in self.services


class ItemState(enum.StrEnum):
    """A requested item as the plan sees it."""

    TO_UPDATE = "to_update"
    ALREADY_FIXED = "already_fixed"  # installed version is at or above the minimum
    NOT_INSTALLED = "not_installed"  # nothing to update: the package is not on the server
    REBOOT_ONLY = "reboot_only"  # a kernel item: a fixed kernel is installed, not yet running


@dataclass(frozen=True, slots=True, kw_only=True)
class KernelTarget:
    """How a requested kernel package is fixed: by a kernel of the same flavour.

    Debian and Ubuntu ship a kernel fix in a new package with another ABI name
    (``linux-image-6.1.0-21-amd64``), pulled in by the flavour's metapackages
    (``linux-image-amd64``): ``metapackages`` are the installed ones the work updates. On RPM
    systems the kernel is an install-only package: the flavour is the package name itself
    (``kernel-core``) and the update installs the new kernel next to the old one.
    """

    flavour: str  # "amd64", "cloud-amd64", "generic"; rpm: the package name
    metapackages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedItem:
    request: RequestedItem
    state: ItemState
    installed_version: str = ""  # the compared (binary or source) version when planned
    kernel: KernelTarget | None = None  # a kernel item (see :class:`KernelTarget`)


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedPackage:
    """A package the work updates. ``arch`` matters for multi-arch Debian hosts only."""

    name: str
    arch: str
    installed_version: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkPlan:
    """Exactly what the work on one server will do, decided before connecting.

    ``packages`` is the only package list the commands use (never a full upgrade unless
    ``full_upgrade``). ``allowed_dependencies`` names packages the transaction may also
    install or upgrade. ``tls_services`` are the web servers that need a passphrase to start;
    ``tls_passphrases_on_file`` those for which the desk holds one (the passphrase itself is
    given to :func:`~patchdesk.engine.remediate.run_work`, never kept in the plan).
    """

    target: str
    hostname: str
    platform_key: str
    package_format: PackageFormat
    package_manager: PackageManager
    native_arch: str
    items: tuple[PlannedItem, ...]
    packages: tuple[PlannedPackage, ...]
    full_upgrade: bool = False
    allow_reboot: bool = False
    restart: RestartPolicy = field(default_factory=RestartPolicy)
    allowed_dependencies: tuple[str, ...] = ()
    advisory_ids: tuple[str, ...] = ()
    cve_ids: tuple[str, ...] = ()
    tls_services: tuple[str, ...] = ()
    tls_passphrases_on_file: tuple[str, ...] = ()

    @property
    def has_work(self) -> bool:
        return self.full_upgrade or bool(self.packages)


class PlanRefusalCode(enum.StrEnum):
    NOTHING_REQUESTED = "nothing_requested"
    INVENTORY_UNUSABLE = "inventory_unusable"  # a failed scan, or no platform
    UNSUPPORTED_PLATFORM = "unsupported_platform"  # no package manager the engine drives
    INVALID_ITEM = "invalid_item"  # a name or version that is not valid for the platform
    KERNEL_META_MISSING = "kernel_meta_missing"  # no metapackage pulls in a new kernel


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanRefusal:
    """Why no plan was made; ``problems`` lists each offending item (escaped)."""

    code: PlanRefusalCode
    message: str
    params: Mapping[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()


class TransactionAction(enum.StrEnum):
    UPGRADE = "upgrade"
    INSTALL = "install"  # a package that is not installed yet
    REMOVE = "remove"
    DOWNGRADE = "downgrade"
    REINSTALL = "reinstall"
    SKIP = "skip"  # the package manager will leave a requested package alone (conflicts)


@dataclass(frozen=True, slots=True, kw_only=True)
class TransactionEntry:
    """One line of a dry run: what the package manager would do to one package."""

    action: TransactionAction
    name: str
    arch: str = ""
    old_version: str = ""
    new_version: str = ""
    repository: str = ""


class WorkStatus(enum.StrEnum):
    DONE = "done"  # every requested item verified fixed
    PARTIAL = "partial"  # changes made, but not everything is verified fixed (see issues)
    REFUSED = "refused"  # a pre-check or the dry run said no: nothing was changed
    FAILED = "failed"  # the work broke off after changes may have started (see issues)
    STOPPED_WINDOW_ENDED = "stopped_window_ended"  # stopped between steps at the window's end


class WorkReason(enum.StrEnum):
    """Coded reasons; the desk words them in the user's language with :attr:`WorkIssue.params`."""

    # reaching and using the server (refused: nothing changed)
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    AUTH_REJECTED = "auth_rejected"  # R14: the credentials changed
    HOST_KEY_CHANGED = "host_key_changed"
    HOST_KEY_NOT_PINNED = "host_key_not_pinned"  # first contact: scan and pin before any work
    PERMISSION_DENIED = "permission_denied"  # sudo refused
    NOT_PRIVILEGED = "not_privileged"  # neither root nor sudo configured
    UNSUPPORTED_OS = "unsupported_os"
    COMMAND_FAILED = "command_failed"  # the scan before the work failed
    PLAN_STALE = "plan_stale"  # the server is not the one the plan was made for
    PACKAGE_MANAGER_MISSING = "package_manager_missing"
    # pre-checks and the dry run (refused: nothing changed)
    WINDOW_CLOSED = "window_closed"
    DISK_SPACE_LOW = "disk_space_low"
    PACKAGE_MANAGER_LOCKED = "package_manager_locked"
    PACKAGE_MANAGER_BROKEN = "package_manager_broken"  # e.g. an interrupted dpkg run
    INDEX_UPDATE_FAILED = "index_update_failed"
    DRY_RUN_FAILED = "dry_run_failed"
    DRY_RUN_REMOVES_PACKAGES = "dry_run_removes_packages"
    DRY_RUN_UNEXPECTED_PACKAGES = "dry_run_unexpected_packages"
    DRY_RUN_DOWNGRADES = "dry_run_downgrades"
    DRY_RUN_SKIPS_PACKAGES = "dry_run_skips_packages"
    FIX_NOT_AVAILABLE = "fix_not_available"  # the candidate is below the minimum version
    TLS_PASSPHRASE_MISSING = "tls_passphrase_missing"  # noqa: S105 - R13: ask the customer
    KERNEL_META_MISSING = "kernel_meta_missing"  # the kernel's metapackage is gone since the plan
    # during and after the update
    APPLY_FAILED = "apply_failed"  # the package manager reported an error
    APPLY_TIMEOUT = "apply_timeout"
    CONNECTION_LOST = "connection_lost"
    WINDOW_ENDED = "window_ended"
    RESCAN_FAILED = "rescan_failed"
    NOT_FIXED = "not_fixed"
    UNEXPECTED_CHANGE = "unexpected_change"  # a package changed that the dry run did not show
    RESTART_FAILED = "restart_failed"
    REBOOT_FAILED = "reboot_failed"
    INTERNAL_ERROR = "internal_error"


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkIssue:
    code: WorkReason
    message: str  # one English line without secrets
    params: Mapping[str, str] = field(default_factory=dict)


class WorkPhase(enum.StrEnum):
    CONNECT = "connect"
    SCAN_BEFORE = "scan_before"
    PRECHECK = "precheck"
    REFRESH = "refresh"
    DRY_RUN = "dry_run"
    APPLY = "apply"
    SCAN_AFTER = "scan_after"
    RESTART = "restart"
    REBOOT = "reboot"
    VERIFY = "verify"
    FINISHED = "finished"


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkStep:
    """One command as it ran: masked command and output, exit status, timings.

    ``exit_status`` is None when the command did not finish; ``error`` then holds the
    transport's code (``unreachable``, ``timeout`` ...). ``stdin_bytes`` counts what the
    command read on stdin (never recorded: it can hold a passphrase).
    """

    phase: WorkPhase
    purpose: str
    command: str
    as_root: bool
    started_at: datetime
    finished_at: datetime
    duration_s: float
    exit_status: int | None
    stdout: str = ""
    stderr: str = ""
    stdin_bytes: int = 0
    is_output_cut: bool = False
    error: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkProgress:
    """Reported as the work moves on (for the console's progress page)."""

    target: str
    phase: WorkPhase
    message: str
    at: datetime
    steps_done: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageChange:
    """A package whose installed version differs after the work (``""``: not installed)."""

    name: str
    arch: str
    before: str
    after: str
    is_expected: bool  # part of the approved dry-run transaction


class ItemOutcome(enum.StrEnum):
    FIXED = "fixed"  # below the minimum before, at or above it after this run
    FIXED_PENDING_REBOOT = "fixed_pending_reboot"  # a fixed kernel is installed, not yet running
    ALREADY_FIXED = "already_fixed"  # at or above the minimum before the run (a retry)
    NOT_INSTALLED = "not_installed"  # the package is not on the server: nothing to fix
    NOT_FIXED = "not_fixed"
    NOT_VERIFIED = "not_verified"  # no rescan to check against


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemResult:
    request: RequestedItem
    outcome: ItemOutcome
    version_before: str = ""  # the compared (binary or source) version
    version_after: str = ""


class RestartOutcome(enum.StrEnum):
    RESTARTED = "restarted"
    NOT_ALLOWED = "not_allowed"  # the request does not allow restarting it
    PASSPHRASE_MISSING = "passphrase_missing"  # noqa: S105 - R13
    WINDOW_ENDED = "window_ended"
    FAILED = "failed"
    NOT_A_SERVICE = "not_a_service"  # a process without a service name


@dataclass(frozen=True, slots=True, kw_only=True)
class RestartRecord:
    service: str
    outcome: RestartOutcome
    with_passphrase: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingRestart:
    service: str
    reason: RestartOutcome


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkResult:
    """Everything one run did and found; ``status`` and ``issues`` say how it ended."""

    target: str
    hostname: str
    status: WorkStatus
    started_at: datetime
    finished_at: datetime
    issues: tuple[WorkIssue, ...] = ()
    steps: tuple[WorkStep, ...] = ()
    transaction: tuple[TransactionEntry, ...] = ()  # the approved dry run
    changes: tuple[PackageChange, ...] = ()
    items: tuple[ItemResult, ...] = ()
    restarts: tuple[RestartRecord, ...] = ()
    pending_restarts: tuple[PendingRestart, ...] = ()
    reboot_required: bool | None = None
    rebooted: bool = False
    is_changed: bool = False  # package versions changed (or may have: no rescan after)
    apply_started: bool = False  # the update command was sent to the server

    @property
    def duration_s(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def reason(self) -> WorkReason | None:
        return self.issues[0].code if self.issues else None
