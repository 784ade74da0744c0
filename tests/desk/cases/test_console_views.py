"""The operators' pages: the review queue (confirm with edited policy, dismiss, look now,
list by hand), a case (request on behalf, schedule, quote, resolve, notes), settings,
notification channels and the outbox's retry."""

from __future__ import annotations

import pytest

from patchdesk.desk.cases.models import (
    Announcement,
    CaseItem,
    ContactPreference,
    CustomerWebhook,
    FlowSettings,
    OutboxMessage,
)
from patchdesk.desk.cases.services import announcements_discover
from patchdesk.desk.work.models import WorkOrder
from patchdesk.desk.work.selectors import window_offers
from patchdesk_testing.contracts import client_for, page
from patchdesk_testing.service_flow import HIGH_ADVISORY, MEDIUM_ADVISORY, FlowWorld

pytestmark = pytest.mark.django_db


def test_review_queue_confirms_with_the_edited_policy(flow: FlowWorld) -> None:
    client = client_for(flow.operator, language="en")
    response = client.post("/console/review/", {"action": "discover"}, follow=True)
    assert "2 new announcements listed." in page(response)
    body = page(client.get("/console/review/"))
    medium = flow.announcement(MEDIUM_ADVISORY)
    assert f'id="announcement-{medium.pk}"' in body
    assert "Confirm and announce" in body
    prefix = f"a{medium.pk}"
    response = client.post(
        f"/console/review/announcements/{medium.pk}/confirm/",
        {
            f"{prefix}-response_policy_ja": "中: ご依頼に応じて対策します。",
            f"{prefix}-response_policy_en": "Medium: on request.",
        },
        follow=True,
    )
    assert "DSA-9002-1 is confirmed and announced for Debian 12." in page(response)
    medium.refresh_from_db()
    assert (medium.state, medium.confirmed_by, medium.response_policy_en) == (
        "sent",
        flow.operator,
        "Medium: on request.",
    )
    high = flow.announcement(HIGH_ADVISORY)
    client.post(f"/console/review/announcements/{high.pk}/dismiss/", {"reason": "Duplicate"})
    high.refresh_from_db()
    assert high.state == "dismissed"
    assert "Nothing to confirm." in page(client.get("/console/review/"))


def test_an_advisory_can_be_listed_by_hand(flow: FlowWorld) -> None:
    FlowSettings.objects.filter(pk=1).update(announce_from=None)  # not found by the job
    client = client_for(flow.operator, language="en")
    response = client.post(
        "/console/review/",
        {"advisory_id": "DSA-9001-1", "platform_key": "debian:12"},
        follow=True,
    )
    announcement = Announcement.objects.get()
    assert response.redirect_chain[-1][0] == f"/console/review/announcements/{announcement.pk}/"
    response = client.post(
        "/console/review/",
        {"advisory_id": "DSA-9003-1", "platform_key": "debian:12"},
        follow=True,
    )
    assert "it is not announced" in page(response)


def test_a_case_handled_from_the_console(flow: FlowWorld) -> None:
    announcements_discover()
    client = client_for(flow.operator, language="en")
    high = flow.announcement(HIGH_ADVISORY)
    client.post(
        f"/console/review/announcements/{high.pk}/confirm/",
        {
            f"a{high.pk}-response_policy_ja": high.response_policy_ja,
            f"a{high.pk}-response_policy_en": high.response_policy_en,
        },
    )
    case = flow.case(HIGH_ADVISORY, flow.fleet.kaede)
    response = client.post(
        f"/console/cases/{case.pk}/request/",
        {
            "servers": [flow.app1.pk],
            "scope": "selected",
            "window_kind": "business",
            "received_via": "Phone 2027-01-14",
            "accept_disclaimers": "on",
            "submission_key": "c1",
        },
        follow=True,
    )
    assert "Request recorded on the customer's behalf for app1." in page(response)
    item = CaseItem.objects.get(case=case)
    assert (item.state, item.is_on_behalf) == ("requested", True)
    body = page(client.get(f"/console/cases/{case.pk}/"))
    assert 'id="schedule"' in body
    assert "recorded by our operator" in body
    window = window_offers()[0]
    response = client.post(
        f"/console/cases/{case.pk}/schedule/",
        {
            "items": [item.pk],
            "window": window.starts_at.isoformat(),
            "operator": flow.operator.pk,
        },
        follow=True,
    )
    order = WorkOrder.objects.get()
    assert f"Work order {order.number} is scheduled." in page(response)
    response = client.post(
        f"/console/cases/{case.pk}/schedule/",
        {"items": [item.pk], "window": "not-a-date"},
        follow=True,
    )
    assert "Choose a window." in page(response)
    client.post(f"/console/cases/{case.pk}/message/", {"text": "Call before", "is_internal": "on"})
    assert case.events.filter(kind="note", is_internal=True).count() == 1


def test_settings_notifications_and_outbox_retry(flow: FlowWorld) -> None:
    client = client_for(flow.operator, language="en")
    form = {
        "request_days": 7,
        "verification_days": 2,
        "window_hours": 3,
        "capacity_per_window": 1,
        "offered_windows": 4,
        "digest_hour": 8,
        "operator_email": "ops@provider.example",
        "auto_confirm_high": "on",
        "announce_from": "2027-01-01T00:00",
    }
    response = client.post("/console/cases/settings/", form, follow=True)
    assert "Settings saved." in page(response)
    settings = FlowSettings.objects.get(pk=1)
    assert (settings.request_days, settings.auto_confirm_high, settings.window_hours) == (
        7,
        True,
        3,
    )
    bad = client.post("/console/cases/settings/", {**form, "digest_hour": 30})
    assert "Between 0 and 23." in page(bad)

    url = f"/console/cases/customers/{flow.fleet.sakura.pk}/notifications/"
    client.post(url, {"action": "add", "kind": "slack", "url": "https://hooks.example/T1"})
    assert CustomerWebhook.objects.filter(customer=flow.fleet.sakura).count() == 1
    client.post(url, {"action": "digest", "digest": [flow.sakura_contact.pk]})
    assert ContactPreference.objects.get(contact=flow.sakura_contact).wants_digest

    announcements_discover()  # High is announced at once now (auto-confirm)
    message = OutboxMessage.objects.filter(channel="email").first()
    assert message is not None
    message.status, message.attempts = "failed", 7
    message.save()
    response = client.post("/console/cases/outbox/", {"message": message.pk}, follow=True)
    assert "queued to be sent now" in page(response)
    message.refresh_from_db()
    assert (message.status, message.retried_by) == ("queued", flow.operator)
