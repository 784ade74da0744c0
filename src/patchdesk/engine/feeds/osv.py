"""OSV records of OS distributions -> :class:`~patchdesk.engine.model.Advisory` (pure).

One OSV record (https://ossf.github.io/osv-schema/) is one advisory. What each vendor puts
where, and how it is read:

* **ids**: ``id`` is the advisory (``ALSA-2024:4312``, ``DSA-5500-1``, ``USN-6859-1``,
  ``UBUNTU-CVE-2024-6387``, ``RHSA-…``, ``RLSA-…``, ``SUSE-SU-…``). CVE ids are collected from
  ``aliases``, ``related`` (AlmaLinux puts them only there) and ``upstream`` (Debian, Ubuntu,
  Red Hat), and from the id itself (``UBUNTU-CVE-…``). Non-CVE ``aliases`` are kept, plus the
  Red Hat advisory an AlmaLinux/Rocky advisory mirrors (from ``database_specific`` or an
  ``access.redhat.com/errata`` reference).
* **severity**: AlmaLinux, Rocky and Red Hat start ``summary`` with Red Hat's word
  (``Important: openssh security update``; one AlmaLinux record ends it: ``… (Important)``);
  Ubuntu gives a ``severity`` entry of type ``Ubuntu`` or ``ecosystem_specific.ubuntu_priority``;
  ``database_specific.severity`` is used when present. CVSS vectors are not turned into a
  vendor severity (they belong to the CVE, see ``Vulnerability``).
* **kind**: from the id prefix (``ALSA``/``ALBA``/``ALEA``, ``SUSE-SU``/``SUSE-RU``…).
* **affected**: every entry is kept, mapped to its own release (AlmaLinux 9 files also carry
  ``AlmaLinux:8`` entries): see :mod:`~patchdesk.engine.feeds.osv_ecosystems`. Each
  ``introduced``/``fixed`` pair of an ``ECOSYSTEM`` range becomes one
  :class:`~patchdesk.engine.model.AffectedPackage`; a range without ``fixed`` means no fix yet.

A broken entry (unknown ecosystem, invalid version, no ECOSYSTEM range) is rejected on its own;
the record is kept when at least one entry is usable, else rejected as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Final

from patchdesk.engine.feeds.advisory_terms import (
    check_version,
    map_level_severity,
    map_redhat_severity,
    pick_highest_severity,
    sort_cve_ids,
)
from patchdesk.engine.feeds.json_fields import (
    MAX_NAME_CHARS,
    FieldError,
    get_list,
    get_mapping,
    get_str,
    get_str_list,
    opt_list,
    opt_mapping,
    opt_str,
    parse_timestamp,
)
from patchdesk.engine.feeds.osv_ecosystems import EcosystemTarget, map_osv_ecosystem
from patchdesk.engine.feeds.result import ParseResult, Rejection
from patchdesk.engine.model.advisory import (
    Advisory,
    AdvisoryKind,
    AffectedPackage,
    FixStatus,
    VendorSeverity,
)
from patchdesk.engine.model.platform import PackageFormat

__all__ = ["parse_osv_record"]

JsonObject = Mapping[str, object]

_SAFE_NAME: Final = re.compile(r"[^\s\x00-\x1f\x7f]+")
_SUMMARY_SEVERITY: Final = re.compile(r"(Critical|Important|Moderate|Low|None):\s")
_TRAILING_SEVERITY: Final = re.compile(r"\((Critical|Important|Moderate|Low)\)\s*$")
_REDHAT_ERRATUM: Final = re.compile(r"\b(RH[SBE]A-\d{4}:\d{4,})\b")
_KIND_BY_LETTER: Final = {
    "S": AdvisoryKind.SECURITY,
    "B": AdvisoryKind.BUGFIX,
    "E": AdvisoryKind.ENHANCEMENT,
}
_SUSE_KIND: Final = {
    "SU": AdvisoryKind.SECURITY,
    "RU": AdvisoryKind.BUGFIX,
    "FU": AdvisoryKind.ENHANCEMENT,
    "OU": AdvisoryKind.ENHANCEMENT,
}


def _checked_name(obj: JsonObject, key: str) -> str:
    value = get_str(obj, key, limit=MAX_NAME_CHARS)
    if not _SAFE_NAME.fullmatch(value):
        raise FieldError(f"'{key}' contains white space or control characters: {value[:80]!r}")
    return value


def _kind(advisory_id: str) -> AdvisoryKind:
    if match := re.match(r"(?:AL|RL|RH)([SBE])A-", advisory_id):
        return _KIND_BY_LETTER[match.group(1)]
    if match := re.match(r"(?:SUSE|openSUSE)-([A-Z]{2})-", advisory_id):
        return _SUSE_KIND.get(match.group(1), AdvisoryKind.SECURITY)
    return AdvisoryKind.SECURITY


def _severity(record: JsonObject, summary: str, entries: Sequence[object]) -> VendorSeverity:
    found: list[VendorSeverity] = []
    if match := _SUMMARY_SEVERITY.match(summary) or _TRAILING_SEVERITY.search(summary):
        found.append(map_redhat_severity(match.group(1)))
    database_word = opt_mapping(record, "database_specific").get("severity")
    if isinstance(database_word, str):
        found.append(
            pick_highest_severity(
                map_redhat_severity(database_word), map_level_severity(database_word)
            )
        )
    for entry in opt_list(record, "severity"):
        if isinstance(entry, Mapping) and entry.get("type") == "Ubuntu":
            found.append(map_level_severity(str(entry.get("score", ""))))
    for entry in entries:
        if isinstance(entry, Mapping):
            specific = entry.get("ecosystem_specific")
            if isinstance(specific, Mapping) and isinstance(specific.get("ubuntu_priority"), str):
                found.append(map_level_severity(specific["ubuntu_priority"]))
    return pick_highest_severity(*found)


def _mirrored_redhat_ids(record: JsonObject, references: Sequence[str]) -> list[str]:
    ids: list[str] = []
    source_advisory = opt_mapping(record, "database_specific").get("source_advisory")
    if isinstance(source_advisory, str) and _REDHAT_ERRATUM.fullmatch(source_advisory):
        ids.append(source_advisory)
    for url in references:
        if "access.redhat.com/errata/" in url and (match := _REDHAT_ERRATUM.search(url)):
            ids.append(match.group(1))
    return ids


def _references(record: JsonObject) -> tuple[str, ...]:
    urls: dict[str, None] = {}
    for reference in opt_list(record, "references"):
        if not isinstance(reference, Mapping):
            raise FieldError("a reference must be an object")
        url = opt_str(reference, "url", limit=4096)
        if url:
            urls[url] = None
    return tuple(urls)


def _range_events(
    events: Sequence[object], target: EcosystemTarget, package: str
) -> list[AffectedPackage]:
    found: list[AffectedPackage] = []
    introduced: str | None = None
    open_range = False
    for event in events:
        if not isinstance(event, Mapping) or len(event) != 1:
            raise FieldError("a range event must be an object with one key")
        [(key, value)] = event.items()
        if not isinstance(value, str) or not value.strip():
            raise FieldError(f"range event '{key}' must be a non-empty string")
        value = value.strip()
        if target.version_format is PackageFormat.RPM and value.startswith("0:"):
            value = value[2:]  # "0:4.9.3-2.el9" (Rocky): written without the zero epoch
        if value != "0" and (problem := check_version(target.version_format, value)):
            raise FieldError(problem)
        if key == "introduced":
            if open_range:
                found.append(_affected(target, package, FixStatus.NO_FIX_YET, introduced))
            introduced, open_range = (None if value == "0" else value), True
        elif key == "fixed":
            found.append(_affected(target, package, FixStatus.FIXED, introduced, value))
            introduced, open_range = None, False
        elif key in {"last_affected", "limit"}:
            found.append(_affected(target, package, FixStatus.NO_FIX_YET, introduced))
            introduced, open_range = None, False
        else:
            raise FieldError(f"unknown range event {key[:40]!r}")
    if open_range:
        found.append(_affected(target, package, FixStatus.NO_FIX_YET, introduced))
    return found


def _ranges(entry: JsonObject, target: EcosystemTarget, package: str) -> list[AffectedPackage]:
    """One AffectedPackage per introduced/fixed pair of the entry's ECOSYSTEM ranges."""
    found: list[AffectedPackage] = []
    ecosystem_ranges = 0
    for index, range_ in enumerate(opt_list(entry, "ranges")):
        if not isinstance(range_, Mapping):
            raise FieldError(f"ranges[{index}] must be an object")
        if range_.get("type") == "ECOSYSTEM":
            ecosystem_ranges += 1
            found += _range_events(get_list(range_, "events"), target, package)
    if ecosystem_ranges == 0:
        raise FieldError("no ECOSYSTEM range (only GIT/SEMVER ranges or a version list)")
    return found


def _affected(
    target: EcosystemTarget,
    package: str,
    status: FixStatus,
    introduced: str | None,
    fixed: str | None = None,
) -> AffectedPackage:
    return AffectedPackage(
        platform_key=target.platform_key,
        package=package,
        name_kind=target.name_kind,
        version_format=target.version_format,
        status=status,
        fixed_version=fixed,
        introduced_version=introduced,
        channel=target.channel,
    )


def _parse_entry(entry: object) -> list[AffectedPackage]:
    if not isinstance(entry, Mapping):
        raise FieldError("an affected entry must be an object")
    package_info = get_mapping(entry, "package")
    ecosystem = get_str(package_info, "ecosystem")
    package = _checked_name(package_info, "name")
    purl = opt_str(package_info, "purl", limit=4096)
    target = map_osv_ecosystem(ecosystem, source_rpm="arch=src" in purl)
    return _ranges(entry, target, package)


def parse_osv_record(record: object, *, source: str, location: str = "") -> ParseResult[Advisory]:
    """Parse one decoded OSV record: one advisory, or rejections saying why not.

    ``source`` names the feed (``"osv:almalinux"``); ``location`` where the record was read
    (file, line, zip member) for the rejection report.
    """
    result: ParseResult[Advisory] = ParseResult()
    record_id = "?"
    try:
        if not isinstance(record, Mapping):
            raise FieldError("an OSV record must be a JSON object")
        record_id = _checked_name(record, "id")
        if record.get("withdrawn") is not None:
            raise FieldError(f"withdrawn on {str(record['withdrawn'])[:40]}")
        entries = get_list(record, "affected") if "affected" in record else ()
        if not entries:
            raise FieldError("no affected packages")
        affected: dict[AffectedPackage, None] = {}
        for index, entry in enumerate(entries):
            try:
                affected.update(dict.fromkeys(_parse_entry(entry)))
            except FieldError as error:
                where = f"{location} affected[{index}]".strip()
                result.rejected.append(
                    Rejection(source=source, record_id=record_id, reason=str(error), location=where)
                )
        if not affected:
            raise FieldError(f"none of the {len(entries)} affected entries is usable")
        details = opt_str(record, "details", limit=None)
        summary = opt_str(record, "summary", limit=None).strip()
        references = _references(record)
        aliases = get_str_list(record, "aliases", limit=MAX_NAME_CHARS)
        related = get_str_list(record, "related", limit=MAX_NAME_CHARS)
        upstream = get_str_list(record, "upstream", limit=MAX_NAME_CHARS)
        cve_ids = sort_cve_ids([record_id, *aliases, *related, *upstream])
        other_ids = [a for a in aliases if a not in cve_ids and a != record_id]
        other_ids += _mirrored_redhat_ids(record, references)
        published, modified = record.get("published"), record.get("modified")
        advisory = Advisory(
            id=record_id,
            source=source,
            summary=summary or (details.strip().splitlines() or [record_id])[0][:200],
            details=details,
            published_at=None
            if published is None
            else parse_timestamp(published, field="published"),
            modified_at=None if modified is None else parse_timestamp(modified, field="modified"),
            vendor_severity=_severity(record, summary, entries),
            cve_ids=cve_ids,
            references=references,
            affected=tuple(affected),
            aliases=tuple(dict.fromkeys(other_ids)),
            kind=_kind(record_id),
        )
    except (FieldError, RecursionError) as error:
        result.rejected.append(
            Rejection(source=source, record_id=record_id, reason=str(error), location=location)
        )
        return result
    result.records.append(advisory)
    return result
