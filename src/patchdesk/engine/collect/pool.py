"""Scan many servers concurrently with a bounded pool; one host's failure never stops the rest.

The pool (default 50 hosts at once) keeps a scan from flooding a hypervisor with SSH logins
and package queries. Every target yields exactly one :class:`HostInventory`, in input order:
failures (unreachable, timeout, credentials, host key, ...) are inventories with ``error`` set.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Final

from patchdesk.engine.collect.host import CollectOptions, collect_inventory
from patchdesk.engine.model.inventory import HostInventory, ScanError, ScanErrorCode
from patchdesk.engine.transport.base import Elevation, Transport
from patchdesk.engine.transport.errors import HostKeyChangedError, TransportError
from patchdesk.engine.transport.local import LocalTransport
from patchdesk.engine.transport.ssh import HostKeyObserver, SshOptions, SshTarget, open_ssh

__all__ = [
    "DEFAULT_CONCURRENCY",
    "LocalTarget",
    "ScanProgress",
    "ScanTarget",
    "open_target",
    "scan_host",
    "scan_hosts",
    "scan_hosts_blocking",
]

logger = logging.getLogger(__name__)

DEFAULT_CONCURRENCY: Final = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class LocalTarget:
    """The machine patchdesk runs on."""

    elevation: Elevation = Elevation.NONE
    sudo_password: str | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return "local"


ScanTarget = SshTarget | LocalTarget


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanProgress:
    """Reported after each host: how many are done, of how many, and the latest result."""

    done: int
    total: int
    inventory: HostInventory


Connect = Callable[[ScanTarget], AbstractAsyncContextManager[Transport]]


@contextlib.asynccontextmanager
async def _open(
    target: ScanTarget, ssh_options: SshOptions | None, on_host_key: HostKeyObserver | None
) -> AsyncIterator[Transport]:
    if isinstance(target, LocalTarget):
        yield LocalTransport(
            elevation=target.elevation,
            sudo_password=target.sudo_password,
            command_timeout_s=(ssh_options or SshOptions()).command_timeout_s,
        )
        return
    async with open_ssh(target, options=ssh_options, on_host_key=on_host_key) as transport:
        yield transport


def open_target(
    ssh_options: SshOptions | None = None, *, on_host_key: HostKeyObserver | None = None
) -> Connect:
    """The default way to reach a target: SSH (asyncssh) or the local machine.

    ``on_host_key`` sees every SSH hop's key after a successful login (see
    :data:`~patchdesk.engine.transport.ssh.HostKeyObserver`): pin first-contact keys there.
    """

    def connect(target: ScanTarget) -> AbstractAsyncContextManager[Transport]:
        return _open(target, ssh_options, on_host_key)

    return connect


async def scan_host(
    target: ScanTarget,
    *,
    clock: Callable[[], datetime],
    ssh_options: SshOptions | None = None,
    collect_options: CollectOptions | None = None,
    connect: Connect | None = None,
) -> HostInventory:
    """Connect to one target and collect its inventory; never raises for the host's failures.

    A changed host key gives an inventory with ``error.code == host_key_changed`` and the
    key the server presented in :attr:`HostInventory.host_key`, for an operator to review.
    """
    started_at = clock()
    opener = connect or open_target(ssh_options)
    try:
        async with opener(target) as transport:
            inventory = await collect_inventory(transport, options=collect_options, clock=clock)
            return replace(inventory, target=target.url)
    except HostKeyChangedError as exc:
        return HostInventory(
            target=target.url,
            started_at=started_at,
            finished_at=clock(),
            host_key=exc.observed,
            error=exc.to_scan_error(),
        )
    except TransportError as exc:
        return HostInventory(
            target=target.url,
            started_at=started_at,
            finished_at=clock(),
            error=exc.to_scan_error(),
        )
    except Exception as exc:  # a defect must not stop the other hosts
        logger.exception("internal error while scanning target=%s", target.url)
        return HostInventory(
            target=target.url,
            started_at=started_at,
            finished_at=clock(),
            error=ScanError(
                code=ScanErrorCode.INTERNAL_ERROR,
                message=f"{target.url}: internal error: {type(exc).__name__}",
                params={"exception": type(exc).__name__},
            ),
        )


async def scan_hosts(
    targets: Sequence[ScanTarget],
    *,
    clock: Callable[[], datetime],
    concurrency: int = DEFAULT_CONCURRENCY,
    ssh_options: SshOptions | None = None,
    collect_options: CollectOptions | None = None,
    on_progress: Callable[[ScanProgress], None] | None = None,
    connect: Connect | None = None,
) -> list[HostInventory]:
    """Scan ``targets`` with at most ``concurrency`` at once; results in input order."""
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    slots = asyncio.Semaphore(concurrency)
    done = 0

    async def one(target: ScanTarget) -> HostInventory:
        nonlocal done
        async with slots:
            inventory = await scan_host(
                target,
                clock=clock,
                ssh_options=ssh_options,
                collect_options=collect_options,
                connect=connect,
            )
        done += 1
        if on_progress is not None:
            on_progress(ScanProgress(done=done, total=len(targets), inventory=inventory))
        return inventory

    return list(await asyncio.gather(*(one(target) for target in targets)))


def scan_hosts_blocking(
    targets: Sequence[ScanTarget],
    *,
    clock: Callable[[], datetime],
    concurrency: int = DEFAULT_CONCURRENCY,
    ssh_options: SshOptions | None = None,
    collect_options: CollectOptions | None = None,
    on_progress: Callable[[ScanProgress], None] | None = None,
    connect: Connect | None = None,
) -> list[HostInventory]:
    """:func:`scan_hosts` for synchronous callers (a desk job, the command line)."""
    return asyncio.run(
        scan_hosts(
            targets,
            clock=clock,
            concurrency=concurrency,
            ssh_options=ssh_options,
            collect_options=collect_options,
            on_progress=on_progress,
            connect=connect,
        )
    )
