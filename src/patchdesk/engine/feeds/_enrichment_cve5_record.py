"""Reading one CVE JSON 5 record: the part of :mod:`patchdesk.engine.feeds.cve5` that turns a
decoded record into a :class:`Vulnerability` (the rules are described there)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Final

from patchdesk.engine.feeds._enrichment_cvss import parse_cvss_vector
from patchdesk.engine.feeds._enrichment_io import english_text, normalize_cve_id, parse_day
from patchdesk.engine.feeds.cwe import find_cwe_ids, normalize_cwe_id
from patchdesk.engine.feeds.json_fields import (
    FieldError,
    get_mapping,
    get_str,
    opt_list,
    opt_mapping,
    opt_str,
    parse_timestamp,
)
from patchdesk.engine.model.vulnerability import (
    CvssScore,
    SsvcAssessment,
    SsvcExploitation,
    SsvcTechnicalImpact,
    Vulnerability,
)

__all__ = ["SOURCE", "choose_cwe_ids", "parse_cve5_record", "parse_ssvc"]

SOURCE: Final = "cve5"
_CVSS_KEYS: Final = {"cvssV2_0": "2.0", "cvssV3_0": "3.0", "cvssV3_1": "3.1", "cvssV4_0": "4.0"}

JsonObject = Mapping[str, object]


@functools.lru_cache(maxsize=64)
def _key(text: str) -> str:
    """``"Technical Impact"`` / ``"technicalImpact"`` -> ``"technicalimpact"``."""
    return "".join(character for character in text.lower() if character.isalnum())


def parse_ssvc(content: JsonObject, *, provider: str) -> SsvcAssessment:
    """CISA's SSVC content: ``options`` like ``[{"Exploitation": "poc"}, {"Automatable":
    "no"}, {"Technical Impact": "total"}]`` (NVD writes ``technicalImpact``), any case."""
    decisions: dict[str, str] = {}
    for option in opt_list(content, "options"):
        if not isinstance(option, Mapping):
            raise FieldError("an SSVC option must be an object")
        for name, value in option.items():
            if not isinstance(value, str):
                raise FieldError(f"SSVC option {name!r} must be a string")
            decisions[_key(str(name))] = value.strip().lower()
    try:
        exploitation = SsvcExploitation(decisions["exploitation"])
        technical_impact = SsvcTechnicalImpact(decisions["technicalimpact"])
        automatable = {"yes": True, "no": False}[decisions["automatable"]]
    except KeyError as missing:
        raise FieldError(f"SSVC assessment without a valid {missing}") from None
    except ValueError as error:
        raise FieldError(f"SSVC assessment with an unknown value: {error}") from None
    timestamp = content.get("timestamp")
    return SsvcAssessment(
        exploitation=exploitation,
        automatable=automatable,
        technical_impact=technical_impact,
        provider=provider,
        assessed_at=None if timestamp is None else parse_timestamp(timestamp, field="timestamp"),
        version=opt_str(content, "version"),
    )


def choose_cwe_ids(candidates: Iterable[tuple[str, Sequence[str]]]) -> tuple[tuple[str, ...], str]:
    """``(ids, provider)`` of the first provider naming a real CWE, else of the first naming
    any id (an NVD placeholder), else ``((), "")``. ``candidates`` in order of preference."""
    fallback: tuple[tuple[str, ...], str] = ((), "")
    for provider, ids in candidates:
        if any(cwe_id.startswith("CWE-") for cwe_id in ids):
            return tuple(ids), provider
        if ids and not fallback[0]:
            fallback = (tuple(ids), provider)
    return fallback


def _cwe_ids(container: JsonObject) -> tuple[str, ...]:
    ids: list[str] = []
    for problem in opt_list(container, "problemTypes"):
        if not isinstance(problem, Mapping):
            raise FieldError("a problemTypes entry must be an object")
        for description in opt_list(problem, "descriptions"):
            if not isinstance(description, Mapping):
                raise FieldError("a problem type description must be an object")
            cwe_id = description.get("cweId")
            if cwe_id is None:
                ids.extend(find_cwe_ids(opt_str(description, "description", limit=None)))
                continue
            if not isinstance(cwe_id, str):
                raise FieldError(f"'cweId' must be a string, got {cwe_id!r:.40}")
            try:
                ids.append(normalize_cwe_id(cwe_id))
            except ValueError as error:
                raise FieldError(f"'cweId': {error}") from None
    return tuple(dict.fromkeys(ids))


def _cvss(container: JsonObject, provider: str) -> list[CvssScore]:
    scores: list[CvssScore] = []
    for metric in opt_list(container, "metrics"):
        if not isinstance(metric, Mapping):
            raise FieldError("a metrics entry must be an object")
        for key, version in _CVSS_KEYS.items():
            if key in metric:
                body = get_mapping(metric, key)
                score = parse_cvss_vector(
                    body.get("vectorString"), provider=provider, declared_version=version
                )
                if score not in scores:
                    scores.append(score)
    return scores


def _others(container: JsonObject) -> Iterator[tuple[str, JsonObject]]:
    """``(type, content)`` of each ``metrics[].other`` (``kev``, ``ssvc`` ...)."""
    for metric in opt_list(container, "metrics"):
        if isinstance(metric, Mapping) and metric.get("other") is not None:
            other = get_mapping(metric, "other")
            yield opt_str(other, "type").lower(), opt_mapping(other, "content")


def _adp_provider(container: JsonObject) -> str:
    name = opt_str(opt_mapping(container, "providerMetadata"), "shortName").lower()
    name = name.removesuffix("-adp") or "unknown"
    return f"adp:{name}"


def _optional_time(meta: JsonObject, key: str) -> datetime | None:
    value = meta.get(key)
    return None if value is None else parse_timestamp(value, field=key)


def parse_cve5_record(record: object) -> Vulnerability:
    """One decoded CVE JSON 5 record; raises FieldError with a one-line reason."""
    if not isinstance(record, Mapping):
        raise FieldError("a CVE record must be a JSON object")
    data_type = record.get("dataType", "CVE_RECORD")
    if data_type != "CVE_RECORD":
        raise FieldError(f"not a CVE record: dataType {data_type!r:.40}")
    data_version = record.get("dataVersion")
    if not isinstance(data_version, str) or not data_version.startswith("5."):
        raise FieldError(f"unsupported dataVersion {data_version!r:.20} (CVE JSON 5.x expected)")
    meta = get_mapping(record, "cveMetadata")
    cve_id = normalize_cve_id(meta.get("cveId"), field="cveId")
    state = get_str(meta, "state").upper()
    containers = get_mapping(record, "containers")
    cna = get_mapping(containers, "cna")
    published_at = _optional_time(meta, "datePublished")
    modified_at = _optional_time(meta, "dateUpdated")
    if state == "REJECTED":
        return Vulnerability(
            cve_id=cve_id,
            source=SOURCE,
            description=english_text(opt_list(cna, "rejectedReasons")),
            published_at=published_at,
            modified_at=modified_at,
            is_rejected=True,
        )
    if state != "PUBLISHED":
        raise FieldError(f"unknown state {state!r:.20}")
    cna_name = opt_str(opt_mapping(cna, "providerMetadata"), "shortName")
    sources: list[tuple[str, JsonObject]] = [
        (f"cna:{cna_name or opt_str(meta, 'assignerShortName') or 'unknown'}", cna)
    ]
    for index, adp in enumerate(opt_list(containers, "adp")):
        if not isinstance(adp, Mapping):
            raise FieldError(f"containers.adp[{index}] must be an object")
        sources.append((_adp_provider(adp), adp))
    cvss: list[CvssScore] = []
    candidates: list[tuple[str, tuple[str, ...]]] = []
    kev_added_on = None
    ssvc: SsvcAssessment | None = None
    for provider, container in sources:
        try:
            cvss.extend(_cvss(container, provider))
            candidates.append((provider, _cwe_ids(container)))
            for kind, content in _others(container):
                if kind == "kev" and kev_added_on is None:
                    kev_added_on = parse_day(content.get("dateAdded"), field="dateAdded")
                elif kind == "ssvc" and (ssvc is None or provider == "adp:cisa"):
                    ssvc = parse_ssvc(content, provider=provider)
        except FieldError as error:
            raise FieldError(f"{provider}: {error}") from None
    cwe_ids, cwe_provider = choose_cwe_ids(candidates)
    return Vulnerability(
        cve_id=cve_id,
        source=SOURCE,
        description=english_text(opt_list(cna, "descriptions")),
        published_at=published_at,
        modified_at=modified_at,
        cwe_ids=cwe_ids,
        cwe_provider=cwe_provider,
        cvss=tuple(cvss),
        kev_added_on=kev_added_on,
        ssvc=ssvc,
    )
