"""Who is told what: recipients, rendering in each recipient's language and time zone, and
the outbox rows (mail, webhooks) for customers and operators. Called inside the transaction
of the change; the outbox job delivers after commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from patchdesk.desk.accounts.models import CustomerRole, Role, User
from patchdesk.desk.cases.choices import OutboxChannel, WebhookKind
from patchdesk.desk.cases.common import flow_settings_get
from patchdesk.desk.cases.disclaimers import DISCLAIMERS
from patchdesk.desk.cases.models import Case, ContactPreference, CustomerWebhook
from patchdesk.desk.cases.outbox import outbox_message_queue
from patchdesk.desk.customers.models import Contact, Customer
from patchdesk.engine.workflow.delivery import NoticeTiming, notice_timing

__all__ = [
    "Recipient",
    "customer_recipients",
    "notify_customer",
    "notify_operators",
    "notify_webhooks",
    "operator_recipients",
    "render_mail",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Recipient:
    email: str
    language: str
    time_zone: str
    ref: str  # contact:<id>, user:<id> or ops:<address>: part of the idempotency key
    contact: Contact | None = None
    wants_digest: bool = False


def customer_recipients(customer: Customer) -> list[Recipient]:
    """The contacts that receive notices; without any, the customer's admins."""
    contacts = list(customer.contacts.filter(receives_notices=True).order_by("pk"))
    if contacts:
        digest = set(
            ContactPreference.objects.filter(contact__in=contacts, wants_digest=True).values_list(
                "contact_id", flat=True
            )
        )
        return [
            Recipient(
                email=c.email,
                language=c.language or customer.language,
                time_zone=c.time_zone or customer.time_zone,
                ref=f"contact:{c.pk}",
                contact=c,
                wants_digest=c.pk in digest,
            )
            for c in contacts
        ]
    admins = User.objects.filter(
        customer=customer, role=Role.CUSTOMER, customer_role=CustomerRole.ADMIN, is_active=True
    ).exclude(email="")
    return [
        Recipient(
            email=u.email,
            language=u.language or customer.language,
            time_zone=customer.time_zone,
            ref=f"user:{u.pk}",
        )
        for u in admins.order_by("pk")
    ]


def operator_recipients() -> list[Recipient]:
    """The operators' mailbox (flow settings), else every active operator with a mail."""
    language, zone = settings.LANGUAGE_CODE, str(settings.TIME_ZONE)
    mailbox = flow_settings_get().operator_email
    if mailbox:
        return [Recipient(email=mailbox, language=language, time_zone=zone, ref="ops")]
    operators = User.objects.filter(role=Role.OPERATOR, is_active=True).exclude(email="")
    return [
        Recipient(email=u.email, language=u.language or language, time_zone=zone, ref=f"ops:{u.pk}")
        for u in operators.order_by("pk")
    ]


def render_mail(
    template: str, context: dict[str, Any], *, language: str, time_zone: str
) -> tuple[str, str, str]:
    """Subject, plain text and HTML of ``cases/mail/<template>`` for one recipient."""
    with translation.override(language), timezone.override(time_zone):
        full = {
            "base_url": settings.PATCHDESK_BASE_URL,
            "language": language,
            "disclaimers": DISCLAIMERS,
            **context,
        }
        subject = " ".join(render_to_string(f"cases/mail/{template}_subject.txt", full).split())
        text = render_to_string(f"cases/mail/{template}.txt", full)
        html = render_to_string(f"cases/mail/{template}.html", full)
    return subject[:300], text, html


def notify_customer(
    customer: Customer,
    *,
    template: str,
    key: str,
    context: dict[str, Any],
    case: Case | None = None,
    digest_allowed: bool = False,
    needs_action: bool = True,
    now: datetime | None = None,
) -> int:
    """Queue one mail per recipient (once per ``key``); the number newly queued."""
    queued = 0
    for recipient in customer_recipients(customer):
        timing = notice_timing(
            wants_digest=digest_allowed and recipient.wants_digest, needs_action=needs_action
        )
        subject, text, html = render_mail(
            template,
            {"customer": customer, "case": case, **context},
            language=recipient.language,
            time_zone=recipient.time_zone,
        )
        _message, created = outbox_message_queue(
            key=f"{key}:email:{recipient.ref}",
            channel=OutboxChannel.EMAIL,
            kind=template if template != "customer_notice" else str(context.get("event", "")),
            recipient=recipient.email,
            language=recipient.language,
            hold=timing == NoticeTiming.DIGEST,
            now=now,
            customer=customer,
            case=case,
            contact=recipient.contact,
            subject=subject,
            body_text=text,
            body_html=html,
        )
        queued += created
    return queued


def notify_operators(
    *,
    event: str,
    key: str,
    context: dict[str, Any],
    case: Case | None = None,
    customer: Customer | None = None,
    now: datetime | None = None,
) -> int:
    queued = 0
    for recipient in operator_recipients():
        subject, text, html = render_mail(
            "operator_notice",
            {**context, "event": event, "case": case, "customer": customer},
            language=recipient.language,
            time_zone=recipient.time_zone,
        )
        _message, created = outbox_message_queue(
            key=f"{key}:email:{recipient.ref}",
            channel=OutboxChannel.EMAIL,
            kind=f"ops_{event}",
            recipient=recipient.email,
            language=recipient.language,
            now=now,
            customer=customer,
            case=case,
            subject=subject,
            body_text=text,
            body_html=html,
        )
        queued += created
    return queued


def notify_webhooks(
    customer: Customer,
    *,
    kind: str,
    key: str,
    text: str,
    payload: dict[str, Any],
    case: Case | None = None,
    now: datetime | None = None,
) -> int:
    """Post to each enabled webhook: Slack-compatible ``{"text": ...}`` or the JSON event."""
    queued = 0
    hooks: Sequence[CustomerWebhook] = list(
        CustomerWebhook.objects.filter(customer=customer, is_enabled=True).order_by("pk")
    )
    for hook in hooks:
        slack = hook.kind == WebhookKind.SLACK
        _message, created = outbox_message_queue(
            key=f"{key}:webhook:{hook.pk}",
            channel=OutboxChannel.SLACK if slack else OutboxChannel.JSON,
            kind=kind,
            recipient=hook.url,
            language=customer.language,
            now=now,
            customer=customer,
            case=case,
            webhook=hook,
            subject=text.splitlines()[0][:300] if text else kind,
            body_text=text,
            payload={"text": text} if slack else payload,
        )
        queued += created
    return queued
