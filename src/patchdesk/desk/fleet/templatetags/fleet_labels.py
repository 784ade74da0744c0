"""Template filters for the fleet's codes: ``{{ scan.error_code|scan_error_label }}``."""

from __future__ import annotations

from django import template

from patchdesk.desk.fleet.choices import OriginChoices, OutOfScopeKindChoices, ScanErrorChoices

register = template.Library()


def _label(
    choices: type[ScanErrorChoices | OriginChoices | OutOfScopeKindChoices], code: str
) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code


@register.filter
def scan_error_label(code: str) -> str:
    return _label(ScanErrorChoices, code) if code else ""


@register.filter
def origin_label(code: str) -> str:
    return _label(OriginChoices, code)


@register.filter
def out_of_scope_kind_label(code: str) -> str:
    return _label(OutOfScopeKindChoices, code)
