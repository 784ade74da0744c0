"""Reads of servers, their scans, credentials (never the secrets), host keys and packages.

Every read of customer data takes ``actor=`` (or a server the actor was allowed to load).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from patchdesk.desk.accounts.models import User
from patchdesk.desk.customers.selectors import scope_to_actor
from patchdesk.desk.findings.models import Finding, FindingState
from patchdesk.desk.fleet.models import (
    Credential,
    HostKey,
    InstalledPackage,
    OutOfScopeSoftware,
    Scan,
    Server,
    TlsPassphrase,
)
from patchdesk.engine.model.classification import SecurityLevel
from patchdesk.engine.model.inventory import OriginClass

__all__ = [
    "PACKAGES_PER_PAGE",
    "SERVERS_PER_PAGE",
    "CredentialStatus",
    "ServerFacts",
    "ServerProblem",
    "ServerRow",
    "credential_status",
    "host_key_list",
    "host_key_pending_get",
    "out_of_scope_list",
    "package_page",
    "scan_list",
    "server_facts",
    "server_get",
    "server_list",
    "server_rows",
    "third_party_package_list",
    "tls_passphrase_list",
]

SERVERS_PER_PAGE = 100
PACKAGES_PER_PAGE = 100


class ServerProblem:
    """Codes of the server list's "problem" filter."""

    FAILED_SCAN = "failed_scan"
    REJECTED_CREDENTIALS = "rejected_credentials"
    MISSING_CREDENTIALS = "missing_credentials"
    PENDING_KEY = "pending_key"
    ALL = (FAILED_SCAN, REJECTED_CREDENTIALS, MISSING_CREDENTIALS, PENDING_KEY)


def _open_count(level: str) -> Coalesce:
    counts = (
        Finding.objects.filter(server=OuterRef("pk"), state=FindingState.OPEN, level=level)
        .order_by()
        .values("server")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def server_list(
    *,
    actor: User,
    customer_id: int | None = None,
    platform_id: int | None = None,
    problem: str = "",
    search: str = "",
) -> QuerySet[Server]:
    """Servers the actor may see, with their last scan, open findings and credential state."""
    latest = Scan.objects.filter(server=OuterRef("pk")).order_by("-queued_at", "-pk")
    queryset = scope_to_actor(
        Server.objects.select_related("customer", "platform"), actor=actor
    ).annotate(
        latest_scan_id=Subquery(latest.values("pk")[:1]),
        latest_scan_status=Subquery(latest.values("status")[:1]),
        open_high=_open_count(SecurityLevel.HIGH.value),
        open_medium=_open_count(SecurityLevel.MEDIUM.value),
        open_review=_open_count(SecurityLevel.NEEDS_REVIEW.value),
        has_credential=Exists(Credential.objects.filter(server=OuterRef("pk"))),
        credential_rejected_at=F("credential__rejected_at"),
        has_pending_key=Exists(
            HostKey.objects.filter(server=OuterRef("pk"), status=HostKey.Status.PENDING)
        ),
    )
    if customer_id is not None:
        queryset = queryset.filter(customer_id=customer_id)
    if platform_id is not None:
        queryset = queryset.filter(platform_id=platform_id)
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(address__icontains=search))
    if problem == ServerProblem.FAILED_SCAN:
        queryset = queryset.filter(latest_scan_status=Scan.Status.FAILED)
    elif problem == ServerProblem.REJECTED_CREDENTIALS:
        queryset = queryset.filter(credential__rejected_at__isnull=False)
    elif problem == ServerProblem.MISSING_CREDENTIALS:
        queryset = queryset.filter(has_credential=False)
    elif problem == ServerProblem.PENDING_KEY:
        queryset = queryset.filter(has_pending_key=True)
    return queryset.order_by("customer__name", "name")


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerRow:
    server: Server
    latest_scan: Scan | None
    is_out_of_service: bool

    @property
    def credential_state(self) -> str:
        server: Any = self.server
        if not server.has_credential:
            return "missing"
        return "rejected" if server.credential_rejected_at else "ok"


def server_rows(servers: list[Server], *, today: date) -> list[ServerRow]:
    """One page of :func:`server_list` with each server's latest scan (of any outcome)."""
    ids = [getattr(server, "latest_scan_id", None) for server in servers]
    scans = Scan.objects.defer("document", "facts").in_bulk([pk for pk in ids if pk])
    return [
        ServerRow(
            server=server,
            latest_scan=scans.get(scan_id) if scan_id else None,
            is_out_of_service=bool(
                server.platform
                and server.platform.vendor_support_ends_on
                and server.platform.vendor_support_ends_on < today
            ),
        )
        for server, scan_id in zip(servers, ids, strict=True)
    ]


def server_get(pk: int, *, actor: User) -> Server:
    """One server the actor may see; ``Server.DoesNotExist`` otherwise."""
    return scope_to_actor(
        Server.objects.select_related("customer", "platform", "last_scan"), actor=actor
    ).get(pk=pk)


def servers_by_ids(ids: list[int], *, actor: User) -> list[Server]:
    return list(scope_to_actor(Server.objects.filter(pk__in=ids), actor=actor))


def servers_managed(*, actor: User) -> list[Server]:
    return list(scope_to_actor(Server.objects.filter(is_managed=True), actor=actor))


# --- one server ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CredentialStatus:
    """What may be shown of a credential: never a secret, only whether one is on file."""

    username: str
    auth_method: str
    auth_method_label: str
    elevation_label: str
    jump_host: str
    updated_at: datetime
    rejected_at: datetime | None
    has_key_passphrase: bool
    has_sudo_password: bool


def credential_status(server: Server) -> CredentialStatus | None:
    row = Credential.objects.filter(server=server).defer("secret").first()
    if row is None:
        return None
    return CredentialStatus(
        username=row.username,
        auth_method=row.auth_method,
        auth_method_label=str(row.get_auth_method_display()),
        elevation_label=str(row.get_elevation_display()),
        jump_host=row.jump_host,
        updated_at=row.updated_at,
        rejected_at=row.rejected_at,
        has_key_passphrase=row.key_passphrase is not None,
        has_sudo_password=row.sudo_password is not None,
    )


def host_key_list(server: Server) -> QuerySet[HostKey]:
    return server.host_keys.select_related("accepted_by").order_by("status", "-first_seen_at")


def host_key_pending_get(server: Server, pk: int) -> HostKey:
    return server.host_keys.select_related("server").get(pk=pk, status=HostKey.Status.PENDING)


def tls_passphrase_list(server: Server) -> list[dict[str, Any]]:
    """The services with a passphrase on file and when it was set (never the passphrase)."""
    rows = TlsPassphrase.objects.filter(server=server).order_by("service")
    return [dict(row) for row in rows.values("service", "updated_at")]


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanRow:
    scan: Scan

    @property
    def duration(self) -> timedelta | None:
        scan = self.scan
        if scan.started_at is None or scan.finished_at is None:
            return None
        return scan.finished_at - scan.started_at


def scan_list(server: Server, *, limit: int = 20) -> list[ScanRow]:
    scans = server.scans.defer("document", "facts").select_related("requested_by")
    return [ScanRow(scan=scan) for scan in scans.order_by("-queued_at", "-pk")[:limit]]


def package_page(server: Server, *, page: str | int | None) -> Page[InstalledPackage]:
    packages = InstalledPackage.objects.filter(server=server).order_by("name", "arch", "pk")
    return Paginator(packages, PACKAGES_PER_PAGE).get_page(page)


def out_of_scope_list(server: Server) -> QuerySet[OutOfScopeSoftware]:
    return OutOfScopeSoftware.objects.filter(server=server).order_by("path")


def third_party_package_list(server: Server) -> QuerySet[InstalledPackage]:
    """Packages from a third-party repository or from no repository at all (R5)."""
    return InstalledPackage.objects.filter(
        server=server, origin__in=[OriginClass.THIRD_PARTY.value, OriginClass.LOCAL.value]
    ).order_by("name")


# --- facts of the last successful scan --------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TlsServiceFact:
    service: str
    needs_passphrase: bool
    has_passphrase: bool
    passphrase_source: str
    key_paths: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerFacts:
    """What the last successful scan found around the packages (from ``Scan.facts``)."""

    scanned_at: datetime | None
    running_kernel: str = ""
    running_kernel_package: str = ""
    is_running_packaged: bool | None = None
    newer_kernels: list[str] = field(default_factory=list)
    installed_kernels: list[dict[str, str]] = field(default_factory=list)
    reboot_required: bool | None = None
    reboot_reasons: list[str] = field(default_factory=list)
    restart_method: str = ""
    services_to_restart: list[str] = field(default_factory=list)
    tls: list[TlsServiceFact] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)


def _strings(value: Any) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def server_facts(server: Server) -> ServerFacts | None:
    """The facts of the server's last successful scan (None: never scanned successfully)."""
    scan = server.last_scan
    if scan is None:
        return None
    facts: dict[str, Any] = scan.facts if isinstance(scan.facts, dict) else {}
    kernel = facts.get("kernel") or {}
    restart = facts.get("restart") or {}
    on_file = set(TlsPassphrase.objects.filter(server=server).values_list("service", flat=True))
    tls = [
        TlsServiceFact(
            service=str(item.get("service", "")),
            needs_passphrase=bool(item.get("needs_passphrase")),
            has_passphrase=str(item.get("service", "")) in on_file,
            passphrase_source=str(item.get("passphrase_source", "")),
            key_paths=[str(key.get("path", "")) for key in item.get("keys") or []],
        )
        for item in facts.get("tls") or []
        if isinstance(item, dict)
    ]
    return ServerFacts(
        scanned_at=scan.finished_at,
        running_kernel=str(kernel.get("running_release", "")),
        running_kernel_package=str(kernel.get("running_package", "")),
        is_running_packaged=kernel.get("is_running_packaged") if kernel else None,
        newer_kernels=_strings(kernel.get("newer_installed")),
        installed_kernels=[
            {key: str(value) for key, value in item.items()}
            for item in kernel.get("installed") or []
            if isinstance(item, dict)
        ],
        reboot_required=restart.get("reboot_required") if restart else None,
        reboot_reasons=_strings(restart.get("reboot_reasons")),
        restart_method=str(restart.get("method", "")),
        services_to_restart=[
            str(item.get("name", ""))
            for item in restart.get("services") or []
            if isinstance(item, dict)
        ],
        tls=tls,
        warnings=[item for item in facts.get("warnings") or [] if isinstance(item, dict)],
    )
