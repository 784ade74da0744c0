"""Read a command's output stream with a size cap: a host cannot flood the scanner's memory."""

from __future__ import annotations

from typing import Protocol

__all__ = ["read_capped"]

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
