"""The CWE catalogue (MITRE CWE 4.14, bundled by the ``cwe2`` package) and its hierarchy queries.

The policy classifies a CVE by its CWE "through the hierarchy": a child of CWE-399 counts as
resource management, CWE-787 as an out-of-bounds write under CWE-119, and so on. Definitions
used by every query here:

* **parents / ancestors** follow ``ChildOf`` relationships in one view; the default is view
  1000 (Research Concepts), the one complete hierarchy of all weaknesses. (View 699, Software
  Development, holds no ``ChildOf`` relationships in CWE 4.x: it groups weaknesses into
  categories; :meth:`CweCatalog.categories_of` answers for it.)
* **categories** (CWE-399, CWE-310 ...) have no parents: they list members. A CWE *belongs*
  to a category when it or one of its ancestors is a member (member categories count with
  their own members). Since CWE 4.x MITRE also names, in a category's mapping notes, the
  weakness subtree to use instead of the (prohibited) category: "Cryptographic Issues
  (CWE-310)" points to the descendants of CWE-327, "Resource Management Errors (CWE-399)"
  to those of CWE-400. Those named weaknesses count as members too (``via`` says which).
* a **deprecated** entry has no relationships; its description names its replacement
  ("all content has been transferred to CWE-908"), which the queries follow.
* ``NVD-CWE-Other`` / ``NVD-CWE-noinfo`` are NVD's placeholders: known, but members of
  nothing. Ids the 4.14 catalogue does not know (newer CWEs) only match themselves.
"""

from __future__ import annotations

import enum
import functools
import importlib.resources
import re
import zipfile
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Final

from patchdesk.engine.feeds._enrichment_cwe_xml import (
    CweEntry,
    CweKind,
    CweParent,
    MappingUsage,
    read_cwe_xml,
)
from patchdesk.engine.feeds._enrichment_io import open_decompressed
from patchdesk.engine.feeds.http import FetchResult, HttpClient
from patchdesk.engine.feeds.json_fields import FieldError

__all__ = [
    "CWE_LATEST_URL",
    "NVD_CWE_NOINFO",
    "NVD_CWE_OTHER",
    "RESEARCH_VIEW",
    "SOFTWARE_DEVELOPMENT_VIEW",
    "CweCatalog",
    "CweEntry",
    "CweKind",
    "CweMatch",
    "CweMatchKind",
    "CweParent",
    "MappingUsage",
    "fetch_cwe_catalog",
    "find_cwe_ids",
    "get_cwe_catalog",
    "load_cwe_catalog",
    "normalize_cwe_id",
]

CWE_LATEST_URL: Final = "https://cwe.mitre.org/data/xml/cwec_latest.xml.zip"
RESEARCH_VIEW: Final = 1000
SOFTWARE_DEVELOPMENT_VIEW: Final = 699
NVD_CWE_OTHER: Final = "NVD-CWE-Other"
NVD_CWE_NOINFO: Final = "NVD-CWE-noinfo"

_SPECIAL: Final = {
    "nvd-cwe-other": NVD_CWE_OTHER,
    "cwe-other": NVD_CWE_OTHER,
    "nvd-cwe-noinfo": NVD_CWE_NOINFO,
    "cwe-noinfo": NVD_CWE_NOINFO,
}
_SPECIAL_NAMES: Final = {NVD_CWE_OTHER: "Other", NVD_CWE_NOINFO: "Insufficient Information"}
_ID: Final = re.compile(r"(?:CWE[-_ ]?)?0*(\d{1,6})", re.IGNORECASE)
_MENTION: Final = re.compile(r"\b(?:NVD-)?CWE-(?:\d{1,6}\b|noinfo\b|Other\b)", re.IGNORECASE)


def normalize_cwe_id(value: str | int) -> str:
    """``"CWE-787"``, ``"cwe-787"``, ``"787"``, ``787`` -> ``"CWE-787"``; NVD's placeholders
    (also written ``CWE-noinfo``) -> ``"NVD-CWE-noinfo"`` / ``"NVD-CWE-Other"``.

    Raises ValueError for anything else (the parsers reject the record with that reason).
    """
    if isinstance(value, bool):
        raise ValueError(f"not a CWE id: {value!r}")
    if isinstance(value, int):
        if value <= 0:
            raise ValueError(f"not a CWE id: {value!r}")
        return f"CWE-{value}"
    text = value.strip()
    special = _SPECIAL.get(text.lower())
    if special is not None:
        return special
    match = _ID.fullmatch(text)
    if match is None or int(match.group(1)) == 0:
        raise ValueError(f"not a CWE id: {text[:40]!r}")
    return f"CWE-{int(match.group(1))}"


def find_cwe_ids(text: str) -> tuple[str, ...]:
    """The CWE ids mentioned in free text (``"Use After Free (CWE-416)"``), normalised."""
    return tuple(dict.fromkeys(normalize_cwe_id(match) for match in _MENTION.findall(text)))


class CweMatchKind(enum.StrEnum):
    """How :meth:`CweCatalog.explain` found that a CWE "is a" target."""

    SAME = "same"  # the CWE is the target
    ANCESTOR = "ancestor"  # the target weakness is an ancestor
    MEMBER = "member"  # the CWE or an ancestor is a member of the target category
    MAPPING_NOTE = "mapping_note"  # ... is the weakness the category's mapping notes name


@dataclass(frozen=True, slots=True, kw_only=True)
class CweMatch:
    """Why a CWE counts as a target: the path from the CWE up to the entry that matched.

    ``path[0]`` is the CWE, ``path[-1]`` the target (ANCESTOR), the member (MEMBER) or the
    named weakness (MAPPING_NOTE). Steps are ``ChildOf`` parents in view 1000, or from a
    deprecated entry to its replacement. The policy stores it as its reason.
    """

    cwe_id: str
    target_id: str
    via: CweMatchKind
    path: tuple[str, ...]


def _edges(entries: Mapping[str, CweEntry], view: int) -> dict[str, tuple[str, ...]]:
    """Upward edges: ChildOf parents in ``view``; for deprecated entries, their replacements."""
    edges: dict[str, tuple[str, ...]] = {}
    for entry in entries.values():
        up = [parent.cwe_id for parent in entry.parents if parent.view == view]
        if entry.is_deprecated:
            up.extend(entry.replaced_by)
        if up:
            edges[entry.cwe_id] = tuple(dict.fromkeys(up))
    return edges


def _walk_up(start: str, edges: Mapping[str, tuple[str, ...]]) -> Iterator[tuple[str, ...]]:
    """Breadth-first paths from ``start`` upwards (nearest first), each node once."""
    seen = {start}
    queue: deque[tuple[str, ...]] = deque([(start,)])
    while queue:
        path = queue.popleft()
        yield path
        for parent in edges.get(path[-1], ()):
            if parent not in seen:
                seen.add(parent)
                queue.append((*path, parent))


@dataclass(frozen=True, slots=True, kw_only=True)
class _Index:
    edges: Mapping[str, tuple[str, ...]]  # view 1000, plus replacements
    view_edges: Mapping[int, Mapping[str, tuple[str, ...]]]  # ChildOf per view, primary first
    lineage: Mapping[str, frozenset[str]]  # self + everything up the edges
    children: Mapping[str, tuple[str, ...]]
    categories_of: Mapping[str, tuple[str, ...]]
    closure: Mapping[str, frozenset[str]]  # category -> members, member categories expanded


def _parents_by_view(entries: Mapping[str, CweEntry]) -> dict[int, dict[str, tuple[str, ...]]]:
    views: dict[int, dict[str, list[str]]] = {}
    for entry in entries.values():
        for parent in sorted(entry.parents, key=lambda parent: not parent.primary):
            parents = views.setdefault(parent.view, {}).setdefault(entry.cwe_id, [])
            if parent.cwe_id not in parents:
                parents.append(parent.cwe_id)
    return {
        view: {cwe_id: tuple(parents) for cwe_id, parents in edges.items()}
        for view, edges in views.items()
    }


def _build_index(entries: Mapping[str, CweEntry]) -> _Index:
    edges = _edges(entries, RESEARCH_VIEW)
    lineage = {
        cwe_id: frozenset(path[-1] for path in _walk_up(cwe_id, edges)) for cwe_id in entries
    }
    children: dict[str, list[str]] = {}
    for cwe_id, parents in edges.items():
        for parent in parents:
            children.setdefault(parent, []).append(cwe_id)
    categories_of: dict[str, list[str]] = {}
    for entry in entries.values():
        if entry.kind is CweKind.CATEGORY:
            for member in entry.members:
                categories_of.setdefault(member, []).append(entry.cwe_id)

    def expand(category: str, seen: frozenset[str]) -> frozenset[str]:
        members: set[str] = set()
        for member in entries[category].members:
            members.add(member)
            member_entry = entries.get(member)
            if member_entry and member_entry.kind is CweKind.CATEGORY and member not in seen:
                members |= expand(member, seen | {member})
        return frozenset(members)

    closure = {
        cwe_id: expand(cwe_id, frozenset({cwe_id}))
        for cwe_id, entry in entries.items()
        if entry.kind is CweKind.CATEGORY
    }
    return _Index(
        edges=MappingProxyType(edges),
        view_edges=MappingProxyType(
            {view: MappingProxyType(value) for view, value in _parents_by_view(entries).items()}
        ),
        lineage=MappingProxyType(lineage),
        children=MappingProxyType({key: tuple(value) for key, value in children.items()}),
        categories_of=MappingProxyType({k: tuple(v) for k, v in categories_of.items()}),
        closure=MappingProxyType(closure),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class CweCatalog:
    """An immutable CWE catalogue with hierarchy queries. Ids may be given as ``"CWE-787"``,
    ``"787"`` or ``787``; malformed ids raise ValueError, unknown ones are answered as such."""

    version: str  # "4.14"
    released_on: date | None
    entries: Mapping[str, CweEntry]
    _index: _Index = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        entries = dict(self.entries)
        for special, name in _SPECIAL_NAMES.items():
            entries.setdefault(special, CweEntry(cwe_id=special, kind=CweKind.SPECIAL, name=name))
        object.__setattr__(self, "entries", MappingProxyType(entries))
        object.__setattr__(self, "_index", _build_index(entries))

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, cwe_id: object) -> bool:
        return isinstance(cwe_id, str | int) and self.get(cwe_id) is not None

    def get(self, cwe_id: str | int) -> CweEntry | None:
        return self.entries.get(normalize_cwe_id(cwe_id))

    def name_of(self, cwe_id: str | int) -> str:
        """The entry's name, ``""`` when the catalogue does not know the id."""
        entry = self.get(cwe_id)
        return "" if entry is None else entry.name

    def kind_of(self, cwe_id: str | int) -> CweKind | None:
        entry = self.get(cwe_id)
        return None if entry is None else entry.kind

    def parents_of(self, cwe_id: str | int, *, view: int = RESEARCH_VIEW) -> tuple[str, ...]:
        """Direct ``ChildOf`` parents in ``view``, the primary parent first."""
        return self._index.view_edges.get(view, {}).get(normalize_cwe_id(cwe_id), ())

    def ancestors_of(self, cwe_id: str | int, *, view: int = RESEARCH_VIEW) -> tuple[str, ...]:
        """Every ``ChildOf`` ancestor in ``view``, nearest first (no replacements followed)."""
        edges = self._index.view_edges.get(view, {})
        return tuple(path[-1] for path in _walk_up(normalize_cwe_id(cwe_id), edges))[1:]

    def children_of(self, cwe_id: str | int) -> tuple[str, ...]:
        """Direct children in view 1000 (and the deprecated entries it replaces)."""
        return self._index.children.get(normalize_cwe_id(cwe_id), ())

    def members_of(self, cwe_id: str | int) -> tuple[str, ...]:
        """The members a category or view lists itself (``Has_Member``), not expanded."""
        entry = self.get(cwe_id)
        return () if entry is None else entry.members

    def categories_of(self, cwe_id: str | int, *, view: int | None = None) -> tuple[str, ...]:
        """Categories that list the CWE as a direct member; with ``view``, only categories
        that are members of that view (e.g. 699)."""
        categories = self._index.categories_of.get(normalize_cwe_id(cwe_id), ())
        if view is None:
            return categories
        members = set(self.members_of(view))
        return tuple(category for category in categories if category in members)

    def impacts_of(self, cwe_id: str | int) -> tuple[str, ...]:
        """The technical impacts of the weakness's common consequences (MITRE's words)."""
        entry = self.get(cwe_id)
        return () if entry is None else entry.impacts

    def is_a(self, cwe_id: str | int, target: str | int) -> bool:
        """Whether ``cwe_id`` is ``target``, a descendant of the target weakness, or belongs
        to the target category (see the module documentation). A view, an NVD placeholder or
        an id the catalogue does not know only matches itself. Malformed ids raise
        ValueError."""
        return self.explain(cwe_id, target) is not None

    def explain(self, cwe_id: str | int, target: str | int) -> CweMatch | None:
        """Like :meth:`is_a`, with the reason: the path that connects the two, or None."""
        cwe = normalize_cwe_id(cwe_id)
        goal = normalize_cwe_id(target)
        if cwe == goal:
            return CweMatch(cwe_id=cwe, target_id=goal, via=CweMatchKind.SAME, path=(cwe,))
        goal_entry = self.entries.get(goal)
        if goal_entry is None:
            return None
        lineage = self._index.lineage.get(cwe, frozenset({cwe}))
        candidates: tuple[tuple[CweMatchKind, frozenset[str]], ...] = ()
        if goal_entry.kind is CweKind.WEAKNESS:
            candidates = ((CweMatchKind.ANCESTOR, frozenset({goal})),)
        elif goal_entry.kind is CweKind.CATEGORY:
            candidates = (
                (CweMatchKind.MEMBER, self._index.closure[goal]),
                (CweMatchKind.MAPPING_NOTE, frozenset(goal_entry.mapping_alternatives)),
            )
        for via, accept in candidates:
            if lineage & accept:
                return self._match(cwe, goal, via, accept)
        return None

    def _match(
        self, cwe: str, target: str, via: CweMatchKind, accept: frozenset[str]
    ) -> CweMatch | None:
        for path in _walk_up(cwe, self._index.edges):
            if path[-1] in accept:
                return CweMatch(cwe_id=cwe, target_id=target, via=via, path=path)
        return None  # pragma: no cover - the lineage said there is a path


def fetch_cwe_catalog(
    client: HttpClient,
    destination: Path,
    *,
    url: str = CWE_LATEST_URL,
    etag: str = "",
    last_modified: str = "",
) -> FetchResult:
    """Download MITRE's current catalogue (a zip holding one XML file) to ``destination``,
    for :func:`load_cwe_catalog`. Not needed with the bundled 4.14 catalogue."""
    return client.fetch(url, destination=destination, etag=etag, last_modified=last_modified)


def load_cwe_catalog(path: Path | None = None) -> CweCatalog:
    """Read a CWE XML catalogue (plain, .gz, .xz, or MITRE's .zip); by default the one
    ``cwe2`` bundles.

    Raises FieldError (a ValueError) for a file that is not a CWE catalogue, OSError when it
    cannot be read. Loading takes about a second: load once, share the result
    (:func:`get_cwe_catalog`).
    """
    if path is None:
        resource = importlib.resources.files("cwe2") / "database_v49" / "cwec_v4.14.xml"
        with importlib.resources.as_file(resource) as bundled:
            return load_cwe_catalog(bundled)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [name for name in archive.namelist() if name.lower().endswith(".xml")]
            if not members:
                raise FieldError(f"{path.name} holds no .xml file")
            with archive.open(members[0]) as stream:
                version, released_on, entries = read_cwe_xml(stream)
    else:
        with open_decompressed(path) as stream:
            version, released_on, entries = read_cwe_xml(stream)
    return CweCatalog(
        version=version,
        released_on=released_on,
        entries={entry.cwe_id: entry for entry in entries},
    )


@functools.cache
def get_cwe_catalog() -> CweCatalog:
    """The bundled catalogue, loaded on first use and shared (it is immutable)."""
    return load_cwe_catalog()
