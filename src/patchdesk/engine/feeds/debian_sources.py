"""APT source lists: which mirror a Debian machine (or the desk) is configured to use.

Reads both formats APT understands (sources.list(5)):

* deb822 ``*.sources`` files — stanzas with ``Types``, ``URIs``, ``Suites``, ``Components``,
  optional ``Architectures``, ``Enabled``, ``Signed-By``; ``#`` comment lines are allowed;
* one-line ``*.list`` files — ``deb [arch=amd64 signed-by=…] URI SUITE COMPONENT…``.

:func:`read_apt_sources` reads a machine's configuration (``/etc/apt/sources.list`` and
``sources.list.d/*.list`` / ``*.sources``; other files, such as ``*.disabled``, are ignored as APT
ignores them). A desk configured with a mirror URL builds :class:`AptSource` itself. Only
``deb`` (binary) entries matter to patchdesk; ``deb-src`` entries are kept but flagged.

Nothing here names a mirror: the URL always comes from the configuration read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

from debian.deb822 import Deb822

from patchdesk.engine.feeds.result import ParseResult, Rejection

__all__ = [
    "AptSource",
    "parse_apt_sources_text",
    "parse_deb822_sources",
    "parse_one_line_sources",
    "read_apt_sources",
    "read_apt_sources_path",
    "sources_for_release",
]

_URI: Final = re.compile(r"(?:https?|file)://\S+")
_SOURCE: Final = "apt-sources"


@dataclass(frozen=True, slots=True, kw_only=True)
class AptSource:
    """One repository: a URI with its suites and components (one stanza or one line)."""

    uri: str  # without a trailing slash
    suites: tuple[str, ...]  # "bookworm-security"; a flat repository's suite ends in "/"
    components: tuple[str, ...] = ()  # empty for a flat repository
    binary: bool = True  # "deb" (False: "deb-src" only)
    architectures: tuple[str, ...] = ()  # empty: the machine's own
    signed_by: str = ""
    origin: str = ""  # the file (and stanza or line) it was read from

    def index_urls(self, suite: str, architecture: str) -> Iterator[tuple[str, str]]:
        """``(component, URL of the Packages index)`` for each component of ``suite``.

        The ``.xz`` variant is named; :mod:`~patchdesk.engine.feeds.debian_mirror` falls back to
        ``.gz`` and to the uncompressed file when the mirror has no ``.xz``.
        """
        if suite.endswith("/"):  # flat repository: "deb URI ./"
            yield "", _flat_path(self.uri, suite, "Packages.xz")
            return
        for component in self.components:
            yield (
                component,
                (f"{self.uri}/dists/{suite}/{component}/binary-{architecture}/Packages.xz"),
            )

    def release_url(self, suite: str) -> str:
        """The suite's ``Release`` file (origin, label, and the checksums of every index)."""
        if suite.endswith("/"):
            return _flat_path(self.uri, suite, "Release")
        return f"{self.uri}/dists/{suite}/Release"


def _stanza_problem(
    types: list[str], uris: list[str], suites: tuple[str, ...], components: tuple[str, ...]
) -> str:
    bad = [uri for uri in uris if not _URI.fullmatch(uri)]
    if not uris:
        return "no URIs"
    if bad:
        return f"unsupported URI {bad[0][:80]!r}"
    if not suites:
        return "no Suites"
    if not components and not all(suite.endswith("/") for suite in suites):
        return "no Components for a non-flat suite"
    if not {"deb", "deb-src"} & set(types):
        return "no Types (deb / deb-src)"
    return ""


def _flat_path(uri: str, suite: str, name: str) -> str:
    path = suite.strip("/")
    return f"{uri}/{name}" if path in {"", "."} else f"{uri}/{path}/{name}"


def parse_deb822_sources(text: str, *, origin: str = "") -> ParseResult[AptSource]:
    """The stanzas of a ``*.sources`` file; a stanza without URIs or Suites is rejected."""
    result: ParseResult[AptSource] = ParseResult()
    for number, stanza in enumerate(Deb822.iter_paragraphs(text.splitlines()), start=1):
        where = f"{origin} stanza {number}".strip()
        if stanza.get("Enabled", "yes").strip().lower() == "no":
            continue
        types = stanza.get("Types", "").split()
        uris = stanza.get("URIs", "").split()
        suites = tuple(stanza.get("Suites", "").split())
        components = tuple(stanza.get("Components", "").split())
        problem = _stanza_problem(types, uris, suites, components)
        if problem:
            result.rejected.append(
                Rejection(source=_SOURCE, record_id=where, reason=problem, location=where)
            )
            continue
        for uri in uris:
            result.records.append(
                AptSource(
                    uri=uri.rstrip("/"),
                    suites=suites,
                    components=components,
                    binary="deb" in types,
                    architectures=tuple(stanza.get("Architectures", "").split()),
                    signed_by=(stanza.get("Signed-By", "").strip().splitlines() or [""])[0],
                    origin=where,
                )
            )
    return result


_ONE_LINE: Final = re.compile(r"(deb|deb-src)\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)((?:\s+\S+)*)")


def parse_one_line_sources(text: str, *, origin: str = "") -> ParseResult[AptSource]:
    """The entries of a one-line ``sources.list`` file; comments and blank lines are skipped."""
    result: ParseResult[AptSource] = ParseResult()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        where = f"{origin} line {number}".strip()
        match = _ONE_LINE.fullmatch(line)
        if match is None or not _URI.fullmatch(match.group(3)):
            result.rejected.append(
                Rejection(source=_SOURCE, record_id=where, reason="not a deb line", location=where)
            )
            continue
        kind, options_text, uri, suite, rest = match.groups()
        options = dict(
            option.split("=", 1) for option in (options_text or "").split() if "=" in option
        )
        components = tuple(rest.split())
        if not components and not suite.endswith("/"):
            reason = "no components for a non-flat suite"
            result.rejected.append(
                Rejection(source=_SOURCE, record_id=where, reason=reason, location=where)
            )
            continue
        result.records.append(
            AptSource(
                uri=uri.rstrip("/"),
                suites=(suite,),
                components=components,
                binary=kind == "deb",
                architectures=tuple(filter(None, options.get("arch", "").split(","))),
                signed_by=options.get("signed-by", ""),
                origin=where,
            )
        )
    return result


def read_apt_sources(apt_directory: Path = Path("/etc/apt")) -> ParseResult[AptSource]:
    """Every source configured under ``apt_directory``, in the order APT reads them."""
    result: ParseResult[AptSource] = ParseResult()
    main_list = apt_directory / "sources.list"
    if main_list.is_file():
        text = main_list.read_text(encoding="utf-8", errors="replace")
        result.extend(parse_one_line_sources(text, origin=str(main_list)))
    parts = apt_directory / "sources.list.d"
    if parts.is_dir():
        for path in sorted(parts.iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            text_of = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix == ".list":
                result.extend(parse_one_line_sources(text_of, origin=str(path)))
            elif path.suffix == ".sources":
                result.extend(parse_deb822_sources(text_of, origin=str(path)))
    return result


def parse_apt_sources_text(text: str, *, origin: str = "") -> ParseResult[AptSource]:
    """Pasted sources: deb822 stanzas when a line starts with ``URIs:``, else one-line."""
    if re.search(r"^\s*URIs\s*:", text, re.IGNORECASE | re.MULTILINE):
        return parse_deb822_sources(text, origin=origin)
    return parse_one_line_sources(text, origin=origin)


def read_apt_sources_path(path: Path) -> ParseResult[AptSource]:
    """A directory laid out as ``/etc/apt``, a ``*.sources`` file, or a one-line list file."""
    if path.is_dir():
        return read_apt_sources(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".sources":
        return parse_deb822_sources(text, origin=str(path))
    return parse_one_line_sources(text, origin=str(path))


# Suites APT does not install from by default (pinned below the release): never a candidate.
_NOT_DEFAULT_SUFFIXES: Final = ("-backports", "-backports-sloppy", "-proposed-updates")


def sources_for_release(sources: Iterable[AptSource], codename: str) -> list[AptSource]:
    """The binary sources' suites of one release (``bookworm``, ``bookworm-updates``,
    ``bookworm-security``, ``bookworm/updates``), each source reduced to those suites.

    Backports and proposed updates are left out (APT does not upgrade to them by default), and
    so are suites of other releases, aliases (``stable``: their release changes) and flat
    repositories.
    """
    chosen: list[AptSource] = []
    for source in sources:
        if not source.binary:
            continue
        suites = tuple(
            suite
            for suite in source.suites
            if re.split(r"[-/]", suite, maxsplit=1)[0] == codename
            and not suite.endswith(_NOT_DEFAULT_SUFFIXES)
        )
        if suites:
            chosen.append(replace(source, suites=suites))
    return chosen
