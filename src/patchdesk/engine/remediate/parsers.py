"""Parse the small answers the work needs besides the dry run: tools present, free space,
candidate source versions, automatic-install marks, web-server mappings and package files.
Pure functions over untrusted bytes: invalid lines are dropped, never executed or quoted
unchecked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from patchdesk.engine.collect.dpkg import DEB_NAME, DEB_VERSION
from patchdesk.engine.collect.lines import Rejections, iter_lines

__all__ = [
    "DiskFree",
    "parse_apt_candidates",
    "parse_disk_free",
    "parse_file_list",
    "parse_showauto",
    "parse_tools",
    "parse_web_server_maps",
]

_DF_LINE: Final = re.compile(r"(?P<fs>\S+)\s+\d+\s+\d+\s+(?P<avail>\d+)\s+\d+%\s+(?P<mount>/.*)")
_SOURCE: Final = re.compile(r"(?P<name>[a-z0-9][a-z0-9+.-]*)(?: \((?P<version>[^)\s]+)\))?")
_TOOL: Final = re.compile(r"[a-z][a-z0-9-]{0,31}")
_PATH: Final = re.compile(r"/[^\t]{0,4095}")
_SERVERS: Final = frozenset({"apache2", "httpd", "nginx"})


def parse_tools(data: bytes) -> frozenset[str]:
    """Names printed by :data:`~patchdesk.engine.remediate.commands.TOOLS`."""
    rejections = Rejections("tools")
    return frozenset(
        line.strip() for _, line in iter_lines(data, rejections) if _TOOL.fullmatch(line.strip())
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class DiskFree:
    mount: str
    filesystem: str
    available_kib: int


def parse_disk_free(data: bytes) -> tuple[DiskFree, ...]:
    """``df -Pk`` rows (one per distinct mount point)."""
    rejections = Rejections("df")
    rows: dict[str, DiskFree] = {}
    for _, line in iter_lines(data, rejections):
        if match := _DF_LINE.fullmatch(line.strip()):
            rows.setdefault(
                match["mount"],
                DiskFree(
                    mount=match["mount"],
                    filesystem=match["fs"],
                    available_kib=int(match["avail"]),
                ),
            )
    return tuple(rows.values())


def parse_apt_candidates(data: bytes) -> dict[tuple[str, str], str]:
    """``(package, version) → source version`` from ``apt-cache show`` stanzas (the
    ``Source:`` field, which is absent when the source is the package itself, and carries a
    version only when it differs from the binary's, as for a binNMU)."""
    rejections = Rejections("apt-cache show")
    result: dict[tuple[str, str], str] = {}
    for stanza in re.split(rb"\n[ \t]*\n", data):
        fields: dict[str, str] = {}
        for _, line in iter_lines(stanza, rejections):
            if not line.startswith(" ") and ":" in line:
                key, _, value = line.partition(":")
                fields.setdefault(key, value.strip())
        name, version = fields.get("Package", ""), fields.get("Version", "")
        if not (DEB_NAME.fullmatch(name) and DEB_VERSION.fullmatch(version)):
            continue
        source = _SOURCE.fullmatch(fields.get("Source", name))
        source_version = (source["version"] if source else None) or version
        if DEB_VERSION.fullmatch(source_version):
            result[(name, version)] = source_version
    return result


def parse_showauto(data: bytes) -> frozenset[str]:
    """Package names from ``apt-mark showauto``."""
    rejections = Rejections("apt-mark showauto")
    names = (line.strip().split(":", 1)[0] for _, line in iter_lines(data, rejections))
    return frozenset(name for name in names if DEB_NAME.fullmatch(name))


def parse_web_server_maps(data: bytes) -> dict[str, frozenset[str]]:
    """``{server binary: mapped files}`` from
    :data:`~patchdesk.engine.remediate.commands.WEB_SERVER_MAPS`."""
    rejections = Rejections("web server maps")
    found: dict[str, set[str]] = {}
    for _, line in iter_lines(data, rejections):
        server, _, path = line.partition("\t")
        if server in _SERVERS and _PATH.fullmatch(path):
            found.setdefault(server, set()).add(path)
    return {server: frozenset(paths) for server, paths in found.items()}


def parse_file_list(data: bytes) -> frozenset[str]:
    """Absolute paths, one per line (``dpkg -L``, ``rpm -ql``)."""
    rejections = Rejections("package files")
    return frozenset(
        line
        for _, line in iter_lines(data, rejections)
        if line.startswith("/") and "\t" not in line
    )
