"""Table 2 end to end in a real chromium, with a real SMTP server: the operator confirms an
advisory, the customer receives the mail (read from aiosmtpd) and follows its link, requests
the countermeasure in the portal, the operator schedules it and records the result, and the
customer verifies. The ORM is never used inside Playwright's event loop: the outbox job runs
in its own thread, as a worker would."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
from pytest_django.live_server_helper import LiveServer

from patchdesk.desk.cases.models import Case, CaseEvent
from patchdesk.desk.work.models import WorkOrder
from patchdesk_testing.accounts import PASSWORD
from patchdesk_testing.browser import chromium, log_in
from patchdesk_testing.service_flow import MEDIUM_ADVISORY, FlowWorld, deliver, parts, smtp_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_worker(job: Callable[[], Any]) -> Any:
    """Run a background job in its own thread (like the worker) and wait for it."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(job()))
    thread.start()
    thread.join(timeout=60)
    return result[0]


def test_confirm_mail_request_schedule_result_and_verify(
    live_server: LiveServer, flow: FlowWorld, settings: Any
) -> None:
    settings.PATCHDESK_BASE_URL = live_server.url
    base = live_server.url
    with smtp_server() as smtp, smtp.settings(), chromium() as browser:
        console = browser.new_context(locale="en-US").new_page()
        log_in(console, base, flow.operator.username, "/console/")
        console.click("nav.main-nav >> text=Cases")
        console.click("p.subnav >> text=Review")
        console.click("button:text-is('Look for new advisories now')")
        console.locator(".messages").wait_for()
        review = console.locator(f"section[data-advisory='{MEDIUM_ADVISORY}']")
        assert review.get_attribute("data-platform") == "debian:12"
        assert "sakura-web/web1" in review.inner_text()
        review.locator("button:text-is('Confirm and announce')").click()
        console.locator(".messages").wait_for()
        assert (
            "DSA-9002-1 is confirmed and announced for Debian 12."
            in console.locator(".messages").inner_text()
        )

        assert in_worker(deliver) == 2  # Sakura (ja) and Momiji (en); not Kaede (Standard)
        (mail,) = smtp.to("sato@sakura-web.example")
        text, _html = parts(mail)
        assert "web1: 影響あり" in text
        link = re.search(rf"{re.escape(base)}/portal/cases/\d+/", text)
        assert link is not None

        customer = browser.new_context(locale="ja-JP").new_page()
        customer.goto(link.group(0))  # the mail's link: log in, then back to the case
        customer.fill("input[name=username]", flow.fleet.sakura_admin.username)
        customer.fill("input[name=password]", PASSWORD)
        customer.click("button[type=submit].primary")
        customer.wait_for_url(link.group(0))
        row = customer.locator("#items tr[data-server=web1]")
        assert row.get_attribute("data-state") == "awaiting_request"
        assert "対策作業の前までに、発生した事象については免責とさせていただきます。" in (
            customer.locator("#disclaimers").inner_text()
        )
        customer.check("input[name=window][data-window='2027-01-15 11:00']")
        customer.check("#accept-disclaimers")
        customer.click("#request-form button.primary")
        customer.locator(".messages").wait_for()
        assert "web1 の作業依頼を承りました" in customer.locator(".messages").inner_text()
        assert row.get_attribute("data-state") == "requested"

        console.click("nav.main-nav >> text=Cases")
        console.click("#cases tr[data-customer=sakura-web] a")
        schedule = console.locator("#schedule form[data-server=web1]")
        assert "The customer's preference" in schedule.locator("select[name=window]").inner_text()
        schedule.locator("button.primary").click()
        console.locator(".messages").wait_for()
        assert "is scheduled." in console.locator(".messages").inner_text()
        console.click("a[href^='/console/work/']:has-text('W-')")
        console.locator("#result").wait_for()
        console.select_option("#result select[name=outcome]", "done")
        console.fill("#result textarea[name=notes]", "openssl updated; apache2 restarted.")
        console.click("#result button.primary")
        console.locator(".messages").wait_for()
        assert console.locator("dd[data-status]").get_attribute("data-status") == "done"

        in_worker(deliver)
        subjects = [str(m["Subject"]).strip() for m in smtp.to("sato@sakura-web.example")]
        assert any("作業依頼を承りました" in s for s in subjects)
        assert any("作業予定のお知らせ" in s for s in subjects)
        assert any("作業完了: 動作確認をお願いします" in s for s in subjects)

        customer.reload()
        assert row.get_attribute("data-state") == "done"
        assert "openssl updated; apache2 restarted." in customer.locator("#orders").inner_text()
        customer.click("#verify form button.primary")
        customer.locator(".messages").wait_for()
        assert row.get_attribute("data-state") == "verified"
        assert customer.locator("[data-case-state]").get_attribute("data-case-state") == "closed"
    case = Case.objects.get(
        customer=flow.fleet.sakura, announcement__advisory__advisory_id=MEDIUM_ADVISORY
    )
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == [
        "announced",
        "requested",
        "scheduled",
        "work_started",
        "work_done",
        "verified",
    ]
    order = WorkOrder.objects.get()
    assert (order.status, order.starts_at.hour) == ("done", 2)  # 11:00 in Tokyo
