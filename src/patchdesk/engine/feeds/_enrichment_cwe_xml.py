"""Reading MITRE's CWE XML catalogue (schema ``cwe-7``, CWE 4.x) into :class:`CweEntry` values.

Only what the policy needs is kept: kind, name, abstraction, status, mapping usage (from
``Mapping_Notes``), ``ChildOf`` relationships per view, category / view members, the common
consequences' impacts, the replacements a deprecated entry names, and the weakness-oriented
alternatives a category's mapping notes name. :mod:`patchdesk.engine.feeds.cwe` builds the
catalogue and its queries on top.
"""

from __future__ import annotations

import enum
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO, Final

from patchdesk.engine.feeds.json_fields import FieldError

__all__ = [
    "CweEntry",
    "CweKind",
    "CweParent",
    "MappingUsage",
    "read_cwe_xml",
]

_NS: Final = "{http://cwe.mitre.org/cwe-7}"
_CWE_MENTION: Final = re.compile(r"\bCWE-(\d+)\b")


class CweKind(enum.StrEnum):
    WEAKNESS = "weakness"
    CATEGORY = "category"  # an informal grouping (CWE-399, CWE-310): members, no parents
    VIEW = "view"  # a perspective on the catalogue (CWE-1000, CWE-699)
    SPECIAL = "special"  # NVD's placeholders NVD-CWE-Other / NVD-CWE-noinfo


class MappingUsage(enum.StrEnum):
    """MITRE's advice on mapping a vulnerability to the entry (``Mapping_Notes/Usage``)."""

    ALLOWED = "Allowed"
    ALLOWED_WITH_REVIEW = "Allowed-with-Review"
    DISCOURAGED = "Discouraged"
    PROHIBITED = "Prohibited"  # categories, views, deprecated entries


@dataclass(frozen=True, slots=True, kw_only=True)
class CweParent:
    """A ``ChildOf`` relationship: the entry is a child of ``cwe_id`` in view ``view``."""

    cwe_id: str
    view: int
    primary: bool = False  # Ordinal="Primary": the main parent in that view


@dataclass(frozen=True, slots=True, kw_only=True)
class CweEntry:
    """One entry of the CWE catalogue (a weakness, category, view or NVD placeholder)."""

    cwe_id: str  # "CWE-787", or "NVD-CWE-Other" / "NVD-CWE-noinfo"
    kind: CweKind
    name: str
    abstraction: str = ""  # weaknesses: "Pillar", "Class", "Base", "Variant", "Compound"
    status: str = ""  # "Stable", "Draft", "Incomplete", "Deprecated", "Obsolete", "Usable"
    mapping_usage: MappingUsage | None = None  # None for NVD's placeholders
    parents: tuple[CweParent, ...] = ()  # ChildOf, every view, document order
    members: tuple[str, ...] = ()  # categories and views: Has_Member ids
    impacts: tuple[str, ...] = ()  # "Execute Unauthorized Code or Commands", "Read Memory" ...
    replaced_by: tuple[str, ...] = ()  # deprecated entries: the ids their description points to
    mapping_alternatives: tuple[str, ...] = ()  # categories: ids their mapping notes suggest

    @property
    def is_deprecated(self) -> bool:
        return self.status == "Deprecated"


def _text(element: ET.Element | None) -> str:
    return "" if element is None else " ".join("".join(element.itertext()).split())


def _mentions(text: str, own_id: str) -> tuple[str, ...]:
    ids = dict.fromkeys(f"CWE-{number}" for number in _CWE_MENTION.findall(text))
    ids.pop(own_id, None)
    return tuple(ids)


def _usage(element: ET.Element, cwe_id: str) -> MappingUsage:
    text = _text(element.find(f"{_NS}Mapping_Notes/{_NS}Usage"))
    try:
        return MappingUsage(text)
    except ValueError:
        raise FieldError(f"{cwe_id}: unknown mapping usage {text!r}") from None


def _id(element: ET.Element, attribute: str = "ID") -> str:
    value = element.get(attribute, "")
    if not value.isdigit():
        raise FieldError(f"CWE entry with a non-numeric {attribute} {value[:20]!r}")
    return f"CWE-{int(value)}"


def _view(element: ET.Element) -> int:
    value = element.get("View_ID", "")
    if not value.isdigit():
        raise FieldError(f"relationship with a non-numeric View_ID {value[:20]!r}")
    return int(value)


def _weakness(element: ET.Element) -> CweEntry:
    cwe_id = _id(element)
    parents = tuple(
        CweParent(
            cwe_id=_id(relation, "CWE_ID"),
            view=_view(relation),
            primary=relation.get("Ordinal") == "Primary",
        )
        for relation in element.iterfind(f"{_NS}Related_Weaknesses/{_NS}Related_Weakness")
        if relation.get("Nature") == "ChildOf"
    )
    impacts = dict.fromkeys(
        _text(impact)
        for impact in element.iterfind(f"{_NS}Common_Consequences/{_NS}Consequence/{_NS}Impact")
    )
    status = element.get("Status", "")
    description = _text(element.find(f"{_NS}Description"))
    return CweEntry(
        cwe_id=cwe_id,
        kind=CweKind.WEAKNESS,
        name=element.get("Name", ""),
        abstraction=element.get("Abstraction", ""),
        status=status,
        mapping_usage=_usage(element, cwe_id),
        parents=parents,
        impacts=tuple(impact for impact in impacts if impact),
        replaced_by=_mentions(description, cwe_id) if status == "Deprecated" else (),
    )


def _grouping(element: ET.Element, kind: CweKind) -> CweEntry:
    cwe_id = _id(element)
    container = "Relationships" if kind is CweKind.CATEGORY else "Members"
    members = dict.fromkeys(
        _id(member, "CWE_ID") for member in element.iterfind(f"{_NS}{container}/{_NS}Has_Member")
    )
    status = element.get("Status", "")
    summary = _text(
        element.find(f"{_NS}Summary" if kind is CweKind.CATEGORY else f"{_NS}Objective")
    )
    comments = _text(element.find(f"{_NS}Mapping_Notes/{_NS}Comments"))
    return CweEntry(
        cwe_id=cwe_id,
        kind=kind,
        name=element.get("Name", ""),
        status=status,
        mapping_usage=_usage(element, cwe_id),
        members=tuple(members),
        replaced_by=_mentions(summary, cwe_id) if status == "Deprecated" else (),
        mapping_alternatives=_mentions(comments, cwe_id) if kind is CweKind.CATEGORY else (),
    )


_READERS: Final[dict[str, Callable[[ET.Element], CweEntry]]] = {
    f"{_NS}Weakness": _weakness,
    f"{_NS}Category": lambda element: _grouping(element, CweKind.CATEGORY),
    f"{_NS}View": lambda element: _grouping(element, CweKind.VIEW),
}
_SECTIONS: Final = {f"{_NS}Weaknesses", f"{_NS}Categories", f"{_NS}Views"}


def _iter_entries(
    stream: IO[bytes] | io.BufferedIOBase, header: dict[str, str]
) -> Iterator[CweEntry]:
    depth = 0
    # The catalogue is MITRE's file (bundled by cwe2) or the operator's copy of it, not input
    # from the network; ElementTree resolves no external entities and expat >= 2.4 bounds
    # entity expansion.
    for event, element in ET.iterparse(stream, events=("start", "end")):  # noqa: S314
        if event == "start":
            depth += 1
            if depth == 1:
                if element.tag != f"{_NS}Weakness_Catalog":
                    raise FieldError(f"not a CWE catalogue (root element {element.tag[:60]!r})")
                header.update(element.attrib)
            continue
        depth -= 1
        if depth == 2 and element.tag in _READERS:
            yield _READERS[element.tag](element)
            element.clear()
        elif depth == 1 and element.tag not in _SECTIONS:
            element.clear()  # External_References and anything newer


def read_cwe_xml(stream: IO[bytes] | io.BufferedIOBase) -> tuple[str, date | None, list[CweEntry]]:
    """``(version, release date, entries)`` of a CWE XML catalogue; bad XML raises FieldError."""
    header: dict[str, str] = {}
    try:
        entries = list(_iter_entries(stream, header))
    except ET.ParseError as error:
        raise FieldError(f"not valid CWE XML: {error}") from None
    try:
        released_on = date.fromisoformat(header["Date"]) if header.get("Date") else None
    except ValueError:
        released_on = None
    return header.get("Version", ""), released_on, entries
