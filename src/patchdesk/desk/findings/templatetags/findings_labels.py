"""Template helpers for levels, states, coverage and policy categories."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

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
