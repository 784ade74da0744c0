"""The daily digest: informational announcements held for contacts who chose it, sent as one
mail per contact and day at the configured hour (provider's time zone)."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.db import transaction

from patchdesk.desk.cases.choices import OutboxChannel, OutboxStatus
from patchdesk.desk.cases.common import flow_settings_get, now_or
from patchdesk.desk.cases.models import OutboxMessage
from patchdesk.desk.cases.notices import render_mail
from patchdesk.desk.cases.outbox import outbox_message_queue
from patchdesk.engine.workflow.delivery import digest_cutoff

logger = logging.getLogger(__name__)

__all__ = ["digests_send_due"]


@transaction.atomic
def _digest(recipient: str, ids: list[int], cutoff: datetime, now: datetime) -> bool:
    held = list(
        OutboxMessage.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, status=OutboxStatus.HELD)
        .select_related("case", "case__announcement", "case__announcement__advisory", "contact")
        .order_by("created_at", "pk")
    )
    if not held:
        return False
    first = held[0]
    zone = first.contact.time_zone if first.contact else str(settings.TIME_ZONE)
    subject, text, html = render_mail(
        "digest",
        {"messages": held, "cases": [m.case for m in held if m.case], "day": cutoff},
        language=first.language,
        time_zone=zone,
    )
    digest, _created = outbox_message_queue(
        key=f"digest:{cutoff.date().isoformat()}:{recipient}:{first.pk}",
        channel=OutboxChannel.EMAIL,
        kind="digest",
        recipient=recipient,
        language=first.language,
        now=now,
        customer=first.customer,
        contact=first.contact,
        subject=subject,
        body_text=text,
        body_html=html,
    )
    OutboxMessage.objects.filter(pk__in=[m.pk for m in held]).update(
        status=OutboxStatus.DIGESTED, digest=digest, sent_at=now
    )
    return True


def digests_send_due(*, now: datetime | None = None) -> int:
    """Periodic (hourly): one digest per recipient of what was held before today's cutoff."""
    now = now_or(now)
    cutoff = digest_cutoff(
        now, hour=flow_settings_get().digest_hour, time_zone=str(settings.TIME_ZONE)
    )
    grouped: dict[str, list[int]] = defaultdict(list)
    for pk, recipient in OutboxMessage.objects.filter(
        status=OutboxStatus.HELD, created_at__lte=cutoff
    ).values_list("pk", "recipient"):
        grouped[recipient].append(pk)
    sent = 0
    for recipient, ids in sorted(grouped.items()):
        try:
            sent += _digest(recipient, ids, cutoff, now)
        except Exception:
            logger.exception("digest to %s failed", recipient)
    return sent
