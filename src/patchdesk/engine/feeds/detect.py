"""Tell which feed format a file holds, for ``patchdesk feeds import PATH`` without ``--kind``.

Only the start of the file (or of the first member of a zip or directory) is read. When the
content is ambiguous, :class:`UnknownFeedFormat` says so and the operator names the kind.
"""

from __future__ import annotations

import enum
import gzip
import json
import lzma
import zipfile
from pathlib import Path

__all__ = ["FeedFormat", "UnknownFeedFormat", "detect_feed_format"]

_SNIFF_BYTES = 256 * 1024


class FeedFormat(enum.StrEnum):
    OSV = "osv"
    CSAF = "csaf"
    DEBIAN_TRACKER = "debian-tracker"
    NATIVE = "native"  # patchdesk's own advisory JSON lines
    CVE5 = "cve5"
    NVD = "nvd"
    KEV = "kev"
    EPSS = "epss"
    EOL = "eol"


class UnknownFeedFormat(ValueError):
    pass


def _head(path: Path) -> bytes:
    name = path.name.lower()
    if name.endswith(".xz"):
        with lzma.open(path) as handle:
            return handle.read(_SNIFF_BYTES)
    if name.endswith(".gz"):
        with gzip.open(path) as handle:
            return handle.read(_SNIFF_BYTES)
    with path.open("rb") as handle:
        return handle.read(_SNIFF_BYTES)


def _first_member(path: Path) -> tuple[str, bytes]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        if not files:
            raise UnknownFeedFormat(f"{path} holds no files")
        return files[0].name, _head(files[0])
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if not members:
                raise UnknownFeedFormat(f"{path} is an empty zip")
            with archive.open(members[0]) as handle:
                return members[0].filename, handle.read(_SNIFF_BYTES)
    return path.name, _head(path)


def _from_json_object(data: object) -> FeedFormat | None:  # noqa: PLR0911 - one check a format
    if not isinstance(data, dict):
        return None
    if data.get("format") == "patchdesk-advisories":
        return FeedFormat.NATIVE
    if "catalogVersion" in data and "vulnerabilities" in data:
        return FeedFormat.KEV
    if data.get("dataType") == "CVE_RECORD" or "cveMetadata" in data:
        return FeedFormat.CVE5
    if "document" in data and "csaf_version" in str(data.get("document", ""))[:2000]:
        return FeedFormat.CSAF
    if "vulnerabilities" in data and ("resultsPerPage" in data or "format" in data):
        return FeedFormat.NVD
    if "CVE_Items" in data:
        return FeedFormat.NVD
    if "id" in data and ("affected" in data or "schema_version" in data or "modified" in data):
        return FeedFormat.OSV
    values = list(data.values())[:5]
    if values and all(
        isinstance(v, dict) and all(str(k).startswith(("CVE-", "TEMP-")) for k in list(v)[:5])
        for v in values
    ):
        return FeedFormat.DEBIAN_TRACKER
    return None


def _from_csv_header(line: str) -> FeedFormat | None:
    lowered = line.lower()
    if lowered.startswith(("#model_version", "cve,epss", "cve,cvss3,epss")):
        return FeedFormat.EPSS
    if lowered.startswith("cveid,"):
        return FeedFormat.KEV
    if lowered.startswith(("product,product_title,release_cycle", "version,codename,series")):
        return FeedFormat.EOL
    return None


def detect_feed_format(path: Path) -> FeedFormat:
    """The format of a file, directory or zip; :class:`UnknownFeedFormat` if it cannot tell."""
    if not path.exists():
        raise UnknownFeedFormat(f"{path} does not exist")
    try:
        name, head = _first_member(path)
    except (OSError, EOFError, lzma.LZMAError, zipfile.BadZipFile) as exc:
        raise UnknownFeedFormat(f"{path} cannot be read: {exc}") from None
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    first_line = text.split("\n", 1)[0].strip()
    if ".csv" in name.lower() or (first_line.count(",") >= 2 and not text.lstrip().startswith("{")):
        found = _from_csv_header(first_line)
        if found:
            return found
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            found = _from_json_object(json.loads(first_line))  # JSON lines: the first record
        except json.JSONDecodeError:
            found = None
        if found is None:
            try:
                found = _from_json_object(json.loads(stripped))
            except json.JSONDecodeError:
                found = _sniff_partial(stripped)
        if found:
            return found
    raise UnknownFeedFormat(
        f"cannot tell the format of {path}; name it with --kind "
        f"({', '.join(f.value for f in FeedFormat)})"
    )


def _sniff_partial(text: str) -> FeedFormat | None:
    """A large JSON document cut off by the sniff limit: look for telling keys."""
    window = text[:20000]
    if '"csaf_version"' in window:
        return FeedFormat.CSAF
    if '"catalogVersion"' in window:
        return FeedFormat.KEV
    if '"cveMetadata"' in window:
        return FeedFormat.CVE5
    if '"resultsPerPage"' in window or '"CVE_Items"' in window:
        return FeedFormat.NVD
    return None
