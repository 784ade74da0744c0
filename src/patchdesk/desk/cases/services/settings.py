"""The provider's flow settings and each customer's notification channels (operators)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.accounts.models import User
from patchdesk.desk.cases.choices import WebhookKind
from patchdesk.desk.cases.errors import CaseError
from patchdesk.desk.cases.models import ContactPreference, CustomerWebhook, FlowSettings
from patchdesk.desk.contracts.services._common import check_operator
from patchdesk.desk.core.services import audit_record
from patchdesk.desk.customers.models import Contact, Customer

__all__ = ["contact_digest_set", "flow_settings_update", "webhook_add", "webhook_remove"]

FIELDS = (
    "auto_confirm_high",
    "auto_confirm_medium",
    "announce_from",
    "request_days",
    "verification_days",
    "window_hours",
    "capacity_per_window",
    "offered_windows",
    "digest_hour",
    "operator_email",
)


class WebhookUrlInvalidError(CaseError):
    code = "webhook_url_invalid"
    message_format = _("A webhook URL must start with http:// or https://.")
    field = "url"


class WebhookExistsError(CaseError):
    code = "webhook_exists"
    message_format = _("This customer already has a webhook with this URL.")
    field = "url"


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


@transaction.atomic
def flow_settings_update(*, actor: User, **values: Any) -> FlowSettings:
    check_operator(actor)
    row, _created = FlowSettings.objects.select_for_update().get_or_create(pk=1)
    changes = {}
    for name in FIELDS:
        if name in values and getattr(row, name) != values[name]:
            changes[name] = [_jsonable(getattr(row, name)), _jsonable(values[name])]
            setattr(row, name, values[name])
    if changes:
        row.full_clean()
        row.save()
        audit_record(actor=actor, action="flow.settings", obj=row, changes=changes)
    return row


@transaction.atomic
def contact_digest_set(contact: Contact, *, wants_digest: bool, actor: User) -> ContactPreference:
    check_operator(actor)
    preference, _created = ContactPreference.objects.get_or_create(contact=contact)
    if preference.wants_digest != wants_digest:
        preference.wants_digest, preference.updated_at = wants_digest, timezone.now()
        preference.save()
        audit_record(
            actor=actor,
            action="contact.digest",
            obj=contact,
            changes={"wants_digest": [not wants_digest, wants_digest]},
        )
    return preference


@transaction.atomic
def webhook_add(customer: Customer, *, kind: WebhookKind, url: str, actor: User) -> CustomerWebhook:
    """Operators add a customer's webhook (the desk posts there: kept out of customers' hands)."""
    check_operator(actor)
    url = url.strip()
    if not url.startswith(("http://", "https://")):
        raise WebhookUrlInvalidError
    if CustomerWebhook.objects.filter(customer=customer, url=url).exists():
        raise WebhookExistsError
    webhook = CustomerWebhook.objects.create(customer=customer, kind=kind, url=url)
    audit_record(
        actor=actor, action="webhook.add", obj=customer, changes={"kind": kind, "url": url}
    )
    return webhook


@transaction.atomic
def webhook_remove(webhook: CustomerWebhook, *, actor: User) -> None:
    check_operator(actor)
    audit_record(
        actor=actor,
        action="webhook.remove",
        obj=webhook.customer,
        changes={"kind": webhook.kind, "url": webhook.url},
    )
    webhook.delete()
