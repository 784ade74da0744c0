"""The policy as data: a TOML document the provider can edit, validated into a :class:`Policy`."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from patchdesk.engine.model.advisory import VendorSeverity
from patchdesk.engine.model.classification import SecurityLevel

__all__ = [
    "Category",
    "CvssRule",
    "CweRule",
    "ImpactCondition",
    "Policy",
    "PolicyError",
    "TextRule",
    "default_policy_text",
    "load_default_policy",
    "load_policy",
]

SCHEMA = 1
REVIEW = "review"
_CWE_ID = re.compile(r"^(CWE-[1-9][0-9]{0,5}|NVD-CWE-Other|NVD-CWE-noinfo)$")
_LEVELS = {"high": SecurityLevel.HIGH, "medium": SecurityLevel.MEDIUM}
_IMPACT_LETTERS = frozenset({"N", "L", "H"})
_SUBTABLE_KEYS = {
    "remote": {"attack_vectors"},
    "cvss": {"provider_order"},
    "kev": {"review_when_out_of_scope"},
    "cwe": {"generic", "out_of_scope"},
}


class PolicyError(ValueError):
    """The policy document is invalid; ``where`` names the key, e.g. ``rules[3].cwe``."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


@dataclass(frozen=True, slots=True, kw_only=True)
class Category:
    id: str
    level: SecurityLevel
    name_en: str
    name_ja: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ImpactCondition:
    """Allowed CVSS impact letters per dimension; ``None`` means any."""

    confidentiality: frozenset[str] | None = None
    integrity: frozenset[str] | None = None
    availability: frozenset[str] | None = None

    def describe(self) -> str:
        parts = []
        for letter, allowed in (
            ("C", self.confidentiality),
            ("I", self.integrity),
            ("A", self.availability),
        ):
            if allowed is not None:
                parts.append(f"{letter}:{'|'.join(sorted(allowed))}")
        return "/".join(parts)


@dataclass(frozen=True, slots=True, kw_only=True)
class CweRule:
    id: str
    category: str
    cwe: tuple[str, ...]
    when: ImpactCondition | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CvssRule:
    id: str
    category: str
    when: ImpactCondition


@dataclass(frozen=True, slots=True, kw_only=True)
class TextRule:
    id: str
    category: str
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    version: str
    title: str
    remote_attack_vectors: frozenset[str]
    cvss_provider_order: tuple[str, ...]
    kev_review_when_out_of_scope: bool
    generic_cwes: frozenset[str]
    out_of_scope_cwes: tuple[str, ...]
    categories: Mapping[str, Category]
    rules: tuple[CweRule, ...]
    cvss_rules: tuple[CvssRule, ...]
    vendor_severity: Mapping[VendorSeverity, str]  # a category id or "review"
    text_rules: tuple[TextRule, ...]
    text: str  # the document itself, kept with every classification's version


def default_policy_text() -> str:
    return resources.files(__package__).joinpath("default_policy.toml").read_text("utf-8")


def load_default_policy() -> Policy:
    return load_policy(default_policy_text())


def load_policy(text: str) -> Policy:
    """Validate a policy document; raise :class:`PolicyError` naming the first bad key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError("document", f"not valid TOML: {exc}") from None
    _keys(
        data,
        "document",
        {
            "schema",
            "version",
            "title",
            "remote",
            "cvss",
            "kev",
            "cwe",
            "categories",
            "rules",
            "cvss_rules",
            "vendor_severity",
            "text_rules",
        },
    )
    if data.get("schema") != SCHEMA:
        raise PolicyError("schema", f"must be {SCHEMA}")
    for table, allowed in _SUBTABLE_KEYS.items():
        _keys(data.get(table, {}), table, allowed)
    categories = _categories(data.get("categories"))
    return Policy(
        version=_text(data, "version", "version"),
        title=_text(data, "title", "title"),
        remote_attack_vectors=_remote(data.get("remote", {})),
        cvss_provider_order=tuple(_strings(data.get("cvss", {}), "provider_order", "cvss")),
        kev_review_when_out_of_scope=_bool(data.get("kev", {}), "review_when_out_of_scope"),
        generic_cwes=frozenset(_cwe_list(data.get("cwe", {}).get("generic", []), "cwe.generic")),
        out_of_scope_cwes=tuple(
            _cwe_list(data.get("cwe", {}).get("out_of_scope", []), "cwe.out_of_scope")
        ),
        categories=categories,
        rules=tuple(
            _cwe_rule(item, f"rules[{i}]", categories)
            for i, item in enumerate(_list(data, "rules"))
        ),
        cvss_rules=tuple(
            _cvss_rule(item, f"cvss_rules[{i}]", categories)
            for i, item in enumerate(_list(data, "cvss_rules"))
        ),
        vendor_severity=_vendor_severity(data.get("vendor_severity", {}), categories),
        text_rules=tuple(
            _text_rule(item, f"text_rules[{i}]", categories)
            for i, item in enumerate(_list(data, "text_rules"))
        ),
        text=text,
    )


# --- validation helpers ------------------------------------------------------------------


def _keys(table: Any, where: str, allowed: set[str]) -> None:
    if not isinstance(table, dict):
        raise PolicyError(where, "must be a table")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise PolicyError(where, f"unknown key {unknown[0]!r}")


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(where, "must be a non-empty string")
    return value.strip()


def _bool(table: Mapping[str, Any], key: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise PolicyError(key, "must be true or false")
    return value


def _list(table: Mapping[str, Any], key: str) -> list[Any]:
    value = table.get(key, [])
    if not isinstance(value, list):
        raise PolicyError(key, "must be an array of tables")
    return value


def _strings(table: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = table.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise PolicyError(f"{where}.{key}", "must be a list of strings")
    return list(value)


def _remote(table: Mapping[str, Any]) -> frozenset[str]:
    vectors = _strings(table, "attack_vectors", "remote")
    bad = [v for v in vectors if v not in {"N", "A", "L", "P"}]
    if bad:
        raise PolicyError("remote.attack_vectors", f"{bad[0]!r} is not one of N, A, L, P")
    return frozenset(vectors)


def _cwe_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not value:
        raise PolicyError(where, "must be a non-empty list of CWE ids")
    for cwe in value:
        if not isinstance(cwe, str) or not _CWE_ID.match(cwe):
            raise PolicyError(where, f"{cwe!r} is not a CWE id like CWE-79")
    return list(value)


def _categories(value: Any) -> dict[str, Category]:
    if not isinstance(value, list) or not value:
        raise PolicyError("categories", "must name at least one category")
    categories: dict[str, Category] = {}
    for index, item in enumerate(value):
        where = f"categories[{index}]"
        _keys(item, where, {"id", "level", "name_en", "name_ja"})
        category_id = _text(item, "id", f"{where}.id")
        level = _LEVELS.get(str(item.get("level")))
        if level is None:
            raise PolicyError(f"{where}.level", "must be high or medium")
        if category_id in categories:
            raise PolicyError(f"{where}.id", f"{category_id!r} is defined twice")
        categories[category_id] = Category(
            id=category_id,
            level=level,
            name_en=_text(item, "name_en", f"{where}.name_en"),
            name_ja=_text(item, "name_ja", f"{where}.name_ja"),
        )
    return categories


def _category_ref(item: Mapping[str, Any], where: str, categories: Mapping[str, Category]) -> str:
    category = _text(item, "category", f"{where}.category")
    if category not in categories:
        raise PolicyError(f"{where}.category", f"unknown category {category!r}")
    return category


def _impact(value: Any, where: str) -> ImpactCondition:
    _keys(value, where, {"confidentiality", "integrity", "availability"})
    sets: dict[str, frozenset[str]] = {}
    for key, letters in value.items():
        if not isinstance(letters, list) or not letters or not set(letters) <= _IMPACT_LETTERS:
            raise PolicyError(f"{where}.{key}", "must be a non-empty list of N, L, H")
        sets[key] = frozenset(letters)
    if not sets:
        raise PolicyError(where, "must constrain at least one impact")
    return ImpactCondition(**sets)


def _cwe_rule(item: Any, where: str, categories: Mapping[str, Category]) -> CweRule:
    _keys(item, where, {"id", "category", "cwe", "when"})
    return CweRule(
        id=_text(item, "id", f"{where}.id"),
        category=_category_ref(item, where, categories),
        cwe=tuple(_cwe_list(item.get("cwe"), f"{where}.cwe")),
        when=_impact(item["when"], f"{where}.when") if "when" in item else None,
    )


def _cvss_rule(item: Any, where: str, categories: Mapping[str, Category]) -> CvssRule:
    _keys(item, where, {"id", "category", "when"})
    if "when" not in item:
        raise PolicyError(f"{where}.when", "is required")
    return CvssRule(
        id=_text(item, "id", f"{where}.id"),
        category=_category_ref(item, where, categories),
        when=_impact(item["when"], f"{where}.when"),
    )


def _text_rule(item: Any, where: str, categories: Mapping[str, Category]) -> TextRule:
    _keys(item, where, {"id", "category", "pattern"})
    try:
        pattern = re.compile(_text(item, "pattern", f"{where}.pattern"))
    except re.error as exc:
        raise PolicyError(f"{where}.pattern", f"not a valid regular expression: {exc}") from None
    return TextRule(
        id=_text(item, "id", f"{where}.id"),
        category=_category_ref(item, where, categories),
        pattern=pattern,
    )


def _vendor_severity(table: Any, categories: Mapping[str, Category]) -> dict[VendorSeverity, str]:
    _keys(table, "vendor_severity", {s.value for s in VendorSeverity})
    mapping: dict[VendorSeverity, str] = {}
    for key, value in table.items():
        if value != REVIEW and value not in categories:
            raise PolicyError(f"vendor_severity.{key}", f"{value!r} is not a category or review")
        mapping[VendorSeverity(key)] = value
    return mapping
