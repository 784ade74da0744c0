"""The SSH transport (asyncssh): keys, passwords, encrypted keys, sudo, jump hosts, timeouts.

Host keys are checked *before* authentication. With a pinned key (:attr:`SshTarget.host_key`)
only that key is accepted and any other raises :class:`HostKeyChangedError` carrying the key
the server presented, so nothing (no password) is ever sent to an impostor. Without a pinned
key (first contact) the presented key is accepted and reported as
:attr:`SshTransport.host_key`; pinning it is the caller's job.

Nothing is read from ``~/.ssh`` (no config, no default keys, no agent, no known_hosts): a scan
uses exactly the credentials it is given.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field

import asyncssh

from patchdesk.engine.model.inventory import HostKey
from patchdesk.engine.transport._output import read_both
from patchdesk.engine.transport._privilege import sudo_refusal, wrap_for_root
from patchdesk.engine.transport.base import DEFAULT_MAX_OUTPUT_BYTES, CommandResult, Elevation
from patchdesk.engine.transport.errors import (
    AuthenticationRejectedError,
    CommandTimeoutError,
    ConnectTimeoutError,
    HostKeyChangedError,
    PermissionDeniedError,
    TransportError,
    UnreachableError,
)
from patchdesk.engine.transport.hostkeys import host_key_from_asyncssh

__all__ = [
    "HostKeyObserver",
    "SshCredentials",
    "SshOptions",
    "SshTarget",
    "SshTransport",
    "open_ssh",
]

logger = logging.getLogger(__name__)

_MAX_STDERR_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class SshCredentials:
    """How to log in, and how to become root. Secrets never appear in ``repr()``.

    ``private_keys`` are key file *contents* (OpenSSH or PEM), possibly encrypted with
    ``key_passphrase``. With :attr:`Elevation.SUDO_PASSWORD`, sudo gets ``sudo_password``, or
    the login ``password`` when that is not set.
    """

    username: str
    password: str | None = field(default=None, repr=False)
    private_keys: tuple[str, ...] = field(default=(), repr=False)
    key_passphrase: str | None = field(default=None, repr=False)
    elevation: Elevation = Elevation.NONE
    sudo_password: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class SshTarget:
    """One server: address, credentials, the pinned host key, and an optional jump host.

    ``host_key`` is the pinned key (None on first contact: any key is accepted and reported).
    ``accept_fingerprint`` is an operator's explicit acceptance of a *changed* key: a presented
    key with exactly this ``SHA256:`` fingerprint is accepted instead of the pinned one.
    """

    host: str
    port: int = 22
    credentials: SshCredentials
    host_key: HostKey | None = None
    accept_fingerprint: str | None = None
    jump: SshTarget | None = None

    @property
    def url(self) -> str:
        """``ssh://user@host:port`` (no secrets), the inventory's ``target``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"ssh://{self.credentials.username}@{host}:{self.port}"


@dataclass(frozen=True, slots=True, kw_only=True)
class SshOptions:
    connect_timeout_s: float = 15.0  # TCP connect + key exchange + authentication
    command_timeout_s: float = 300.0  # default per command (a command may ask for less)
    keepalive_interval_s: float = 30.0
    max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES
    max_channels: int = 4  # commands run at once on one connection (sshd MaxSessions is 10)


class _PinningClient(asyncssh.SSHClient):
    """Records the host key the server presents; accepts it only when nothing is pinned or
    when an operator accepted exactly this key."""

    def __init__(self, *, pinned: bool, accept_fingerprint: str | None) -> None:
        self.pinned = pinned
        self.accept_fingerprint = accept_fingerprint
        self.presented: HostKey | None = None

    def validate_host_public_key(
        self, host: str, addr: str, port: int, key: asyncssh.SSHKey
    ) -> bool:
        # Called only for keys outside the trusted set: with a pin, that is a changed key.
        self.presented = host_key_from_asyncssh(key)
        if self.accept_fingerprint is not None:
            return self.presented.fingerprint == self.accept_fingerprint
        return not self.pinned


class SshTransport:
    """A connected SSH session; see :class:`~patchdesk.engine.transport.base.Transport`."""

    def __init__(
        self,
        *,
        connection: asyncssh.SSHClientConnection,
        target: SshTarget,
        options: SshOptions,
        host_key: HostKey | None,
        jump: SshTransport | None,
    ) -> None:
        self._connection = connection
        self._target = target
        self._options = options
        self._host_key = host_key
        self._slots = asyncio.Semaphore(options.max_channels)
        self.jump = jump

    @property
    def target(self) -> str:
        return self._target.url

    @property
    def host_key(self) -> HostKey | None:
        return self._host_key

    @property
    def elevation(self) -> Elevation:
        return self._target.credentials.elevation

    @property
    def connection(self) -> asyncssh.SSHClientConnection:
        return self._connection

    async def run(
        self,
        command: str,
        *,
        stdin: bytes = b"",
        as_root: bool = False,
        timeout_s: float | None = None,
    ) -> CommandResult:
        if as_root and stdin:
            raise ValueError("a command run as root cannot take stdin (sudo reads it)")
        credentials = self._target.credentials
        elevation = credentials.elevation if as_root else Elevation.NONE
        line, secret = wrap_for_root(
            command, elevation, credentials.sudo_password or credentials.password
        )
        limit_s = timeout_s or self._options.command_timeout_s
        async with self._slots:
            started = time.monotonic()
            try:
                stdout, stderr, status, truncated = await asyncio.wait_for(
                    self._execute(line, secret or stdin), limit_s
                )
            except TimeoutError:
                raise CommandTimeoutError(
                    f"{self.target}: command did not finish within {limit_s:g} s",
                    params={"target": self.target, "timeout_s": f"{limit_s:g}"},
                ) from None
            except (asyncssh.Error, OSError) as exc:
                raise UnreachableError(
                    f"{self.target}: connection lost: {exc}", params={"target": self.target}
                ) from exc
        result = CommandResult(
            command=command,
            exit_status=status,
            stdout=stdout,
            stderr=stderr,
            is_truncated=truncated,
            duration_s=time.monotonic() - started,
        )
        if elevation is not Elevation.NONE and (reason := sudo_refusal(result)):
            raise PermissionDeniedError(
                f"{self.target}: cannot become root: {reason}",
                params={"target": self.target, "reason": reason},
            )
        return result

    async def _execute(self, line: str, data: bytes) -> tuple[bytes, bytes, int | None, bool]:
        process = await self._connection.create_process(line, encoding=None)
        try:
            if data:
                process.stdin.write(data)
            process.stdin.write_eof()
            stdout, stderr, truncated = await read_both(
                process.stdout,
                process.stderr,
                stdout_limit=self._options.max_output_bytes,
                stderr_limit=_MAX_STDERR_BYTES,
            )
            if truncated:
                return stdout, stderr, None, True
            await process.wait_closed()
            return stdout, stderr, process.exit_status, False
        finally:
            process.close()


HostKeyObserver = Callable[[SshTarget, HostKey], None]
"""Called with each hop (jump hosts, then the target) and the key it presented, once the
connection is authenticated: the caller pins keys seen on first contact."""


@asynccontextmanager
async def open_ssh(
    target: SshTarget,
    *,
    options: SshOptions | None = None,
    on_host_key: HostKeyObserver | None = None,
) -> AsyncIterator[SshTransport]:
    """Connect to ``target`` (through its jump hosts) and yield the transport; always closes.

    Raises a :class:`TransportError` subclass: :class:`UnreachableError`,
    :class:`ConnectTimeoutError`, :class:`AuthenticationRejectedError` or
    :class:`HostKeyChangedError` (also for a jump host; ``params["host"]`` says which).
    """
    options = options or SshOptions()
    async with AsyncExitStack() as stack:
        jump: SshTransport | None = None
        if target.jump is not None:
            jump = await stack.enter_async_context(
                open_ssh(target.jump, options=options, on_host_key=on_host_key)
            )
        connection, host_key = await _connect(target, options, jump)
        stack.push_async_callback(_close, connection)
        if on_host_key is not None and host_key is not None:
            on_host_key(target, host_key)
        yield SshTransport(
            connection=connection, target=target, options=options, host_key=host_key, jump=jump
        )


async def _close(connection: asyncssh.SSHClientConnection) -> None:
    connection.close()
    with contextlib.suppress(Exception):
        await asyncio.wait_for(connection.wait_closed(), 5)


def _load_client_keys(target: SshTarget) -> list[asyncssh.SSHKey] | None:
    credentials = target.credentials
    keys: list[asyncssh.SSHKey] = []
    for data in credentials.private_keys:
        try:
            keys.append(asyncssh.import_private_key(data, credentials.key_passphrase))
        except (asyncssh.KeyImportError, ValueError) as exc:
            text = str(exc).lower()
            encrypted = any(word in text for word in ("passphrase", "decrypt", "bcrypt"))
            problem = "wrong or missing passphrase" if encrypted else "unreadable"
            if "bcrypt" in text:
                problem = "encrypted OpenSSH keys need the bcrypt module"
            raise AuthenticationRejectedError(
                f"{target.url}: the private key cannot be used ({problem})",
                params={"target": target.url, "reason": problem},
            ) from None
    return keys or None


async def _connect(
    target: SshTarget, options: SshOptions, jump: SshTransport | None
) -> tuple[asyncssh.SSHClientConnection, HostKey | None]:
    pinned = target.host_key
    accepting = target.accept_fingerprint
    client = _PinningClient(pinned=pinned is not None, accept_fingerprint=accepting)
    trusted = [asyncssh.import_public_key(pinned.public_key)] if pinned else []
    # A pin limits the key exchange to its key type; an accepted new key may be of another.
    algorithms: str | tuple[()] = "default" if accepting else ()
    credentials = target.credentials
    params = {"target": target.url, "host": target.host, "port": str(target.port)}
    try:
        connection = await asyncssh.connect(
            target.host,
            target.port,
            tunnel=jump.connection if jump is not None else (),
            config=[],
            username=credentials.username,
            password=credentials.password,
            client_keys=_load_client_keys(target),
            agent_path=None,
            known_hosts=(trusted, [], []),
            server_host_key_algs=algorithms,
            client_factory=lambda: client,
            gss_auth=False,
            gss_kex=False,
            connect_timeout=options.connect_timeout_s,
            keepalive_interval=options.keepalive_interval_s,
        )
    except TransportError:
        raise
    except asyncssh.HostKeyNotVerifiable as exc:
        expected = pinned or HostKey(algorithm="", public_key="", fingerprint=accepting or "")
        raise _changed(target, expected, client.presented) from exc
    except asyncssh.KeyExchangeFailed as exc:
        if pinned is not None and "host key" in str(exc).lower():
            raise _changed(target, pinned, await _fetch_host_key(target, options, jump)) from exc
        raise UnreachableError(f"{target.url}: key exchange failed: {exc}", params=params) from exc
    except asyncssh.PermissionDenied as exc:
        raise AuthenticationRejectedError(
            f"{target.url}: authentication rejected (the credentials may have changed)",
            params=params,
        ) from exc
    except TimeoutError as exc:
        raise ConnectTimeoutError(
            f"{target.url}: no SSH session within {options.connect_timeout_s:g} s",
            params={**params, "timeout_s": f"{options.connect_timeout_s:g}"},
        ) from exc
    except (OSError, asyncssh.Error) as exc:
        errno = getattr(exc, "errno", None)
        reason = (os.strerror(errno) if errno else str(exc)) or type(exc).__name__
        raise UnreachableError(
            f"{target.url}: cannot connect: {reason}", params={**params, "reason": reason}
        ) from exc
    observed = connection.get_server_host_key()
    host_key = host_key_from_asyncssh(observed) if observed is not None else None
    logger.debug("connected target=%s", target.url)
    return connection, host_key


def _changed(target: SshTarget, pinned: HostKey, presented: HostKey | None) -> HostKeyChangedError:
    seen = presented.fingerprint if presented else "a key of another type"
    error = HostKeyChangedError(
        f"{target.url}: HOST KEY CHANGED: pinned {pinned.fingerprint}, server presented {seen}; "
        "scan stopped until an operator accepts the new key",
        expected=pinned,
        observed=presented,
    )
    error.params.update(target=target.url, host=target.host, port=str(target.port))
    return error


async def _fetch_host_key(
    target: SshTarget, options: SshOptions, jump: SshTransport | None
) -> HostKey | None:
    """The server's preferred host key, for the operator to review (no authentication)."""
    with contextlib.suppress(Exception):
        key = await asyncio.wait_for(
            asyncssh.get_server_host_key(
                target.host,
                target.port,
                tunnel=jump.connection if jump is not None else (),
                config=[],
            ),
            options.connect_timeout_s,
        )
        if key is not None:
            return host_key_from_asyncssh(key)
    return None
