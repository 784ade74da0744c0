"""Walking CSAF 2.0 documents (Red Hat security advisories and VEX): shared by the CSAF parsers.

`csaf.py` turns documents into advisories, `csaf_vulnerability.py` into per-CVE facts (CWE, CVSS).
Both need the same small pieces, kept here and pure:

* :func:`load_csaf_document` — bytes (plain or gzip) to the decoded top-level object;
* :func:`read_tracking` — the document's id, title, dates and aggregate severity;
* :func:`read_product_tree` — every product by id (with CPE / purl), and the
  ``default_component_of`` relationships that say "package X as part of product stream Y";
* :func:`iter_vulnerabilities` / :func:`find_note_text` — the vulnerabilities and their notes;
* :func:`parse_purl` and :func:`map_rhel_cpe` — package URLs and Red Hat CPEs.

Errors in the document's shape raise :class:`~patchdesk.engine.feeds.json_fields.FieldError`.
CSAF 2.0: https://docs.oasis-open.org/csaf/csaf/v2.0/csaf-v2.0.html
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import unquote

from patchdesk.engine.feeds.json_fields import (
    FieldError,
    get_mapping,
    get_str,
    opt_list,
    opt_mapping,
    opt_str,
    parse_timestamp,
)

__all__ = [
    "CsafProduct",
    "CsafProductTree",
    "CsafRelationship",
    "CsafTracking",
    "PackageUrl",
    "find_note_text",
    "iter_vulnerabilities",
    "load_csaf_document",
    "map_rhel_cpe",
    "parse_purl",
    "read_product_tree",
    "read_tracking",
]

JsonObject = Mapping[str, object]

_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True, slots=True, kw_only=True)
class CsafTracking:
    """``document.tracking`` and the few ``document`` fields every consumer needs."""

    id: str  # "RHSA-2022:0011" for an advisory, "CVE-2024-0727" for a Red Hat VEX file
    category: str  # "csaf_security_advisory", "csaf_vex", ...
    title: str
    status: str  # "final", "interim", "draft"
    initial_release_at: datetime | None
    current_release_at: datetime | None
    aggregate_severity: str = ""  # Red Hat: "Critical", "Important", "Moderate", "Low"


@dataclass(frozen=True, slots=True, kw_only=True)
class CsafProduct:
    """A ``full_product_name`` from the product tree (a branch leaf or a relationship)."""

    product_id: str
    name: str
    cpe: str = ""
    purl: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class CsafRelationship:
    """``product_id`` is ``component`` as a part of ``platform`` (e.g. an RPM in a RHEL stream)."""

    product_id: str
    component_id: str
    platform_id: str
    category: str = "default_component_of"


@dataclass(frozen=True, slots=True, kw_only=True)
class CsafProductTree:
    products: Mapping[str, CsafProduct] = field(default_factory=dict)
    relationships: Mapping[str, CsafRelationship] = field(default_factory=dict)

    def component_of(self, product_id: str) -> CsafProduct | None:
        """The package a relationship product id stands for (None when it is no relationship)."""
        relationship = self.relationships.get(product_id)
        return None if relationship is None else self.products.get(relationship.component_id)

    def platform_of(self, product_id: str) -> CsafProduct | None:
        """The product stream (with its CPE) a relationship product id belongs to."""
        relationship = self.relationships.get(product_id)
        return None if relationship is None else self.products.get(relationship.platform_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageUrl:
    """A parsed package URL (``pkg:rpm/redhat/openssl@3.0.7-27.el9?arch=x86_64&epoch=1``)."""

    type: str
    namespace: str
    name: str
    version: str = ""
    qualifiers: Mapping[str, str] = field(default_factory=dict)


def load_csaf_document(data: bytes) -> JsonObject:
    """Decode one CSAF document (JSON, optionally gzip-compressed)."""
    if data[:2] == _GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise FieldError(f"not a valid gzip stream: {error}") from None
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise FieldError(f"not valid JSON: {error}") from None
    if not isinstance(document, Mapping):
        raise FieldError("a CSAF document must be a JSON object")
    get_mapping(document, "document")
    return document


def read_tracking(document: JsonObject) -> CsafTracking:
    doc = get_mapping(document, "document")
    tracking = get_mapping(doc, "tracking")
    initial = tracking.get("initial_release_date")
    current = tracking.get("current_release_date")
    return CsafTracking(
        id=get_str(tracking, "id"),
        category=get_str(doc, "category"),
        title=opt_str(doc, "title", limit=None),
        status=opt_str(tracking, "status"),
        initial_release_at=None if initial is None else parse_timestamp(initial, field="initial"),
        current_release_at=None if current is None else parse_timestamp(current, field="current"),
        aggregate_severity=opt_str(opt_mapping(doc, "aggregate_severity"), "text"),
    )


def _full_product_name(node: JsonObject) -> CsafProduct:
    helper = opt_mapping(node, "product_identification_helper")
    return CsafProduct(
        product_id=get_str(node, "product_id", limit=None),
        name=opt_str(node, "name", limit=None),
        cpe=opt_str(helper, "cpe", limit=None),
        purl=opt_str(helper, "purl", limit=None),
    )


def _walk_branches(branches: object, products: dict[str, CsafProduct], depth: int = 0) -> None:
    if depth > 30:
        raise FieldError("product tree branches nest deeper than 30 levels")
    if not isinstance(branches, list):
        raise FieldError("'branches' must be an array")
    for branch in branches:
        if not isinstance(branch, Mapping):
            raise FieldError("a product tree branch must be an object")
        product = branch.get("product")
        if product is not None:
            if not isinstance(product, Mapping):
                raise FieldError("'product' must be an object")
            parsed = _full_product_name(product)
            products[parsed.product_id] = parsed
        if branch.get("branches") is not None:
            _walk_branches(branch["branches"], products, depth + 1)


def read_product_tree(document: JsonObject) -> CsafProductTree:
    """Index every product of ``product_tree`` by product id, and every relationship."""
    tree = opt_mapping(document, "product_tree")
    products: dict[str, CsafProduct] = {}
    if tree.get("branches") is not None:
        _walk_branches(tree["branches"], products)
    for node in opt_list(tree, "full_product_names"):
        if not isinstance(node, Mapping):
            raise FieldError("a full_product_names entry must be an object")
        parsed = _full_product_name(node)
        products[parsed.product_id] = parsed
    relationships: dict[str, CsafRelationship] = {}
    for node in opt_list(tree, "relationships"):
        if not isinstance(node, Mapping):
            raise FieldError("a relationship must be an object")
        full_name = _full_product_name(get_mapping(node, "full_product_name"))
        products[full_name.product_id] = full_name
        relationships[full_name.product_id] = CsafRelationship(
            product_id=full_name.product_id,
            component_id=get_str(node, "product_reference", limit=None),
            platform_id=get_str(node, "relates_to_product_reference", limit=None),
            category=opt_str(node, "category"),
        )
    return CsafProductTree(products=products, relationships=relationships)


def iter_vulnerabilities(document: JsonObject) -> Iterator[tuple[int, JsonObject]]:
    """``(index, vulnerability)`` for each entry of ``vulnerabilities``; a non-object raises."""
    for index, vulnerability in enumerate(opt_list(document, "vulnerabilities")):
        if not isinstance(vulnerability, Mapping):
            raise FieldError(f"vulnerabilities[{index}] must be an object")
        yield index, vulnerability


def find_note_text(container: JsonObject, category: str, *, title: str | None = None) -> str:
    """The text of the first note of ``category`` (and ``title`` when given), or ``""``."""
    for note in opt_list(container, "notes"):
        if not isinstance(note, Mapping) or note.get("category") != category:
            continue
        if title is not None and note.get("title") != title:
            continue
        return opt_str(note, "text", limit=None)
    return ""


def parse_purl(purl: str) -> PackageUrl:
    """Parse a package URL (https://github.com/package-url/purl-spec); raise FieldError if bad."""
    if not purl.startswith("pkg:"):
        raise FieldError(f"not a package URL: {purl[:80]!r}")
    rest = purl[4:].split("#", 1)[0]
    rest, _, query = rest.partition("?")
    qualifiers: dict[str, str] = {}
    for pair in filter(None, query.split("&")):
        key, _, value = pair.partition("=")
        qualifiers[key.lower()] = unquote(value)
    rest, at, version = rest.rpartition("@") if "@" in rest else (rest, "", "")
    parts = [unquote(part) for part in rest.strip("/").split("/")]
    if len(parts) < 2 or not parts[0] or not parts[-1]:
        raise FieldError(f"package URL without type or name: {purl[:80]!r}")
    return PackageUrl(
        type=parts[0].lower(),
        namespace="/".join(parts[1:-1]),
        name=parts[-1],
        version=unquote(version) if at else "",
        qualifiers=qualifiers,
    )


# Red Hat Enterprise Linux CPE products. The main stream (``enterprise_linux:9``) is keyed by
# the major release (``rhel:9``); the fixed-minor streams (EUS, AUS, E4S, TUS) by the minor
# release they pin (``rhel_eus:9.2`` -> ``rhel:9.2``), so their older fixes never answer for a
# host that follows the main stream. ELS (extended life, e.g. RHEL 7) has no minor: ``rhel:7``.
_RHEL_CPE_PRODUCTS = frozenset(
    {
        "enterprise_linux",
        "enterprise_linux_eus",  # RHEL 10 "E2S": cpe:/o:redhat:enterprise_linux_eus:10.0
        "rhel_eus",
        "rhel_eus_long_life",
        "rhel_aus",
        "rhel_e4s",
        "rhel_tus",
        "rhel_els",
    }
)
_RHEL_RELEASE = re.compile(r"\d{1,2}(?:\.\d{1,2})?")


def map_rhel_cpe(cpe: str) -> str | None:
    """``cpe:/o:redhat:enterprise_linux:9::baseos`` -> ``rhel:9``; None for other products.

    Also accepts the OSV "Red Hat" ecosystem suffix, which is the CPE without its
    ``cpe:/[oa]:redhat:`` prefix (``enterprise_linux:9::appstream``).
    """
    parts = cpe.split(":")
    if parts[0] == "cpe" and len(parts) >= 5 and parts[1] in {"/o", "/a"}:
        if parts[2] != "redhat":
            return None
        parts = parts[3:]
    if len(parts) < 2 or parts[0] not in _RHEL_CPE_PRODUCTS:
        return None
    release = parts[1]
    if not _RHEL_RELEASE.fullmatch(release):
        return None
    if parts[0] == "enterprise_linux":
        release = release.split(".", 1)[0]  # RHEL 10's main stream names its minor: 10.1 -> 10
    return f"rhel:{release}"
