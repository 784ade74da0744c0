"""Webhooks (Slack-compatible and generic JSON) to a local HTTP server through the outbox,
with retries; the daily digest for contacts who chose it."""

from __future__ import annotations

import pytest

from patchdesk.desk.cases.choices import OutboxStatus, WebhookKind
from patchdesk.desk.cases.digest import digests_send_due
from patchdesk.desk.cases.errors import CaseError
from patchdesk.desk.cases.models import OutboxMessage
from patchdesk.desk.cases.services import (
    contact_digest_set,
    webhook_add,
)
from patchdesk.desk.core.errors import PermissionDeniedError
from patchdesk_testing.contracts import Clock
from patchdesk_testing.service_flow import (
    HIGH_ADVISORY,
    MEDIUM_ADVISORY,
    FlowWorld,
    announce,
    deliver,
    parts,
    smtp_server,
    webhook_server,
)

pytestmark = pytest.mark.django_db


def _confirm(flow: FlowWorld, advisory_id: str) -> None:
    announce(flow, advisory_id, default_policy=True)


def test_slack_and_json_webhooks_get_the_announcement(flow: FlowWorld) -> None:
    with webhook_server() as hooks:
        webhook_add(
            flow.fleet.sakura, kind=WebhookKind.SLACK, url=f"{hooks.url}/slack", actor=flow.operator
        )
        webhook_add(
            flow.fleet.sakura, kind=WebhookKind.JSON, url=f"{hooks.url}/json", actor=flow.operator
        )
        _confirm(flow, MEDIUM_ADVISORY)
        deliver()
        bodies = dict(hooks.bodies)
        assert set(bodies) == {"/slack", "/json"}
        assert list(bodies["/slack"]) == ["text"]
        assert "DSA-9002-1" in bodies["/slack"]["text"]
        assert "影響のあるサーバー: web1" in bodies["/slack"]["text"]  # Sakura reads Japanese
        event = bodies["/json"]
        assert (event["event"], event["customer"], event["level"]) == (
            "announcement",
            "sakura-web",
            "medium",
        )
        assert (event["servers"], event["affected"], event["cves"]) == (
            ["web1"],
            ["web1"],
            ["CVE-2027-1002"],
        )
        assert event["request_deadline"] == "2027-01-21T18:00:00+09:00"


def test_a_failing_webhook_is_retried_until_it_answers(flow: FlowWorld, clock: Clock) -> None:
    with webhook_server() as hooks:
        webhook_add(flow.momiji, kind=WebhookKind.JSON, url=hooks.url, actor=flow.operator)
        hooks.status[0] = 500
        _confirm(flow, HIGH_ADVISORY)
        deliver()
        message = OutboxMessage.objects.get(channel="json")
        assert (message.status, message.attempts) == (OutboxStatus.QUEUED, 1)
        assert "500" in message.last_error
        hooks.status[0] = 204
        assert message.next_attempt_at is not None
        clock.now = message.next_attempt_at
        deliver()
        message.refresh_from_db()
        assert (message.status, message.attempts) == (OutboxStatus.SENT, 2)
        assert len(hooks.bodies) == 2  # the failed attempt and the good one


def test_webhooks_are_set_by_operators_with_a_web_url(flow: FlowWorld) -> None:
    with pytest.raises(PermissionDeniedError):
        webhook_add(
            flow.fleet.sakura,
            kind=WebhookKind.JSON,
            url="https://x.example/",
            actor=flow.fleet.sakura_admin,
        )
    with pytest.raises(CaseError, match="http"):
        webhook_add(
            flow.fleet.sakura, kind=WebhookKind.JSON, url="file:///etc/passwd", actor=flow.operator
        )


def test_daily_digest_holds_what_needs_no_action(flow: FlowWorld, clock: Clock) -> None:
    """Momiji's contact chose the digest: the Medium announcement (mail1 not affected) waits
    for the 09:00 digest; Sakura's (web1 affected) is sent at once whatever the choice."""
    contact_digest_set(flow.momiji_contact, wants_digest=True, actor=flow.operator)
    contact_digest_set(flow.sakura_contact, wants_digest=True, actor=flow.operator)
    with smtp_server() as smtp, smtp.settings():
        _confirm(flow, MEDIUM_ADVISORY)
        assert deliver() == 1
        assert [str(m["To"]) for m in smtp.messages] == ["sato@sakura-web.example"]
        held = OutboxMessage.objects.get(recipient="mia@momiji.example")
        assert held.status == OutboxStatus.HELD
        assert digests_send_due() == 0  # before the next 09:00 nothing is sent
        clock.set(2027, 1, 15, 9, 0)
        assert digests_send_due() == 1
        assert digests_send_due() == 0  # one digest per day
        deliver()
        (digest,) = [m for m in smtp.messages if str(m["To"]) == "mia@momiji.example"]
        assert "Daily digest: 1 announcement" in str(digest["Subject"])
        text, html = parts(digest)
        assert "DSA-9002-1" in text
        assert "DSA-9002-1" in html
    held.refresh_from_db()
    assert held.status == OutboxStatus.DIGESTED
