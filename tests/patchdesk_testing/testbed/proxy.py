"""An allow-listed HTTP forward proxy for apt inside the testbed hosts (stdlib only).

The hosts' network namespaces have no default route; apt reaches the mirror only through this
proxy on the bridge, which forwards ``GET``/``HEAD`` of ``http://ALLOWED-HOST:80/...`` and
answers 403 to everything else (other hosts, other ports, CONNECT). Run as a process:
``python -m patchdesk_testing.testbed.proxy --listen 10.213.0.1:3142 --allow HOST``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import urllib.parse

__all__ = ["main", "serve"]

_FORBIDDEN = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
_HOP_BY_HOP = ("proxy-", "connection:", "keep-alive:")


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def _handle(
    allowed: frozenset[str], client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter
) -> None:
    try:
        head = await asyncio.wait_for(client_r.readuntil(b"\r\n\r\n"), 30)
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError):
        client_w.close()
        return
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    url = urllib.parse.urlsplit(parts[1] if len(parts) == 3 else "")
    if (
        len(parts) != 3
        or parts[0] not in ("GET", "HEAD")
        or url.scheme != "http"
        or url.hostname not in allowed
        or (url.port or 80) != 80
    ):
        print("DENY", lines[0][:200], flush=True)
        client_w.write(_FORBIDDEN)
        with contextlib.suppress(ConnectionError):
            await client_w.drain()
        client_w.close()
        return
    path = url.path + (f"?{url.query}" if url.query else "")
    headers = [line for line in lines[1:] if line and not line.lower().startswith(_HOP_BY_HOP)]
    request = f"{parts[0]} {path} {parts[2]}\r\n" + "\r\n".join(headers)
    request += "\r\nConnection: close\r\n\r\n"
    try:
        upstream_r, upstream_w = await asyncio.open_connection(url.hostname, 80)
    except OSError as exc:
        print("UPSTREAM-ERROR", url.hostname, exc, flush=True)
        client_w.close()
        return
    print("ALLOW", parts[0], url.hostname, path[:120], flush=True)
    upstream_w.write(request.encode("latin-1"))
    await upstream_w.drain()
    await _pipe(upstream_r, client_w)
    upstream_w.close()


async def serve(host: str, port: int, allowed: frozenset[str]) -> None:
    server = await asyncio.start_server(
        lambda r, w: _handle(allowed, r, w), host, port, reuse_address=True
    )
    print(f"listening on {host}:{port}, allowing {sorted(allowed)}", flush=True)
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen", required=True, help="HOST:PORT")
    parser.add_argument("--allow", action="append", required=True, help="allowed host name")
    args = parser.parse_args(argv)
    host, _, port = args.listen.rpartition(":")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(host, int(port), frozenset(args.allow)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
