"""Red Hat CSAF 2.0 documents -> :class:`~patchdesk.engine.model.Advisory` (pure).

Two kinds of documents (https://security.access.redhat.com/data/csaf/v2/):

* a **security advisory** (``csaf_security_advisory``, ``RHSA-2022:0011``) becomes one advisory:
  the packages in ``product_status.fixed`` of its vulnerabilities, at their fixed versions;
* a **VEX** document (``csaf_vex``, one per CVE) becomes

  - one advisory per ``vendor_fix`` remediation, with the RHSA id from the remediation URL and
    the packages that remediation lists (``RHSA-2024:2447`` for CVE-2024-0727). An RHSA fixing
    several CVEs arrives once per VEX file: fold them with
    :func:`~patchdesk.engine.feeds.merge.merge_advisories`;
  - one advisory with the document's own id (the CVE id) for the packages with no fix: status
    NO_FIX_YET (``none_available``, or no remediation), WONT_FIX (``no_fix_planned``, "Out of
    support scope") or NOT_AFFECTED (``known_not_affected``).

Packages come from the ``default_component_of`` relationships: the component's purl (or, in
older documents, its ``name-epoch:version-release.arch`` product id) gives the RPM name and
version, the product stream's CPE the platform (:func:`~patchdesk.engine.feeds.csaf_common.
map_rhel_cpe`): ``rhel:9`` for the main stream, ``rhel:9.4`` for an EUS stream. Products
that are not RHEL release streams (OpenShift, Satellite, containers ...) are outside patchdesk
and skipped. Arch-specific entries are folded: a fixed version holds for every architecture.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from patchdesk.engine.feeds.advisory_terms import (
    check_version,
    map_redhat_severity,
    pick_highest_severity,
    sort_cve_ids,
)
from patchdesk.engine.feeds.csaf_common import (
    CsafProductTree,
    CsafTracking,
    find_note_text,
    iter_vulnerabilities,
    load_csaf_document,
    map_rhel_cpe,
    parse_purl,
    read_product_tree,
    read_tracking,
)
from patchdesk.engine.feeds.json_fields import (
    FieldError,
    get_str_list,
    opt_list,
    opt_mapping,
    opt_str,
    parse_timestamp,
)
from patchdesk.engine.feeds.result import ParseResult, Rejection
from patchdesk.engine.model.advisory import (
    Advisory,
    AdvisoryKind,
    AffectedPackage,
    FixStatus,
    PackageNameKind,
    VendorSeverity,
)
from patchdesk.engine.model.platform import PackageFormat

__all__ = ["parse_csaf_advisories", "parse_csaf_document"]

JsonObject = Mapping[str, object]

_ERRATUM: Final = re.compile(r"\b(RH[SBE]A-\d{4}:\d{4,})\b")
_NEVRA: Final = re.compile(
    r"(?P<name>.+)-(?:(?P<epoch>\d+):)?(?P<version>[^-:]+)-(?P<release>[^-:]+)\.(?P<arch>[^.:]+)"
)
_UNFIXED_STATUS: Final = {
    "no_fix_planned": FixStatus.WONT_FIX,
    "none_available": FixStatus.NO_FIX_YET,
    "fix_planned": FixStatus.NO_FIX_YET,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class _Package:
    platform_key: str
    name: str
    kind: PackageNameKind
    evr: str  # "" when the product names no version


def _package_of(tree: CsafProductTree, product_id: str) -> _Package | None:
    """The RHEL package a product id stands for; None when it is no RHEL RPM."""
    relationship = tree.relationships.get(product_id)
    if relationship is None:
        if product_id in tree.products:
            return None  # a whole product stream, not a package in it
        raise FieldError("product id is not in the product tree")
    platform = tree.products.get(relationship.platform_id)
    component = tree.products.get(relationship.component_id)
    if platform is None or component is None:
        raise FieldError("relationship names a product that is not in the product tree")
    platform_key = map_rhel_cpe(platform.cpe)
    if platform_key is None:
        return None
    if component.purl:
        purl = parse_purl(component.purl)
        if purl.type != "rpm":
            return None
        arch, epoch = purl.qualifiers.get("arch", ""), purl.qualifiers.get("epoch", "")
        evr = f"{epoch}:{purl.version}" if purl.version and epoch not in {"", "0"} else purl.version
        kind = PackageNameKind.SOURCE if arch == "src" else PackageNameKind.BINARY
        return _Package(platform_key=platform_key, name=purl.name, kind=kind, evr=evr)
    reference = component.product_id.split("::", 1)[0]  # "...src::perl-FCGI:0.78" (module)
    if match := _NEVRA.fullmatch(reference):
        epoch = match["epoch"]
        evr = f"{match['version']}-{match['release']}"
        evr = f"{epoch}:{evr}" if epoch not in {None, "0"} else evr
        kind = PackageNameKind.SOURCE if match["arch"] == "src" else PackageNameKind.BINARY
        return _Package(platform_key=platform_key, name=match["name"], kind=kind, evr=evr)
    name, _, arch = reference.rpartition(".") if reference.endswith(".src") else (reference, "", "")
    kind = PackageNameKind.SOURCE if arch == "src" else PackageNameKind.BINARY
    return _Package(platform_key=platform_key, name=name, kind=kind, evr="")


def _affected(package: _Package, status: FixStatus) -> AffectedPackage:
    return AffectedPackage(
        platform_key=package.platform_key,
        package=package.name,
        name_kind=package.kind,
        version_format=PackageFormat.RPM,
        status=status,
        fixed_version=package.evr if status is FixStatus.FIXED else None,
    )


class _Builder:
    """Turns product ids into AffectedPackages, collecting rejections for broken ones."""

    def __init__(self, tree: CsafProductTree, source: str, location: str) -> None:
        self.tree, self.source, self.location = tree, source, location
        self.rejected: list[Rejection] = []

    def packages(
        self, record_id: str, product_ids: tuple[str, ...], status: FixStatus
    ) -> tuple[AffectedPackage, ...]:
        found: dict[AffectedPackage, None] = {}
        for product_id in product_ids:
            try:
                package = _package_of(self.tree, product_id)
                if package is None:
                    continue
                if status is FixStatus.FIXED:
                    if not package.evr:
                        raise FieldError("fixed product names no version")
                    if problem := check_version(PackageFormat.RPM, package.evr):
                        raise FieldError(problem)
                found[_affected(package, status)] = None
            except FieldError as error:
                where = f"{self.location} {product_id[:200]}".strip()
                self.rejected.append(
                    Rejection(
                        source=self.source, record_id=record_id, reason=str(error), location=where
                    )
                )
        return tuple(found)


def _impact(vulnerability: JsonObject, tracking: CsafTracking) -> VendorSeverity:
    words = [
        opt_str(threat, "details", limit=None)
        for threat in opt_list(vulnerability, "threats")
        if isinstance(threat, Mapping) and threat.get("category") == "impact"
    ]
    found = pick_highest_severity(*(map_redhat_severity(word) for word in words))
    return (
        found
        if found is not VendorSeverity.UNKNOWN
        else map_redhat_severity(tracking.aggregate_severity)
    )


def _kind(advisory_id: str) -> AdvisoryKind:
    letter = advisory_id[2:3] if advisory_id.startswith("RH") else "S"
    return {"B": AdvisoryKind.BUGFIX, "E": AdvisoryKind.ENHANCEMENT}.get(
        letter, AdvisoryKind.SECURITY
    )


def _document_references(document: JsonObject) -> tuple[str, ...]:
    urls = [
        opt_str(reference, "url", limit=4096)
        for reference in opt_list(opt_mapping(document, "document"), "references")
        if isinstance(reference, Mapping)
    ]
    return tuple(dict.fromkeys(url for url in urls if url))


def _security_advisory(
    document: JsonObject, tracking: CsafTracking, builder: _Builder, source: str
) -> list[Advisory]:
    cves: list[str] = []
    affected: dict[AffectedPackage, None] = {}
    severity = map_redhat_severity(tracking.aggregate_severity)
    for _, vulnerability in iter_vulnerabilities(document):
        cves.append(opt_str(vulnerability, "cve"))
        fixed = get_str_list(opt_mapping(vulnerability, "product_status"), "fixed")
        affected.update(dict.fromkeys(builder.packages(tracking.id, fixed, FixStatus.FIXED)))
        severity = pick_highest_severity(severity, _impact(vulnerability, tracking))
    if not affected:
        raise FieldError("no fixed RHEL package in the advisory")
    title = tracking.title.removeprefix("Red Hat Security Advisory: ")
    return [
        Advisory(
            id=tracking.id,
            source=source,
            summary=title or tracking.id,
            details=find_note_text(opt_mapping(document, "document"), "general"),
            published_at=tracking.initial_release_at,
            modified_at=tracking.current_release_at,
            vendor_severity=severity,
            cve_ids=sort_cve_ids(cves),
            references=_document_references(document),
            affected=tuple(affected),
            kind=_kind(tracking.id),
        )
    ]


def _vex_vulnerability(
    vulnerability: JsonObject,
    tracking: CsafTracking,
    builder: _Builder,
    source: str,
    refs: tuple[str, ...],
) -> list[Advisory]:
    cve = opt_str(vulnerability, "cve") or tracking.id
    title = opt_str(vulnerability, "title", limit=None) or tracking.title
    details = find_note_text(vulnerability, "description") or find_note_text(
        vulnerability, "general"
    )
    severity = _impact(vulnerability, tracking)
    status_lists = opt_mapping(vulnerability, "product_status")
    fixed = set(get_str_list(status_lists, "fixed"))
    advisories: list[Advisory] = []
    unfixed_status: dict[str, FixStatus] = {}
    for remediation in opt_list(vulnerability, "remediations"):
        if not isinstance(remediation, Mapping):
            raise FieldError("a remediation must be an object")
        category = opt_str(remediation, "category")
        product_ids = get_str_list(remediation, "product_ids")
        if category in _UNFIXED_STATUS:
            for product_id in product_ids:
                unfixed_status.setdefault(product_id, _UNFIXED_STATUS[category])
            continue
        url = opt_str(remediation, "url", limit=4096)
        if category != "vendor_fix" or not (match := _ERRATUM.search(url)):
            continue
        products = tuple(p for p in product_ids if p in fixed) or product_ids
        affected = builder.packages(match.group(1), products, FixStatus.FIXED)
        if not affected:
            continue
        date = remediation.get("date")
        advisories.append(
            Advisory(
                id=match.group(1),
                source=source,
                summary=title,
                details=details,
                published_at=None if date is None else parse_timestamp(date, field="date"),
                modified_at=tracking.current_release_at,
                vendor_severity=severity,
                cve_ids=sort_cve_ids([cve]),
                references=(url, *refs),
                affected=affected,
                kind=_kind(match.group(1)),
            )
        )
    unfixed: dict[AffectedPackage, None] = {}
    for key, default in (
        ("known_affected", FixStatus.NO_FIX_YET),
        ("under_investigation", FixStatus.UNKNOWN),
    ):
        for product_id in get_str_list(status_lists, key):
            status = unfixed_status.get(product_id, default)
            unfixed.update(dict.fromkeys(builder.packages(tracking.id, (product_id,), status)))
    not_affected = get_str_list(status_lists, "known_not_affected")
    unfixed.update(
        dict.fromkeys(builder.packages(tracking.id, not_affected, FixStatus.NOT_AFFECTED))
    )
    if unfixed:
        advisories.append(
            Advisory(
                id=tracking.id,
                source=source,
                summary=title,
                details=details,
                published_at=tracking.initial_release_at,
                modified_at=tracking.current_release_at,
                vendor_severity=severity,
                cve_ids=sort_cve_ids([cve]),
                references=refs,
                affected=tuple(unfixed),
            )
        )
    return advisories


def parse_csaf_document(
    document: JsonObject, *, source: str = "csaf:redhat", location: str = ""
) -> ParseResult[Advisory]:
    """Advisories from one decoded CSAF document (security advisory or VEX)."""
    result: ParseResult[Advisory] = ParseResult()
    record_id = location or "?"
    try:
        tracking = read_tracking(document)
        record_id = tracking.id
        builder = _Builder(read_product_tree(document), source, location)
        if tracking.category == "csaf_security_advisory":
            result.records += _security_advisory(document, tracking, builder, source)
        elif tracking.category == "csaf_vex":
            refs = _document_references(document)
            for _, vulnerability in iter_vulnerabilities(document):
                result.records += _vex_vulnerability(vulnerability, tracking, builder, source, refs)
        else:
            raise FieldError(f"unsupported CSAF document category {tracking.category[:60]!r}")
        result.rejected += builder.rejected
    except (FieldError, RecursionError) as error:
        result.records.clear()
        result.rejected.append(
            Rejection(source=source, record_id=record_id, reason=str(error), location=location)
        )
    return result


def parse_csaf_advisories(
    data: bytes, *, source: str = "csaf:redhat", location: str = ""
) -> ParseResult[Advisory]:
    """Advisories from the bytes of one CSAF document (JSON, or gzip'd JSON)."""
    try:
        document = load_csaf_document(data)
    except FieldError as error:
        result: ParseResult[Advisory] = ParseResult()
        result.rejected.append(
            Rejection(
                source=source, record_id=location or "?", reason=str(error), location=location
            )
        )
        return result
    return parse_csaf_document(document, source=source, location=location)
