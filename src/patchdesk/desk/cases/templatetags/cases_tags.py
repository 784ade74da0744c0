"""Template helpers of the service flow: labels in the page's language, the response policy."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from patchdesk.desk.cases.choices import EventKind, ItemStateChoices, OutboxStatus
from patchdesk.desk.cases.models import Announcement, OutboxMessage
from patchdesk.desk.cases.services.levels import category_name as _category_name

register = template.Library()

_ITEM_CLASSES = {
    "awaiting_request": "warn",
    "quote_pending": "warn",
    "problem_reported": "danger",
    "failed": "danger",
    "done": "warn",
    "verified": "ok",
    "scheduled": "ok",
    "requested": "ok",
}


def _label(choices: Any, code: str) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code


@register.filter
def item_state_label(code: str) -> str:
    return _label(ItemStateChoices, code)


@register.filter
def item_state_class(code: str) -> str:
    return _ITEM_CLASSES.get(code, "")


@register.filter
def event_label(code: str) -> str:
    return _label(EventKind, code)


@register.filter
def outbox_status_label(code: str) -> str:
    return _label(OutboxStatus, code)


@register.filter
def category_name(category_id: str) -> str:
    return _category_name(category_id, get_language() or "en") if category_id else ""


@register.simple_tag
def outbox_failed_count() -> int:
    """Notices that could not be delivered after every retry (shown to operators)."""
    return OutboxMessage.objects.filter(status=OutboxStatus.FAILED).count()


@register.simple_tag
def response_policy(announcement: Announcement) -> str:
    """The response policy in the active language."""
    return announcement.response_policy(get_language() or "en")
