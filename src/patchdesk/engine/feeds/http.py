"""Fetching feed files over HTTP: the :class:`HttpClient` protocol and a stdlib implementation.

Fetch is kept apart from parse: a fetcher writes the response body to a file (streamed, so a
large export never sits in memory), and a pure parser reads that file. What a fetch supports:

* a configurable URL (``http``, ``https``, or ``file`` for an air-gapped copy);
* conditional requests: pass the ``etag`` / ``last_modified`` of the previous download and a
  ``304`` comes back as :attr:`FetchResult.not_modified` (nothing is written);
* a size limit: a body larger than ``max_bytes`` is refused (:attr:`FetchErrorCode.TOO_LARGE`);
* an expected SHA-256 (e.g. from a Debian ``Release`` file): a mismatch is refused and the file
  is not left behind (:attr:`FetchErrorCode.CHECKSUM_MISMATCH`);
* a timeout per network operation.

The body is written to a temporary file next to ``destination`` and renamed into place only
when it is complete and verified, so a failed fetch never leaves a half file at ``destination``.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FetchError",
    "FetchErrorCode",
    "FetchResult",
    "HttpClient",
    "UrllibHttpClient",
    "fetch_bytes",
]

DEFAULT_MAX_BYTES: Final = 2 * 1024**3
_CHUNK: Final = 1024 * 1024
_SCHEMES: Final = ("http://", "https://", "file://")


class FetchErrorCode(enum.StrEnum):
    BAD_URL = "bad_url"  # not http, https or file
    NETWORK = "network"  # no connection, DNS failure, connection reset, timeout
    HTTP_STATUS = "http_status"  # any status other than 200 (or 304 for a conditional request)
    TOO_LARGE = "too_large"  # more than max_bytes
    CHECKSUM_MISMATCH = "checksum_mismatch"  # the body's SHA-256 is not the expected one


class FetchError(Exception):
    """A fetch that produced no usable file. ``code`` says why, ``str()`` gives the detail."""

    def __init__(self, code: FetchErrorCode, url: str, detail: str) -> None:
        super().__init__(f"{code}: {url}: {detail}")
        self.code = code
        self.url = url
        self.detail = detail


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchResult:
    """A completed fetch: the body at ``path``, or ``not_modified`` (then ``path`` is None)."""

    url: str
    not_modified: bool = False
    path: Path | None = None
    size: int = 0
    sha256: str = ""
    etag: str = ""  # keep for the next conditional request
    last_modified: str = ""


class HttpClient(Protocol):
    """What the feed fetchers need from HTTP. Tests and the desk may pass their own."""

    def fetch(
        self,
        url: str,
        *,
        destination: Path,
        etag: str = "",
        last_modified: str = "",
        expected_sha256: str = "",
        max_bytes: int | None = None,
    ) -> FetchResult:
        """Download ``url`` to ``destination``; raise :class:`FetchError` when that fails."""
        ...


class UrllibHttpClient:
    """:class:`HttpClient` on the standard library's urllib (proxies from the environment)."""

    def __init__(
        self,
        *,
        timeout_s: float = 60.0,
        max_bytes: int = DEFAULT_MAX_BYTES,
        user_agent: str = "patchdesk-feeds/1",
    ) -> None:
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        self.user_agent = user_agent

    def fetch(
        self,
        url: str,
        *,
        destination: Path,
        etag: str = "",
        last_modified: str = "",
        expected_sha256: str = "",
        max_bytes: int | None = None,
    ) -> FetchResult:
        if not url.startswith(_SCHEMES):
            raise FetchError(FetchErrorCode.BAD_URL, url, "only http, https and file URLs")
        limit = self.max_bytes if max_bytes is None else max_bytes
        headers = {"User-Agent": self.user_agent, "Accept-Encoding": "identity"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 - schemes checked
        try:
            response = urllib.request.urlopen(request, timeout=self.timeout_s)  # noqa: S310
        except urllib.error.HTTPError as error:
            error.close()
            if error.code == 304 and (etag or last_modified):
                return FetchResult(
                    url=url, not_modified=True, etag=etag, last_modified=last_modified
                )
            raise FetchError(
                FetchErrorCode.HTTP_STATUS, url, f"HTTP {error.code} {error.reason}"
            ) from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise FetchError(FetchErrorCode.NETWORK, url, str(error)) from None
        with response:
            status = getattr(response, "status", None) or 200  # file: URLs have none
            if status != 200:
                raise FetchError(FetchErrorCode.HTTP_STATUS, url, f"HTTP {status}")
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise FetchError(FetchErrorCode.TOO_LARGE, url, f"{declared} bytes > {limit}")
            expected_size = int(declared) if declared and declared.isdigit() else None
            size, digest = _stream_to(
                response,
                destination,
                url,
                limit=limit,
                expected_sha256=expected_sha256,
                expected_size=expected_size,
            )
            return FetchResult(
                url=url,
                path=destination,
                size=size,
                sha256=digest,
                etag=response.headers.get("ETag", "") or "",
                last_modified=response.headers.get("Last-Modified", "") or "",
            )


def _stream_to(
    response: object,
    destination: Path,
    url: str,
    *,
    limit: int,
    expected_sha256: str,
    expected_size: int | None,
) -> tuple[int, str]:
    read = getattr(response, "read")  # noqa: B009 - http.client.HTTPResponse or addinfourl
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".part-", dir=destination.parent)
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise FetchError(FetchErrorCode.TOO_LARGE, url, f"more than {limit} bytes")
                digest.update(chunk)
                out.write(chunk)
        if expected_size is not None and size != expected_size:
            raise FetchError(
                FetchErrorCode.NETWORK, url, f"incomplete body: {size} of {expected_size} bytes"
            )
        if expected_sha256 and digest.hexdigest() != expected_sha256.lower():
            raise FetchError(
                FetchErrorCode.CHECKSUM_MISMATCH,
                url,
                f"sha256 {digest.hexdigest()}, expected {expected_sha256.lower()}",
            )
        Path(temporary).replace(destination)
    except OSError as error:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise FetchError(FetchErrorCode.NETWORK, url, str(error)) from None
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise
    return size, digest.hexdigest()


def fetch_bytes(
    client: HttpClient, url: str, *, max_bytes: int, expected_sha256: str = ""
) -> bytes:
    """A small body (a Release file, a Packages index, one .deb) in memory."""
    with tempfile.TemporaryDirectory(prefix="patchdesk-fetch-") as directory:
        target = Path(directory) / "body"
        result = client.fetch(
            url, destination=target, expected_sha256=expected_sha256, max_bytes=max_bytes
        )
        return (result.path or target).read_bytes()
