"""The one protocol for running commands on a server, and what a command returns.

A :class:`Transport` runs fixed, read-only shell commands on one host and returns their raw
output as bytes; it never interprets output. Implementations: :mod:`.ssh` (asyncssh),
:mod:`.local` (this machine) and :mod:`.replay` (recorded outputs, for tests).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final, Protocol, runtime_checkable

from patchdesk.engine.model.inventory import HostKey

__all__ = [
    "DEFAULT_MAX_OUTPUT_BYTES",
    "CommandResult",
    "Elevation",
    "Transport",
]

DEFAULT_MAX_OUTPUT_BYTES: Final = 64 * 1024 * 1024
"""Output above this size is cut (``CommandResult.is_truncated``): no host floods the scanner."""


class Elevation(enum.StrEnum):
    """How a non-root login becomes root for the few commands that need it."""

    NONE = "none"  # never: privileged checks run unprivileged (and say so)
    SUDO = "sudo"  # ``sudo -n``: NOPASSWD in sudoers
    SUDO_PASSWORD = "sudo_password"  # noqa: S105 - ``sudo -S`` with the login's (or a given) password


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandResult:
    """The raw outcome of one command. ``exit_status`` is None when the command was killed."""

    command: str
    exit_status: int | None
    stdout: bytes
    stderr: bytes
    is_truncated: bool = False
    duration_s: float = 0.0

    @property
    def is_ok(self) -> bool:
        return self.exit_status == 0

    def stderr_line(self) -> str:
        """The last non-empty line of stderr, printable, for messages (at most 200 chars)."""
        lines = [line for line in self.stderr.decode("utf-8", "replace").splitlines() if line]
        text = lines[-1] if lines else ""
        return "".join(ch if ch.isprintable() else "?" for ch in text)[:200]


@runtime_checkable
class Transport(Protocol):
    """Runs commands on one connected host.

    ``run`` raises a :class:`~patchdesk.engine.transport.errors.TransportError` subclass when the
    *transport* fails (connection lost, command timeout, sudo refused); a command that merely
    exits non-zero is a normal :class:`CommandResult`. With ``as_root`` the command runs through
    the configured :class:`Elevation` (and as is when it is ``NONE``). ``stdin`` is data for the
    command; it is never combined with ``as_root`` (sudo may read its password from stdin).
    """

    @property
    def target(self) -> str:
        """How the host is reached, without secrets: ``ssh://deploy@web1:22``, ``local``."""
        ...

    @property
    def host_key(self) -> HostKey | None:
        """The host key observed while connecting (None for local and replayed hosts)."""
        ...

    @property
    def elevation(self) -> Elevation: ...

    async def run(
        self,
        command: str,
        *,
        stdin: bytes = b"",
        as_root: bool = False,
        timeout_s: float | None = None,
    ) -> CommandResult: ...
