"""The whole flow with a real SMTP server (aiosmtpd): announcement, request, schedule,
reminder, result and verification, each mail checked in Japanese and English (subject, text
and HTML parts, disclaimers, affected servers); resends never duplicate; SMTP failures are
retried with back-off, visible to operators, and never lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings

from patchdesk.desk.cases.choices import OutboxStatus
from patchdesk.desk.cases.models import Announcement, CaseEvent, OutboxMessage
from patchdesk.desk.cases.outbox import outbox_retry
from patchdesk.desk.cases.services import (
    RequestChoice,
    announcement_confirm,
    announcement_resend,
    announcements_discover,
    case_request,
    case_verify,
)
from patchdesk.desk.work.selectors import window_offers
from patchdesk.desk.work.services import (
    work_order_result_record,
    work_order_schedule,
    work_reminders_send,
)
from patchdesk.engine.workflow.delivery import RETRY_DELAYS_S
from patchdesk_testing.contracts import Clock, client_for, page
from patchdesk_testing.service_flow import (
    HIGH_ADVISORY,
    MEDIUM_ADVISORY,
    SPEC_DISCLAIMER_EN,
    SPEC_DISCLAIMER_JA,
    FlowWorld,
    deliver,
    free_port,
    parts,
    smtp_server,
)

pytestmark = pytest.mark.django_db

SAKURA, MOMIJI, KAEDE = "sato@sakura-web.example", "mia@momiji.example", "ken@kaede.example"


def subject(message: object) -> str:
    return str(message["Subject"]).strip()  # type: ignore[index]


def _confirm(flow: FlowWorld, advisory_id: str) -> Announcement:
    announcements_discover()
    announcement = flow.announcement(advisory_id)
    return announcement_confirm(
        announcement,
        actor=flow.operator,
        response_policy_ja=announcement.response_policy_ja,
        response_policy_en=announcement.response_policy_en,
    )


def test_medium_announcement_mails_in_japanese_and_english(flow: FlowWorld) -> None:
    with smtp_server() as smtp, smtp.settings():
        announcement = _confirm(flow, MEDIUM_ADVISORY)
        assert deliver() == 2
        (sakura,) = smtp.to(SAKURA)
        (momiji,) = smtp.to(MOMIJI)
        assert smtp.to(KAEDE) == []  # Medium is not covered by Kaede's Standard plan (S2)

        assert subject(sakura) == (
            "【セキュリティアナウンス】DSA-9002-1(レベル 中)Debian 12: "
            "作業依頼のご回答をお願いします"
        )
        text, html = parts(sakura)
        assert "web1: 影響あり" in text
        assert 'data-server="web1" data-affected="yes"' in html
        assert "2027年1月21日18:00" in text  # the deadline in the contact's zone
        assert "openssl 3.0.13-1~deb12u1" in text
        assert "CVE-2027-1002" in text
        assert "対応方針" in text
        assert "セキュリティアップデートサービス" in text
        for body in (text, html):
            assert SPEC_DISCLAIMER_JA in body
            assert "OS ベンダより提供されるアップデートパッケージは" in body
        case = flow.case(MEDIUM_ADVISORY, flow.fleet.sakura)
        assert f"https://desk.provider.example/portal/cases/{case.pk}/" in text

        assert subject(momiji) == (
            "[Security announcement] DSA-9002-1 (Medium) for Debian 12: no action needed"
        )
        text, html = parts(momiji)
        assert "mail1: not affected (the package is not installed)" in text
        assert "None of your servers needs this countermeasure" in text
        assert "affected" not in text.replace("not affected", "")  # no server listed as affected
        assert SPEC_DISCLAIMER_EN in text
        assert SPEC_DISCLAIMER_EN in html
        assert 'data-affected="yes"' not in html

        announcement_resend(announcement, actor=flow.operator)  # a resend never duplicates
        assert deliver() == 0
        assert len(smtp.messages) == 2
        assert sakura["Message-ID"] != momiji["Message-ID"]


def test_high_announcement_in_english_asks_kaede_for_a_request(flow: FlowWorld) -> None:
    with smtp_server() as smtp, smtp.settings():
        _confirm(flow, HIGH_ADVISORY)
        deliver()
        (kaede,) = smtp.to(KAEDE)
        assert subject(kaede) == (
            "[Security announcement] DSA-9001-1 (High) for Debian 12: your request is needed"
        )
        text, _html = parts(kaede)
        assert "app1: affected" in text
        assert "by Jan. 21, 2027, 6 p.m. (Asia/Tokyo)" in text
        assert {str(m["To"]) for m in smtp.messages} == {SAKURA, MOMIJI, KAEDE}


def test_request_schedule_reminder_result_and_verification_by_mail(
    flow: FlowWorld, clock: Clock
) -> None:
    with smtp_server() as smtp, smtp.settings():
        _confirm(flow, MEDIUM_ADVISORY)
        deliver()
        case = flow.case(MEDIUM_ADVISORY, flow.fleet.sakura)
        (item,) = case_request(
            case,
            servers=[flow.web1],
            actor=flow.fleet.sakura_admin,
            choice=RequestChoice(accept_disclaimers=True, submission_key="k1"),
        )
        deliver()
        (received,) = [m for m in smtp.to(SAKURA) if "作業依頼を承りました" in subject(m)]
        text, html = parts(received)
        assert "web1: 営業時間内、最も早い作業時間" in text
        assert "バージョン 1.0" in text
        assert SPEC_DISCLAIMER_JA in html
        (ops,) = smtp.to("ops-tanaka@provider.example")
        assert "Sakura Web K.K." in subject(ops)

        monday = next(w for w in window_offers() if w.starts_at.day == 18)
        order = work_order_schedule([item], starts_at=monday.starts_at, actor=flow.operator)
        deliver()
        (scheduled,) = [m for m in smtp.to(SAKURA) if "作業予定" in subject(m)]
        assert "2027年1月18日10:00" in parts(scheduled)[0]

        clock.set(2027, 1, 15, 10, 0)  # the business day before
        assert work_reminders_send() == 1
        assert work_reminders_send() == 0  # once
        deliver()
        (reminder,) = [m for m in smtp.to(SAKURA) if "次の営業日" in subject(m)]
        assert "web1" in parts(reminder)[0]

        clock.set(2027, 1, 18, 11, 30)
        work_order_result_record(
            order, outcome="done", notes="openssl updated; apache2 restarted.", actor=flow.operator
        )
        deliver()
        (done,) = [m for m in smtp.to(SAKURA) if "動作確認" in subject(m)]
        text, html = parts(done)
        assert "openssl updated; apache2 restarted." in text
        assert "2027年1月21日18:00" in text  # three business days to verify
        assert SPEC_DISCLAIMER_JA in text
        assert SPEC_DISCLAIMER_JA in html

        case_verify(case, actor=flow.fleet.sakura_admin)
        case.refresh_from_db()
        assert case.is_closed
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == [
        "announced",
        "requested",
        "scheduled",
        "reminder",
        "work_started",
        "work_done",
        "verified",
    ]


def test_smtp_failures_are_retried_visible_and_never_lost(flow: FlowWorld, clock: Clock) -> None:
    closed_port = free_port()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=closed_port,
        EMAIL_TIMEOUT=5,
    ):
        _confirm(flow, MEDIUM_ADVISORY)
        assert deliver() == 0
        message = OutboxMessage.objects.get(recipient=SAKURA)
        assert (message.status, message.attempts) == (OutboxStatus.QUEUED, 1)
        assert (
            "Connection refused" in message.last_error or "ConnectionRefused" in message.last_error
        )
        assert message.next_attempt_at == clock.now + timedelta(seconds=RETRY_DELAYS_S[0])
        assert deliver() == 0  # not due yet: nothing is attempted
        assert OutboxMessage.objects.get(pk=message.pk).attempts == 1
        for _ in RETRY_DELAYS_S:
            clock.now = OutboxMessage.objects.get(pk=message.pk).next_attempt_at  # type: ignore[assignment]
            deliver()
        message.refresh_from_db()
        assert (message.status, message.attempts, message.next_attempt_at) == (
            OutboxStatus.FAILED,
            len(RETRY_DELAYS_S) + 1,
            None,
        )
    console = page(client_for(flow.operator, language="en").get("/console/cases/outbox/"))
    assert f'data-message="{message.pk}"' in console
    review = page(client_for(flow.operator, language="en").get("/console/review/"))
    assert "2 notices not delivered" in review  # every console page of the flow says so
    assert "Connection refused" in console or "ConnectionRefused" in console
    with smtp_server() as smtp, smtp.settings():
        outbox_retry(message, actor=flow.operator)
        assert deliver() == 1  # only the one retried: Momiji's stays failed and visible
        assert len(smtp.to(SAKURA)) == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert OutboxMessage.objects.get(recipient=MOMIJI).status == OutboxStatus.FAILED
