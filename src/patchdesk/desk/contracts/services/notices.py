"""Mail to a customer's contacts about their contracts, each in the contact's language.

Only called from ``transaction.on_commit``: a mail never goes out for a change that was rolled
back. A failure to send is logged and does not undo the change.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from patchdesk.desk.accounts.models import CustomerRole, Role, User
from patchdesk.desk.customers.models import Customer

logger = logging.getLogger(__name__)

__all__ = ["customer_notice_send"]


def _recipients(customer: Customer) -> list[tuple[str, str, str]]:
    """(address, language, time zone) of each contact that receives notices, else the admins."""
    contacts = [
        (c.email, c.language, c.time_zone) for c in customer.contacts.filter(receives_notices=True)
    ]
    if contacts:
        return contacts
    admins = User.objects.filter(
        customer=customer, role=Role.CUSTOMER, customer_role=CustomerRole.ADMIN, is_active=True
    ).exclude(email="")
    return [(u.email, u.language or customer.language, customer.time_zone) for u in admins]


def customer_notice_send(customer_id: int, *, template: str, context: dict[str, Any]) -> int:
    """Send ``contracts/mail/<template>_{subject,body}.txt`` to the customer; the count sent."""
    customer = Customer.objects.get(pk=customer_id)
    sent = 0
    for address, language, time_zone in _recipients(customer):
        with translation.override(language or settings.LANGUAGE_CODE), timezone.override(time_zone):
            full = {"customer": customer, "base_url": settings.PATCHDESK_BASE_URL, **context}
            subject = render_to_string(f"contracts/mail/{template}_subject.txt", full).strip()
            body = render_to_string(f"contracts/mail/{template}_body.txt", full)
        try:
            sent += send_mail(subject, body, None, [address])
        except OSError:
            logger.exception("notice %s to customer=%s failed", template, customer_id)
    logger.info("notice %s sent to customer=%s recipients=%s", template, customer_id, sent)
    return sent
