"""The stdlib HTTP client against a real http.server on 127.0.0.1 (in a thread)."""

from __future__ import annotations

import hashlib
import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from patchdesk.engine.feeds.http import (
    FetchError,
    FetchErrorCode,
    UrllibHttpClient,
    fetch_bytes,
)

BODY = b"OSV export " * 10_000
ETAG = '"v1"'
LAST_MODIFIED = "Tue, 24 Nov 2026 00:34:33 GMT"


class Handler(http.server.BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        Handler.seen.append(dict(self.headers))
        if self.path == "/export":
            if self.headers.get("If-None-Match") == ETAG or (
                self.headers.get("If-Modified-Since") == LAST_MODIFIED
            ):
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.send_header("ETag", ETAG)
            self.send_header("Last-Modified", LAST_MODIFIED)
            self.end_headers()
            self.wfile.write(BODY)
        elif self.path == "/no-length":  # HTTP/1.0 style: the body ends when the socket closes
            self.send_response(200)
            self.end_headers()
            self.wfile.write(BODY)
        elif self.path == "/short":  # promises more than it sends
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY) * 2))
            self.end_headers()
            self.wfile.write(BODY)
        else:
            self.send_error(404, "Not Found")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def client() -> UrllibHttpClient:
    return UrllibHttpClient(timeout_s=10)


def test_download_to_a_file(server: str, client: UrllibHttpClient, tmp_path: Path) -> None:
    target = tmp_path / "feeds" / "export.jsonl"
    result = client.fetch(f"{server}/export", destination=target)
    assert target.read_bytes() == BODY
    assert result.path == target
    assert result.size == len(BODY)
    assert result.sha256 == hashlib.sha256(BODY).hexdigest()
    assert (result.etag, result.last_modified) == (ETAG, LAST_MODIFIED)
    assert not result.not_modified
    assert [p.name for p in target.parent.iterdir()] == ["export.jsonl"]  # no temporary left


def test_conditional_requests(server: str, client: UrllibHttpClient, tmp_path: Path) -> None:
    target = tmp_path / "export"
    by_etag = client.fetch(f"{server}/export", destination=target, etag=ETAG)
    assert by_etag.not_modified
    assert by_etag.path is None
    assert Handler.seen[-1]["If-None-Match"] == ETAG
    by_date = client.fetch(f"{server}/export", destination=target, last_modified=LAST_MODIFIED)
    assert by_date.not_modified
    assert Handler.seen[-1]["If-Modified-Since"] == LAST_MODIFIED
    assert not target.exists()
    changed = client.fetch(f"{server}/export", destination=target, etag='"v0"')
    assert not changed.not_modified
    assert target.read_bytes() == BODY


def test_expected_checksum(server: str, client: UrllibHttpClient, tmp_path: Path) -> None:
    target = tmp_path / "export"
    good = hashlib.sha256(BODY).hexdigest().upper()
    assert client.fetch(f"{server}/export", destination=target, expected_sha256=good).size
    target.unlink()
    with pytest.raises(FetchError) as error:
        client.fetch(f"{server}/export", destination=target, expected_sha256="0" * 64)
    assert error.value.code is FetchErrorCode.CHECKSUM_MISMATCH
    assert list(tmp_path.iterdir()) == []  # neither the file nor a temporary


def test_size_limit(server: str, client: UrllibHttpClient, tmp_path: Path) -> None:
    for path in ("/export", "/no-length"):  # declared length, and counted while streaming
        with pytest.raises(FetchError) as error:
            client.fetch(f"{server}{path}", destination=tmp_path / "x", max_bytes=1000)
        assert error.value.code is FetchErrorCode.TOO_LARGE
    assert list(tmp_path.iterdir()) == []
    small = UrllibHttpClient(max_bytes=1000)
    with pytest.raises(FetchError):
        small.fetch(f"{server}/export", destination=tmp_path / "x")


def test_failures(server: str, client: UrllibHttpClient, tmp_path: Path) -> None:
    with pytest.raises(FetchError) as missing:
        client.fetch(f"{server}/missing", destination=tmp_path / "x")
    assert missing.value.code is FetchErrorCode.HTTP_STATUS
    assert "404" in str(missing.value)
    with pytest.raises(FetchError) as scheme:
        client.fetch("ftp://127.0.0.1/x", destination=tmp_path / "x")
    assert scheme.value.code is FetchErrorCode.BAD_URL
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(FetchError) as refused:
        client.fetch(f"http://127.0.0.1:{port}/x", destination=tmp_path / "x")
    assert refused.value.code is FetchErrorCode.NETWORK
    with pytest.raises(FetchError) as short:
        client.fetch(f"{server}/short", destination=tmp_path / "x")
    assert short.value.code is FetchErrorCode.NETWORK  # incomplete body
    assert list(tmp_path.iterdir()) == []


def test_file_urls_and_fetch_bytes(server: str, client: UrllibHttpClient, tmp_path: Path) -> None:
    source = tmp_path / "copy.json"
    source.write_bytes(b'{"id": "x"}')
    assert fetch_bytes(client, source.as_uri(), max_bytes=100) == b'{"id": "x"}'
    assert fetch_bytes(client, f"{server}/export", max_bytes=len(BODY)) == BODY
