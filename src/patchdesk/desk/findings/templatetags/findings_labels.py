"""Template helpers for levels, states, coverage and policy categories."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.findings.choices import (
    CertaintyChoices,
    CoverageChoices,
    LevelChoices,
    ReasonKindChoices,
)
from patchdesk.desk.findings.models import FindingState

register = template.Library()

_LEVEL_CLASSES = {"high": "danger", "medium": "warn", "needs_review": "review"}
_COVERAGE_CLASSES = {"actionable": "ok", "not_covered": "warn"}


def _label(choices: Any, code: str) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code


@register.filter
def level_label(code: str) -> str:
    return _label(LevelChoices, code) if code else ""


@register.filter
def level_class(code: str) -> str:
    return _LEVEL_CLASSES.get(code, "")


@register.filter
def state_label(code: str) -> str:
    return _label(FindingState, code)


@register.filter
def coverage_label(code: str) -> str:
    return _label(CoverageChoices, code)


@register.filter
def coverage_class(code: str) -> str:
    return _COVERAGE_CLASSES.get(code, "")


@register.filter
def certainty_label(code: str) -> str:
    return _label(CertaintyChoices, code)


@register.filter
def reason_kind_label(code: str) -> str:
    return _label(ReasonKindChoices, code)


@register.simple_tag(takes_context=True)
def category_label(context: template.Context, category_id: str) -> str:
    """The policy category's name in the page's language (``categories`` in the context)."""
    categories = context.get("categories") or {}
    category = categories.get(category_id)
    if category is None:
        return category_id
    language = get_language() or "en"
    return str(category.name_ja if language.startswith("ja") else category.name_en)


_REASON_SENTENCES = {
    "local-attack-vector": _("The attack vector is not remote (%(vector)s): out of scope."),
    "remote-attack-vector": _("The attack vector is remote (%(vector)s)."),
    "no-matching-rule": _("%(cwe)s: the impacts fit no attack type of the service."),
    "not-a-service-attack-type": _(
        "%(cwe)s is an attack on the site's visitors, not on the server (not in Table 1)."
    ),
    "cwe-without-attack-type": _(
        "%(cwe)s names no attack type of the service; the CVSS impacts decide."
    ),
    "known-exploited": _("On CISA's list of known exploited vulnerabilities."),
    "invalid-vector-ignored": _("An invalid CVSS vector was ignored."),
    "no-cvss-vector": _("No CVSS vector: the attack is assumed to be remote."),
    "insufficient-facts": _("Not enough facts to decide: an operator reviews it."),
}
_REASON_FAMILIES = (
    ("cvss-", _("The CVSS impacts decide (rule %(rule)s).")),
    ("vendor-severity-", _("The vendor's severity decides (rule %(rule)s).")),
    ("text-", _("The description decides (rule %(rule)s).")),
)


@register.filter
def reason_text(reason: dict[str, str]) -> str:
    """The reason as a sentence in the page's language (the engine's detail is English)."""
    detail = reason.get("detail", "")
    if not (get_language() or "en").startswith("ja"):
        return detail
    rule = reason.get("rule_id", "")
    params = {
        "rule": rule,
        "cwe": reason.get("cwe_id", ""),
        "vector": reason.get("vector_element", ""),
    }
    sentence = _REASON_SENTENCES.get(rule)
    if sentence is None:
        sentence = next(
            (text for prefix, text in _REASON_FAMILIES if rule.startswith(prefix)), None
        )
    if sentence is None and reason.get("kind") == "cwe" and params["cwe"]:
        sentence = _("%(cwe)s matches the policy rule %(rule)s.")
    if sentence is None:
        return detail  # an operator's override reason, or a rule added to the policy later
    return str(sentence) % params
