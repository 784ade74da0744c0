"""Collect one host's inventory over a connected :class:`Transport`.

Order: identity (one round trip: OS release files, kernel, host name, user id, tools), the
platform (unsupported → stop), privileges (root, or a sudo probe that stops the scan with
``permission_denied`` when sudo is configured but refused), the packages, then origins,
restarts, out-of-scope software and TLS passphrases concurrently. Transport failures end the
scan with their code; optional checks that fail become warnings.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from patchdesk.engine import versions
from patchdesk.engine.collect import commands
from patchdesk.engine.collect.context import HostContext, Privilege
from patchdesk.engine.collect.kernel import VersionCompare, build_kernel_info
from patchdesk.engine.collect.lines import Rejections, iter_lines, split_sections
from patchdesk.engine.collect.origin import OriginRules
from patchdesk.engine.collect.platform_detect import (
    UnsupportedOs,
    detect_platform,
    parse_os_release,
)
from patchdesk.engine.collect.restart_check import collect_restart
from patchdesk.engine.collect.steps import collect_out_of_scope, collect_packages, collect_tls
from patchdesk.engine.model.inventory import (
    HostInventory,
    KernelInfo,
    OutOfScopeItem,
    RestartInfo,
    ScanError,
    ScanErrorCode,
    TlsService,
)
from patchdesk.engine.model.platform import PackageFormat, Platform
from patchdesk.engine.transport.base import Elevation, Transport
from patchdesk.engine.transport.errors import (
    CommandFailedError,
    CommandTimeoutError,
    TransportError,
)

__all__ = ["CollectOptions", "HostIdentity", "collect_inventory", "parse_identity"]

logger = logging.getLogger(__name__)
T = TypeVar("T")

_RELEASE_FILES = (
    "debian_version",
    "redhat-release",
    "system-release",
    "lsb-release",
    "SuSE-release",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class CollectOptions:
    """What to collect, and how the provider's repositories are recognised."""

    origin_rules: OriginRules = field(default_factory=OriginRules)
    with_origins: bool = True
    with_restart: bool = True
    with_out_of_scope: bool = True
    with_tls: bool = True
    command_timeout_s: float | None = None  # None: the transport's default


@dataclass(frozen=True, slots=True, kw_only=True)
class HostIdentity:
    hostname: str
    uid: str
    machine: str
    kernel_release: str
    kernel_version: str
    dpkg_arch: str
    tools: frozenset[str]
    os_release: dict[str, str]
    release_files: dict[str, list[str]]


def parse_identity(data: bytes) -> tuple[HostIdentity, Rejections]:
    """The sections printed by :data:`~patchdesk.engine.collect.commands.IDENTITY`."""
    rejections = Rejections("identity")
    sections = split_sections(list(iter_lines(data, rejections)), "patchdesk", rejections)
    uname = [*sections.get("uname", []), "", "", ""]

    def first(name: str) -> str:
        return next(iter(sections.get(name, [])), "").strip()[:256]

    tools = frozenset(line.strip() for line in sections.get("tools", []))
    identity = HostIdentity(
        hostname=first("hostname"),
        uid=first("uid"),
        machine=uname[0].strip()[:64],
        kernel_release=uname[1].strip()[:256],
        kernel_version=uname[2].strip()[:256],
        dpkg_arch=first("dpkg-arch"),
        tools=tools & frozenset(commands.PROBED_TOOLS),
        os_release=parse_os_release(sections.get("os-release", [])),
        release_files={name: sections.get(name, []) for name in _RELEASE_FILES},
    )
    return identity, rejections


def _version_compare(package_format: PackageFormat) -> VersionCompare:
    """Compare package versions of ``package_format``; an invalid one is never "newer"."""

    def ordered(a: str, b: str) -> int:
        try:
            return versions.compare(package_format, a, b)
        except versions.InvalidVersion:
            return 0

    return ordered


async def _privilege(transport: Transport, identity: HostIdentity) -> Privilege:
    if identity.uid == "0":
        return Privilege.ROOT
    if transport.elevation is Elevation.NONE:
        return Privilege.NONE
    await transport.run(commands.SUDO_PROBE, as_root=True)  # raises PermissionDeniedError
    return Privilege.SUDO


async def _tolerating_timeout(
    context: HostContext, source: str, step: Awaitable[T], default: T
) -> T:
    """An optional step that runs out of time becomes a warning; the scan goes on."""
    try:
        return await step
    except CommandTimeoutError as exc:
        context.warn(source, "timeout", f"{source} skipped: {exc.message}")
        return default


async def _optional_steps(
    context: HostContext, platform: Platform, kernel: KernelInfo, options: CollectOptions
) -> tuple[RestartInfo | None, tuple[OutOfScopeItem, ...], tuple[TlsService, ...]]:
    """Restarts, out-of-scope software and TLS at once. A timeout skips only its step; any
    other transport failure stops the scan (the sibling steps are cancelled)."""
    no_items: tuple[OutOfScopeItem, ...] = ()
    no_tls: tuple[TlsService, ...] = ()
    try:
        async with asyncio.TaskGroup() as group:
            restart = group.create_task(
                _tolerating_timeout(
                    context, "restart check", collect_restart(context, platform, kernel), None
                )
                if options.with_restart
                else _nothing(None)
            )
            out_of_scope = group.create_task(
                _tolerating_timeout(
                    context, "out-of-scope check", collect_out_of_scope(context, platform), no_items
                )
                if options.with_out_of_scope
                else _nothing(no_items)
            )
            tls = group.create_task(
                _tolerating_timeout(context, "TLS check", collect_tls(context), no_tls)
                if options.with_tls
                else _nothing(no_tls)
            )
    except* TransportError as failures:
        raise failures.exceptions[0] from None
    return restart.result(), out_of_scope.result(), tls.result()


async def _nothing(value: T) -> T:
    return value


async def collect_inventory(
    transport: Transport,
    *,
    options: CollectOptions | None = None,
    clock: Callable[[], datetime],
) -> HostInventory:
    """Scan one connected host. Never raises for the host's own failures: a
    :class:`TransportError` (timeout, sudo refused, lost connection) or an unsupported OS
    becomes :attr:`HostInventory.error`, with whatever was learned before it."""
    options = options or CollectOptions()
    started_at = clock()
    hostname = ""
    platform: Platform | None = None
    context: HostContext | None = None
    try:
        result = await transport.run(commands.IDENTITY, timeout_s=options.command_timeout_s)
        if not result.stdout.strip():
            raise CommandFailedError(
                f"{transport.target}: the identity script printed nothing "
                f"({result.stderr_line() or 'no error message'})",
                params={"command": "identity", "detail": result.stderr_line()},
            )
        identity, rejections = parse_identity(result.stdout)
        hostname = identity.hostname
        arch = identity.dpkg_arch or identity.machine
        detected = detect_platform(
            identity.os_release, release_files=identity.release_files, arch=arch
        )
        if isinstance(detected, UnsupportedOs):
            return HostInventory(
                target=transport.target,
                started_at=started_at,
                finished_at=clock(),
                hostname=identity.hostname,
                host_key=transport.host_key,
                error=ScanError(
                    code=ScanErrorCode.UNSUPPORTED_OS,
                    message=f"{transport.target}: {detected.reason}",
                    params={
                        "reason": detected.reason,
                        "os_id": detected.os_id,
                        "version_id": detected.version_id,
                        "pretty_name": detected.pretty_name,
                    },
                ),
            )
        platform = detected
        context = HostContext(
            transport=transport,
            privilege=await _privilege(transport, identity),
            tools=identity.tools,
            timeout_s=options.command_timeout_s,
        )
        context.add(rejections)
        if not context.is_privileged:
            context.warn(
                "privileges",
                "not_privileged",
                "not root and no sudo configured: process and TLS key checks are partial",
            )
        packages = await collect_packages(
            context, platform, options.origin_rules, with_origins=options.with_origins
        )
        kernel = build_kernel_info(
            running_release=identity.kernel_release,
            running_version=identity.kernel_version,
            packages=packages,
            family=platform.family,
            compare=_version_compare(platform.package_format),
        )
        restart, out_of_scope, tls = await _optional_steps(context, platform, kernel, options)
    except TransportError as exc:
        logger.info("scan failed target=%s code=%s", transport.target, exc.code)
        return HostInventory(
            target=transport.target,
            started_at=started_at,
            finished_at=clock(),
            hostname=hostname,
            platform=platform,
            host_key=transport.host_key,
            error=exc.to_scan_error(),
            warnings=tuple(context.warnings) if context else (),
        )
    return HostInventory(
        target=transport.target,
        started_at=started_at,
        finished_at=clock(),
        hostname=hostname,
        platform=platform,
        packages=packages,
        kernel=kernel,
        restart=restart,
        out_of_scope=out_of_scope,
        tls=tls,
        host_key=transport.host_key,
        is_privileged=context.is_privileged,
        warnings=tuple(context.warnings),
    )
