"""NVD CVE data -> :class:`Vulnerability` facts: the CVE API 2.0 (and the 2.0 JSON feeds), and
the retired 1.1 JSON feeds (``CVE_Items``).

API 2.0 (https://nvd.nist.gov/developers/vulnerabilities): ``vulnerabilities[].cve`` with
``weaknesses`` and ``metrics.cvssMetricV40 / V31 / V30 / V2``; each weakness and metric names
its ``source`` (``nvd@nist.gov`` for NVD's own analysts, else the CNA's contact address) and a
``type`` Primary / Secondary. Providers: ``nvd`` for NVD's own assessments, ``nvd:<source>``
for the ones NVD republishes (``nvd:secalert@redhat.com``); the policy reads the kind before
the colon. CWE ids come from NVD's own weakness entry when it names a real CWE, else from the
first Primary one, else the first; NVD's placeholders only when nothing better exists. CISA's
SSVC (``ssvcV203``) and the KEV date (``cisaExploitAdd``) are kept too.

Records that cannot be read completely are rejected whole, as for CVE JSON 5.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

from patchdesk.engine.feeds._enrichment_cvss import parse_cvss_vector
from patchdesk.engine.feeds._enrichment_io import (
    decompress,
    english_text,
    normalize_cve_id,
    parse_day,
    rejection,
)
from patchdesk.engine.feeds.cve5 import choose_cwe_ids, parse_ssvc
from patchdesk.engine.feeds.cwe import normalize_cwe_id
from patchdesk.engine.feeds.http import FetchResult, HttpClient
from patchdesk.engine.feeds.json_fields import (
    FieldError,
    get_mapping,
    get_str,
    opt_list,
    opt_mapping,
    opt_str,
    parse_timestamp,
)
from patchdesk.engine.feeds.result import ParseResult
from patchdesk.engine.model.vulnerability import CvssScore, SsvcAssessment, Vulnerability

__all__ = [
    "NVD_FEED_URL",
    "SOURCE",
    "fetch_nvd_feed",
    "nvd_provider",
    "parse_nvd_cve",
    "parse_nvd_json",
    "parse_nvd_legacy_item",
    "read_nvd",
]

SOURCE: Final = "nvd"
# NVD's 2.0 JSON feeds: one per CVE year, plus "modified" and "recent" (last 8 days).
NVD_FEED_URL: Final = "https://nvd.nist.gov/feeds/json/cve/2.0/nvdcve-2.0-{feed}.json.gz"
NVD_SOURCE: Final = "nvd@nist.gov"
CISA_ADP_ORG_ID: Final = "134c704f-9b21-4f2e-91b3-4a467353bcc0"
_METRICS: Final = {
    "cvssMetricV40": "4.0",
    "cvssMetricV31": "3.1",
    "cvssMetricV30": "3.0",
    "cvssMetricV2": "2.0",
}
_REJECT_PREFIX: Final = "** REJECT **"

JsonObject = Mapping[str, object]


def nvd_provider(source: str) -> str:
    """``nvd@nist.gov`` -> ``nvd``; any other NVD ``source`` -> ``nvd:<source>``."""
    return SOURCE if source in {"", NVD_SOURCE} else f"{SOURCE}:{source}"


def _objects(container: JsonObject, key: str) -> list[JsonObject]:
    items = opt_list(container, key)
    if not all(isinstance(item, Mapping) for item in items):
        raise FieldError(f"every '{key}' entry must be an object")
    return [item for item in items if isinstance(item, Mapping)]


def _cvss(metrics: JsonObject) -> list[CvssScore]:
    scores: list[CvssScore] = []
    for key, version in _METRICS.items():
        for metric in _objects(metrics, key):
            data = get_mapping(metric, "cvssData")
            score = parse_cvss_vector(
                data.get("vectorString"),
                provider=nvd_provider(opt_str(metric, "source")),
                declared_version=version,
            )
            if score not in scores:
                scores.append(score)
    return scores


def _weaknesses(cve: JsonObject) -> tuple[tuple[str, ...], str]:
    candidates: list[tuple[int, str, tuple[str, ...]]] = []
    for weakness in _objects(cve, "weaknesses"):
        source = opt_str(weakness, "source")
        ids: list[str] = []
        for description in _objects(weakness, "description"):
            try:
                ids.append(normalize_cwe_id(get_str(description, "value")))
            except ValueError as error:
                raise FieldError(f"weaknesses: {error}") from None
        rank = 0 if source == NVD_SOURCE else 1 if opt_str(weakness, "type") == "Primary" else 2
        candidates.append((rank, nvd_provider(source), tuple(dict.fromkeys(ids))))
    candidates.sort(key=lambda candidate: candidate[0])
    return choose_cwe_ids((provider, ids) for _, provider, ids in candidates)


def _ssvc(metrics: JsonObject) -> SsvcAssessment | None:
    for key in sorted(metrics):
        if key.startswith("ssvc"):
            for metric in _objects(metrics, key):
                source = opt_str(metric, "source")
                provider = "adp:cisa" if source == CISA_ADP_ORG_ID else nvd_provider(source)
                return parse_ssvc(get_mapping(metric, "ssvcData"), provider=provider)
    return None


def parse_nvd_cve(cve: object) -> Vulnerability:
    """One API 2.0 ``cve`` object; raises FieldError with a one-line reason."""
    if not isinstance(cve, Mapping):
        raise FieldError("an NVD CVE must be a JSON object")
    cve_id = normalize_cve_id(cve.get("id"), field="id")
    description = english_text(opt_list(cve, "descriptions"))
    status = opt_str(cve, "vulnStatus")
    metrics = opt_mapping(cve, "metrics")
    cwe_ids, cwe_provider = _weaknesses(cve)
    published = cve.get("published")
    modified = cve.get("lastModified")
    kev = cve.get("cisaExploitAdd")
    return Vulnerability(
        cve_id=cve_id,
        source=SOURCE,
        description=description,
        published_at=None if published is None else parse_timestamp(published, field="published"),
        modified_at=None if modified is None else parse_timestamp(modified, field="lastModified"),
        cwe_ids=cwe_ids,
        cwe_provider=cwe_provider,
        cvss=tuple(_cvss(metrics)),
        is_rejected=status == "Rejected" or description.startswith(_REJECT_PREFIX),
        kev_added_on=None if kev is None else parse_day(kev, field="cisaExploitAdd"),
        ssvc=_ssvc(metrics),
    )


def parse_nvd_legacy_item(item: object) -> Vulnerability:
    """One ``CVE_Items`` entry of an NVD 1.1 JSON feed (every assessment is NVD's own)."""
    if not isinstance(item, Mapping):
        raise FieldError("a CVE item must be a JSON object")
    cve = get_mapping(item, "cve")
    cve_id = normalize_cve_id(get_mapping(cve, "CVE_data_meta").get("ID"), field="ID")
    ids: list[str] = []
    for problem in _objects(opt_mapping(cve, "problemtype"), "problemtype_data"):
        for entry in _objects(problem, "description"):
            try:
                ids.append(normalize_cwe_id(get_str(entry, "value")))
            except ValueError as error:
                raise FieldError(f"problemtype: {error}") from None
    scores: list[CvssScore] = []
    impact = opt_mapping(item, "impact")
    for outer, inner in (("baseMetricV3", "cvssV3"), ("baseMetricV2", "cvssV2")):
        if impact.get(outer) is not None:
            data = get_mapping(get_mapping(impact, outer), inner)
            declared = opt_str(data, "version") or None
            vector = data.get("vectorString")
            scores.append(parse_cvss_vector(vector, provider=SOURCE, declared_version=declared))
    description = english_text(
        opt_list(opt_mapping(cve, "description"), "description_data"), key="value"
    )
    published = item.get("publishedDate")
    modified = item.get("lastModifiedDate")
    cwe_ids, cwe_provider = choose_cwe_ids([(SOURCE, tuple(dict.fromkeys(ids)))])
    return Vulnerability(
        cve_id=cve_id,
        source=SOURCE,
        description=description,
        published_at=None if published is None else parse_timestamp(published, field="published"),
        modified_at=None if modified is None else parse_timestamp(modified, field="modified"),
        cwe_ids=cwe_ids,
        cwe_provider=cwe_provider,
        cvss=tuple(scores),
        is_rejected=description.startswith(_REJECT_PREFIX),
    )


def _id_of(entry: object, fallback: str) -> str:
    if isinstance(entry, Mapping):
        for container, key in (("cve", "id"), ("", "id"), ("cve", "CVE_data_meta")):
            node = entry.get(container) if container else entry
            value = node.get(key) if isinstance(node, Mapping) else None
            if isinstance(value, Mapping):
                value = value.get("ID")
            if isinstance(value, str):
                return value
    return fallback


def parse_nvd_json(data: bytes, *, location: str = "") -> ParseResult[Vulnerability]:
    """An API 2.0 response or 2.0 feed (``vulnerabilities``), a 1.1 feed (``CVE_Items``), or
    a bare 2.0 ``cve`` object; plain, gzip or xz."""
    result: ParseResult[Vulnerability] = ParseResult()
    try:
        document = json.loads(decompress(data))
    except (ValueError, RecursionError) as error:
        result.rejected.append(
            rejection(SOURCE, location or "document", f"not valid JSON: {error}", location)
        )
        return result
    parse: Callable[[object], Vulnerability]
    if isinstance(document, Mapping) and "CVE_Items" in document:
        entries, parse, where = document["CVE_Items"], parse_nvd_legacy_item, "CVE_Items"
    elif isinstance(document, Mapping) and "vulnerabilities" in document:
        entries, parse, where = document["vulnerabilities"], _parse_wrapped, "vulnerabilities"
    else:
        entries, parse, where = [document], parse_nvd_cve, "document"
    if not isinstance(entries, list):
        reason = f"'{where}' must be an array"
        result.rejected.append(rejection(SOURCE, location or where, reason, location))
        return result
    for index, entry in enumerate(entries):
        try:
            result.records.append(parse(entry))
        except FieldError as error:
            record_id = _id_of(entry, f"{where}[{index}]")
            result.rejected.append(rejection(SOURCE, record_id, error, location))
    return result


def _parse_wrapped(entry: object) -> Vulnerability:
    if not isinstance(entry, Mapping):
        raise FieldError("a vulnerabilities entry must be an object")
    return parse_nvd_cve(get_mapping(entry, "cve"))


def fetch_nvd_feed(
    client: HttpClient,
    destination: Path,
    *,
    feed: str = "modified",
    url: str = "",
    etag: str = "",
    last_modified: str = "",
) -> FetchResult:
    """Download one 2.0 JSON feed (``"2024"``, ``"modified"``, ``"recent"``) to
    ``destination``; ``url`` overrides the NVD address (a mirror, a ``file://`` copy).

    The CVE API itself (paging, rate limits, an API key header) is not fetched here: the
    feeds carry the same records and are plain files.
    """
    return client.fetch(
        url or NVD_FEED_URL.format(feed=feed),
        destination=destination,
        etag=etag,
        last_modified=last_modified,
    )


def read_nvd(path: Path) -> ParseResult[Vulnerability]:
    """A file, or every ``*.json`` (``.gz`` / ``.xz``) file of a directory tree, sorted."""
    if path.is_dir():
        result: ParseResult[Vulnerability] = ParseResult()
        for file in sorted(path.rglob("*")):
            if file.is_file() and file.name.lower().endswith((".json", ".json.gz", ".json.xz")):
                result.extend(parse_nvd_json(file.read_bytes(), location=str(file)))
        return result
    return parse_nvd_json(path.read_bytes(), location=str(path))
