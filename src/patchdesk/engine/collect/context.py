"""What the collection steps of one host share: the transport, privileges, the warnings."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from patchdesk.engine.collect.lines import Rejections
from patchdesk.engine.model.inventory import CollectionWarning
from patchdesk.engine.transport.base import CommandResult, Transport

__all__ = ["HostContext", "Privilege"]


class Privilege(enum.StrEnum):
    ROOT = "root"  # logged in as root
    SUDO = "sudo"  # sudo works
    NONE = "none"  # neither: privileged checks are partial


@dataclass(slots=True)
class HostContext:
    """Mutable state of one host's collection; steps add warnings here."""

    transport: Transport
    privilege: Privilege
    tools: frozenset[str]
    timeout_s: float | None = None
    warnings: list[CollectionWarning] = field(default_factory=list)

    @property
    def is_privileged(self) -> bool:
        return self.privilege is not Privilege.NONE

    async def run(self, command: str, *, stdin: bytes = b"") -> CommandResult:
        return await self.transport.run(command, stdin=stdin, timeout_s=self.timeout_s)

    async def run_root(self, command: str) -> CommandResult:
        """As root when possible (sudo only when not root); unprivileged otherwise."""
        return await self.transport.run(
            command, as_root=self.privilege is Privilege.SUDO, timeout_s=self.timeout_s
        )

    def add(self, rejections: Rejections) -> None:
        if (warning := rejections.warning()) is not None:
            self.warnings.append(warning)

    def warn(self, source: str, code: str, message: str, *, count: int = 1) -> None:
        self.warnings.append(
            CollectionWarning(source=source, code=code, count=count, message=message)
        )

    def output(
        self, source: str, result: CommandResult, *, ok_status: tuple[int, ...] = (0,)
    ) -> bytes | None:
        """The stdout of an optional command, or None (with a warning) when it failed."""
        if result.is_truncated:
            self.warn(source, "truncated", f"{source} output was cut at the size limit")
            return result.stdout
        if result.exit_status not in ok_status:
            detail = result.stderr_line() or f"exit status {result.exit_status}"
            self.warn(source, "optional_command_failed", f"{source} failed: {detail}")
            return None
        return result.stdout
