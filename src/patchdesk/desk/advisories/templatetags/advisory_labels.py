"""Template helpers of the advisory pages: vendor codes in words, safe reference links."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import template
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.advisories.models import FeedSync

register = template.Library()

_SEVERITY = {
    "critical": _("Critical"),
    "high": _("High"),
    "medium": _("Medium"),
    "low": _("Low"),
    "negligible": _("Negligible"),
    "unknown": _("Unknown"),
}
_KIND = {"security": _("Security"), "bugfix": _("Bug fix"), "enhancement": _("Enhancement")}
_FIX_STATUS = {
    "fixed": _("fixed"),
    "no_fix_yet": _("no fix yet"),
    "wont_fix": _("will not be fixed"),
    "not_affected": _("not affected"),
    "unknown": _("unknown"),
}
_FEED_STATUS_CLASS = {
    "succeeded": "ok",
    "not_modified": "ok",
    "failed": "danger",
    "running": "warn",
}


@register.filter
def vendor_severity_label(code: str) -> str:
    return str(_SEVERITY.get(code, code))


@register.filter
def advisory_kind_label(code: str) -> str:
    return str(_KIND.get(code, code))


@register.filter
def fix_status_label(code: str) -> str:
    return str(_FIX_STATUS.get(code, code))


@register.filter
def feed_status_class(code: str) -> str:
    return _FEED_STATUS_CLASS.get(code or "", "")


@register.filter
def feed_status_label(code: str) -> str:
    try:
        return str(FeedSync.Status(code).label)
    except ValueError:
        return code or ""


@register.filter
def web_url(value: object) -> str:
    """The value when it is an http(s) URL (safe to link), else "" (feeds are not trusted)."""
    text = str(value or "").strip()
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return ""
    return text if scheme in {"http", "https"} else ""


@register.filter
def lookup(mapping: object, key: object) -> object:
    """``mapping[key]`` or None (e.g. the bound form of one row)."""
    return mapping.get(key) if isinstance(mapping, dict) else None
