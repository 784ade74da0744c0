"""Read a command's output streams with size caps: a host cannot flood the scanner's memory."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Protocol

__all__ = ["read_both", "read_capped"]

_CHUNK = 256 * 1024


class _ByteReader(Protocol):
    async def read(self, n: int = -1, /) -> bytes: ...


async def read_capped(reader: _ByteReader, limit: int) -> tuple[bytes, bool]:
    """Everything the stream gives up to ``limit`` bytes, and whether more was cut off."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await reader.read(_CHUNK)
        if not chunk:
            return b"".join(chunks), False
        if size + len(chunk) > limit:
            chunks.append(chunk[: limit - size])
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)


async def read_both(
    stdout: _ByteReader, stderr: _ByteReader, *, stdout_limit: int, stderr_limit: int
) -> tuple[bytes, bytes, bool]:
    """Both streams to their ends, or until one passes its cap (then the other is abandoned:
    the command is blocked writing and the caller must stop it)."""
    out_task = asyncio.ensure_future(read_capped(stdout, stdout_limit))
    err_task = asyncio.ensure_future(read_capped(stderr, stderr_limit))
    pending: set[asyncio.Future[tuple[bytes, bool]]] = {out_task, err_task}
    try:
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            if any(task.result()[1] for task in done):
                break
    finally:
        for task in pending:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    out, out_cut = (
        out_task.result() if out_task.done() and not out_task.cancelled() else (b"", True)
    )
    err, err_cut = (
        err_task.result() if err_task.done() and not err_task.cancelled() else (b"", True)
    )
    return out, err, out_cut or err_cut
