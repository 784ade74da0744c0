"""One run's session on one server: every command goes through it and is recorded.

:class:`WorkSession` is itself a :class:`~patchdesk.engine.transport.Transport`, so the
collector's scans before and after the work are recorded like every other command. Each
command becomes a :class:`~patchdesk.engine.model.work.WorkStep` with the secrets masked in the
command, the output and any error; stdin (which may carry a passphrase) is never recorded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from patchdesk.engine.collect.origin import OriginRules
from patchdesk.engine.model.inventory import HostKey
from patchdesk.engine.model.work import (
    WorkIssue,
    WorkPhase,
    WorkProgress,
    WorkReason,
    WorkStep,
)
from patchdesk.engine.transport.base import CommandResult, Elevation, Transport
from patchdesk.engine.transport.errors import TransportError

__all__ = ["MASK", "Clock", "Masker", "RunOptions", "WindowClock", "WorkSession", "default_sleep"]

MASK: Final = "********"


class Masker:
    """Replaces every secret (longest first) with :data:`MASK`."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        unique = {s for s in secrets if s}
        self._secrets = sorted(unique, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text


@dataclass(frozen=True, slots=True, kw_only=True)
class RunOptions:
    """Limits and thresholds of a run (defaults suit a normal server)."""

    require_pinned_host_key: bool = True  # never work on a server whose key is not pinned
    lock_wait_s: int = 300  # wait this long for another package manager run to finish
    min_free_mib: int = 300  # on each of /var, /usr and /
    min_window_left_s: float = 60.0  # an update or restart starts only with this much left
    command_timeout_s: float | None = None  # checks and scans (None: the transport's)
    apply_timeout_s: float = 3600.0
    restart_timeout_s: float = 300.0
    reboot_wait_s: float = 900.0  # for the server to come back after a reboot
    reboot_poll_s: float = 10.0
    max_log_bytes: int = 256 * 1024  # per output stream of one step
    origin_rules: OriginRules = field(default_factory=OriginRules)


Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]
ProgressCallback = Callable[[WorkProgress], None]


class WorkSession:
    """Records commands run over ``transport``; see the module docstring."""

    def __init__(
        self,
        transport: Transport,
        *,
        clock: Callable[[], datetime],
        masker: Masker,
        options: RunOptions,
        steps: list[WorkStep],
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self._transport = transport
        self._clock = clock
        self._mask = masker
        self.options = options
        self.steps = steps
        self._on_progress = on_progress
        self.phase = WorkPhase.CONNECT
        self.purpose = ""

    # --- the Transport protocol (the collector runs through it) --------------------------------

    @property
    def target(self) -> str:
        return self._transport.target

    @property
    def host_key(self) -> HostKey | None:
        return self._transport.host_key

    @property
    def elevation(self) -> Elevation:
        return self._transport.elevation

    async def run(
        self,
        command: str,
        *,
        stdin: bytes = b"",
        as_root: bool = False,
        timeout_s: float | None = None,
    ) -> CommandResult:
        started_at = self._clock()
        limit = timeout_s or self.options.command_timeout_s
        try:
            result = await self._transport.run(
                command, stdin=stdin, as_root=as_root, timeout_s=limit
            )
        except TransportError as exc:
            self._record(command, as_root, stdin, started_at, None, error=exc)
            raise
        self._record(command, as_root, stdin, started_at, result)
        return result

    # --- helpers for the run -------------------------------------------------------------------

    async def step(
        self,
        command: str,
        *,
        purpose: str,
        as_root: bool = False,
        stdin: bytes = b"",
        timeout_s: float | None = None,
    ) -> CommandResult:
        self.purpose = purpose
        return await self.run(command, stdin=stdin, as_root=as_root, timeout_s=timeout_s)

    def enter(self, phase: WorkPhase, message: str) -> None:
        self.phase = phase
        self.purpose = message
        if self._on_progress is not None:
            self._on_progress(
                WorkProgress(
                    target=self.target,
                    phase=phase,
                    message=message,
                    at=self._clock(),
                    steps_done=len(self.steps),
                )
            )

    def mask(self, text: str) -> str:
        return self._mask(text)

    def issue(self, code: WorkReason, message: str, **params: str) -> WorkIssue:
        return WorkIssue(
            code=code,
            message=self._mask(message),
            params={key: self._mask(value) for key, value in params.items()},
        )

    def _text(self, data: bytes) -> tuple[str, bool]:
        limit = self.options.max_log_bytes
        cut = len(data) > limit
        text = data[:limit].decode("utf-8", "replace")
        if cut:
            text += f"\n[... {len(data) - limit} more bytes not kept]"
        return self._mask(text), cut

    def _record(
        self,
        command: str,
        as_root: bool,
        stdin: bytes,
        started_at: datetime,
        result: CommandResult | None,
        *,
        error: TransportError | None = None,
    ) -> None:
        finished_at = self._clock()
        stdout, cut_out = self._text(result.stdout if result else b"")
        stderr, cut_err = self._text(result.stderr if result else b"")
        self.steps.append(
            WorkStep(
                phase=self.phase,
                purpose=self.purpose,
                command=self._mask(command),
                as_root=as_root,
                started_at=started_at,
                finished_at=finished_at,
                duration_s=result.duration_s
                if result and result.duration_s
                else (finished_at - started_at).total_seconds(),
                exit_status=result.exit_status if result else None,
                stdout=stdout,
                stderr=stderr,
                stdin_bytes=len(stdin),
                is_output_cut=cut_out or cut_err or bool(result and result.is_truncated),
                error=f"{error.code}: {self._mask(error.message)}" if error else "",
            )
        )


async def default_sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


class WindowClock:
    """Seconds left in the work window, by the injected clock."""

    def __init__(self, ends_at: datetime, clock: Clock) -> None:
        self.ends_at = ends_at
        self._clock = clock

    def __call__(self) -> float:
        return (self.ends_at - self._clock()).total_seconds()
