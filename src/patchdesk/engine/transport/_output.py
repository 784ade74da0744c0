"""Read a command's output streams with size caps: a host cannot flood the scanner's memory."""

from __future__ import annotations

import asyncio
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
    the command is blocked writing and the caller must stop it).

    A stream that fails (the connection dropped mid-command) stops the reading too; its error
    is raised, stdout's first. Every reader is finished and its outcome retrieved on every
    path, including this coroutine being cancelled, so no reader's error is left unretrieved.
    """
    readers = (
        asyncio.ensure_future(read_capped(stdout, stdout_limit)),
        asyncio.ensure_future(read_capped(stderr, stderr_limit)),
    )
    try:
        await _until_ended_failed_or_cut(readers)
    finally:
        for reader in readers:
            reader.cancel()  # no-op for a finished reader
        # waits for the cancelled readers and retrieves every outcome (also when cancelled)
        outcomes = await asyncio.gather(*readers, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, Exception):  # not CancelledError: a reader we stopped
            raise outcome
    (out, out_cut), (err, err_cut) = (
        (b"", True) if isinstance(outcome, BaseException) else outcome for outcome in outcomes
    )
    return out, err, out_cut or err_cut


async def _until_ended_failed_or_cut(
    readers: tuple[asyncio.Future[tuple[bytes, bool]], ...],
) -> None:
    pending = set(readers)
    while pending:
        done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        if any(reader.exception() is not None or reader.result()[1] for reader in done):
            return
