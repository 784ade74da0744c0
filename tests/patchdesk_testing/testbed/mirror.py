"""The Debian mirror this machine's apt is configured with, read at run time.

The testbed never hard-codes a mirror: it uses the URIs that ``/etc/apt/sources.list.d/*.sources``
(deb822) or ``/etc/apt/sources.list`` name for the ``bookworm`` and ``bookworm-security``
suites, and its proxy allows exactly that host.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["Mirror", "MirrorError", "find_mirror"]

APT_DIR = Path("/etc/apt")


class MirrorError(RuntimeError):
    """No usable bookworm mirror in the machine's apt sources."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Mirror:
    debian: str  # ".../debian" (suite bookworm)
    security: str  # ".../debian-security" (suite bookworm-security)

    @property
    def hosts(self) -> frozenset[str]:
        return frozenset(filter(None, (urlsplit(u).hostname for u in (self.debian, self.security))))


def _deb822_entries(text: str) -> list[tuple[list[str], list[str]]]:
    entries = []
    for stanza in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if line.startswith("#") or ":" not in line:
                continue
            key, _, value = line.partition(":")
            fields[key.strip().lower()] = value.strip()
        if "deb" in fields.get("types", "").split() and fields.get("enabled", "yes") != "no":
            entries.append((fields.get("uris", "").split(), fields.get("suites", "").split()))
    return entries


def _one_line_entries(text: str) -> list[tuple[list[str], list[str]]]:
    entries = []
    for line in text.splitlines():
        words = re.sub(r"\[[^]]*\]", "", line).split()
        if len(words) >= 3 and words[0] == "deb":
            entries.append(([words[1]], [words[2]]))
    return entries


def find_mirror(apt_dir: Path = APT_DIR) -> Mirror:
    """The http mirror URIs serving ``bookworm`` and ``bookworm-security``."""
    entries = []
    for path in sorted((apt_dir / "sources.list.d").glob("*.sources")):
        entries += _deb822_entries(path.read_text(errors="replace"))
    for path in [apt_dir / "sources.list", *sorted((apt_dir / "sources.list.d").glob("*.list"))]:
        if path.is_file():
            entries += _one_line_entries(path.read_text(errors="replace"))
    found: dict[str, str] = {}
    for uris, suites in entries:
        for uri in uris:
            if not uri.startswith("http://"):
                continue
            for suite in suites:
                found.setdefault(suite, uri.rstrip("/"))
    if "bookworm" not in found or "bookworm-security" not in found:
        raise MirrorError(
            f"no http mirror for bookworm and bookworm-security in {apt_dir}/sources.list*"
        )
    return Mirror(debian=found["bookworm"], security=found["bookworm-security"])
