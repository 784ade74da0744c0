"""The local transport: scan the machine patchdesk runs on (``patchdesk scan local``)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time

from patchdesk.engine.model.inventory import HostKey
from patchdesk.engine.transport._output import read_both
from patchdesk.engine.transport._privilege import sudo_refusal, wrap_for_root
from patchdesk.engine.transport.base import DEFAULT_MAX_OUTPUT_BYTES, CommandResult, Elevation
from patchdesk.engine.transport.errors import CommandTimeoutError, PermissionDeniedError

__all__ = ["LocalTransport"]

_MAX_STDERR_BYTES = 1024 * 1024


async def _drain(stream: asyncio.StreamReader | None) -> None:
    while stream is not None and await stream.read(65536):
        pass


class LocalTransport:
    """Runs commands with ``/bin/sh -c`` on this machine.

    ``as_root`` uses ``elevation`` only when the process is not already root.
    """

    def __init__(
        self,
        *,
        elevation: Elevation = Elevation.NONE,
        sudo_password: str | None = None,
        command_timeout_s: float = 300.0,
        max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES,
    ) -> None:
        self._elevation = Elevation.NONE if os.geteuid() == 0 else elevation
        self._sudo_password = sudo_password
        self._command_timeout_s = command_timeout_s
        self._max_output_bytes = max_output_bytes

    @property
    def target(self) -> str:
        return "local"

    @property
    def host_key(self) -> HostKey | None:
        return None

    @property
    def elevation(self) -> Elevation:
        return self._elevation

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
        elevation = self._elevation if as_root else Elevation.NONE
        line, secret = wrap_for_root(command, elevation, self._sudo_password)
        limit_s = timeout_s or self._command_timeout_s
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            "/bin/sh",
            "-c",
            line,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
        try:
            stdout, stderr, truncated = await asyncio.wait_for(
                self._communicate(process, secret or stdin), limit_s
            )
        except TimeoutError:
            raise CommandTimeoutError(
                f"local: command did not finish within {limit_s:g} s",
                params={"target": "local", "timeout_s": f"{limit_s:g}"},
            ) from None
        finally:
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                # asyncio finishes a process only once its pipes are closed: drain them
                await asyncio.gather(_drain(process.stdout), _drain(process.stderr))
                await process.wait()
        result = CommandResult(
            command=command,
            exit_status=None if truncated else process.returncode,
            stdout=stdout,
            stderr=stderr,
            is_truncated=truncated,
            duration_s=time.monotonic() - started,
        )
        if elevation is not Elevation.NONE and (reason := sudo_refusal(result)):
            raise PermissionDeniedError(
                f"local: cannot become root: {reason}", params={"target": "local", "reason": reason}
            )
        return result

    async def _communicate(
        self, process: asyncio.subprocess.Process, data: bytes
    ) -> tuple[bytes, bytes, bool]:
        assert process.stdin is not None
        assert process.stdout is not None
        assert process.stderr is not None
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            if data:
                process.stdin.write(data)
                await process.stdin.drain()
        process.stdin.close()
        stdout, stderr, truncated = await read_both(
            process.stdout,
            process.stderr,
            stdout_limit=self._max_output_bytes,
            stderr_limit=_MAX_STDERR_BYTES,
        )
        if not truncated:
            await process.wait()
        return stdout, stderr, truncated
