"""The outbox: every notice is a row first (in the transaction of the change), then a job
delivers it. Idempotent by key; failures are retried with back-off and stay visible.

Delivery is at least once: a row is claimed (``sending``) before the attempt; a worker that
dies mid-send leaves the claim to expire and the row is tried again. Mails carry a Message-ID
derived from the key, so a rare duplicate is recognisable as the same message.
"""

from __future__ import annotations

import hashlib
import json
import logging
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.accounts.models import User
from patchdesk.desk.cases.choices import OutboxChannel, OutboxStatus
from patchdesk.desk.cases.common import now_or
from patchdesk.desk.cases.models import OutboxMessage
from patchdesk.desk.core.errors import PatchdeskError
from patchdesk.desk.core.services import audit_record
from patchdesk.engine.workflow.delivery import retry_at

logger = logging.getLogger(__name__)

__all__ = [
    "CLAIM_TIMEOUT",
    "WEBHOOK_TIMEOUT_S",
    "OutboxNotFailedError",
    "outbox_kick_on_commit",
    "outbox_message_queue",
    "outbox_retry",
    "outbox_send_due",
]

CLAIM_TIMEOUT = timedelta(minutes=10)
WEBHOOK_TIMEOUT_S = 10
MAX_ERROR = 2000


class OutboxNotFailedError(PatchdeskError):
    code = "outbox_not_failed"
    message_format = _("Only a failed or waiting message can be retried.")


def outbox_message_queue(
    *,
    key: str,
    channel: OutboxChannel,
    kind: str,
    recipient: str,
    language: str,
    hold: bool = False,
    now: datetime | None = None,
    **fields: Any,
) -> tuple[OutboxMessage, bool]:
    """Record a notice once per ``key``; the second call returns the first row (created=False).

    ``hold`` keeps it for the daily digest instead of sending it at once.
    """
    now = now_or(now)
    message, created = OutboxMessage.objects.get_or_create(
        key=key[:200],
        defaults={
            "channel": channel,
            "kind": kind,
            "recipient": recipient,
            "language": language,
            "status": OutboxStatus.HELD if hold else OutboxStatus.QUEUED,
            "next_attempt_at": None if hold else now,
            "created_at": now,
            **fields,
        },
    )
    if created and not hold:
        outbox_kick_on_commit()
    return message, created


def _kick() -> None:
    from patchdesk.desk.cases.tasks import outbox_send

    try:
        outbox_send.enqueue()
    except Exception:  # the periodic job sends it anyway
        logger.exception("could not enqueue the outbox job; the periodic run will send")


def outbox_kick_on_commit() -> None:
    """Start the sending job once the transaction commits (once per transaction)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        if any(entry[1] is _kick for entry in connection.run_on_commit):
            return
        transaction.on_commit(_kick)
    else:
        _kick()


def _due(now: datetime) -> list[tuple[int, str, datetime | None]]:
    condition = Q(status=OutboxStatus.QUEUED, next_attempt_at__lte=now) | Q(
        status=OutboxStatus.SENDING, next_attempt_at__lte=now
    )
    return list(
        OutboxMessage.objects.filter(condition)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", "status", "next_attempt_at")[:500]
    )


def outbox_send_due(*, now: datetime | None = None) -> int:
    """Deliver every due message (claimed one by one, so parallel jobs never both send one);
    the number sent."""
    now = now_or(now)
    sent = 0
    for pk, status, next_attempt_at in _due(now):
        claimed = OutboxMessage.objects.filter(
            pk=pk, status=status, next_attempt_at=next_attempt_at
        ).update(status=OutboxStatus.SENDING, next_attempt_at=now + CLAIM_TIMEOUT)
        if not claimed:
            continue
        message = OutboxMessage.objects.get(pk=pk)
        try:
            _deliver(message)
        except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
            _failed(message, exc, now=now)
        else:
            OutboxMessage.objects.filter(pk=pk).update(
                status=OutboxStatus.SENT,
                sent_at=now,
                attempts=message.attempts + 1,
                next_attempt_at=None,
                last_error="",
            )
            sent += 1
    return sent


def _failed(message: OutboxMessage, exc: Exception, *, now: datetime) -> None:
    attempts = message.attempts + 1
    again = retry_at(attempts, now=now)
    error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR]
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.QUEUED if again else OutboxStatus.FAILED,
        attempts=attempts,
        next_attempt_at=again,
        last_error=error,
    )
    log = logger.warning if again else logger.error
    log(
        "outbox message=%s %s to %s failed (attempt %s): %s",
        message.pk,
        message.kind,
        message.recipient,
        attempts,
        error,
    )


def message_id_for(key: str) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return make_msgid(idstring=digest, domain="patchdesk.invalid")


def _deliver(message: OutboxMessage) -> None:
    if message.channel == OutboxChannel.EMAIL:
        mail = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers={"Message-ID": message_id_for(message.key)},
        )
        if message.body_html:
            mail.attach_alternative(message.body_html, "text/html")
        mail.send(fail_silently=False)
        return
    _post(message.recipient, message.payload)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a webhook that redirects is an error, not followed


def _post(url: str, payload: dict[str, Any]) -> None:
    if not url.startswith(("http://", "https://")):
        raise ValueError("a webhook URL must be http:// or https://")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "patchdesk"},
        method="POST",
    )
    opener = urllib.request.build_opener(_NoRedirect)
    with opener.open(request, timeout=WEBHOOK_TIMEOUT_S) as response:
        status = response.status
    if not 200 <= status < 300:
        raise urllib.error.HTTPError(url, status, f"HTTP {status}", None, None)  # type: ignore[arg-type]


@transaction.atomic
def outbox_retry(message: OutboxMessage, *, actor: User, now: datetime | None = None) -> None:
    """An operator sends a failed (or waiting) message again now; audited."""
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.status not in {OutboxStatus.FAILED, OutboxStatus.QUEUED}:
        raise OutboxNotFailedError
    before = message.status
    message.status, message.next_attempt_at = OutboxStatus.QUEUED, now_or(now)
    message.retried_by = actor
    message.save(update_fields=["status", "next_attempt_at", "retried_by"])
    audit_record(
        actor=actor,
        action="outbox.retry",
        obj=message,
        changes={"status": [before, OutboxStatus.QUEUED], "attempts": message.attempts},
    )
    outbox_kick_on_commit()
