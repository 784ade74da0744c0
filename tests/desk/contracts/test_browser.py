"""S1 end to end in a real chromium: a customer applies for two servers in Japanese, an
operator accepts them, the customer sees the start date and what is covered."""

from __future__ import annotations

import pytest
from pytest_django.live_server_helper import LiveServer

from patchdesk.desk.contracts.models import Contract
from patchdesk_testing.accounts import PASSWORD
from patchdesk_testing.browser import chromium
from patchdesk_testing.contracts import Clock, Fleet, user_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_s1_apply_in_japanese_and_see_the_start_date(
    live_server: LiveServer, fleet: Fleet, clock: Clock
) -> None:
    operator = user_make("ops-tanaka")
    clock.set(2027, 1, 8, 11, 0)  # Friday; Monday the 11th is Coming of Age Day
    with chromium() as browser:
        customer = browser.new_context(locale="ja-JP").new_page()
        customer.goto(f"{live_server.url}/accounts/login/")
        customer.fill("input[name=username]", fleet.sakura_admin.username)
        customer.fill("input[name=password]", PASSWORD)
        customer.click("button[type=submit].primary")
        customer.wait_for_url(f"{live_server.url}/portal/")

        customer.click("nav.main-nav >> text=サーバーと契約")
        customer.click("text=サービスの申し込み")
        assert customer.locator("h1").inner_text() == "サービスの申し込み"
        unavailable = customer.locator("ul.unavailable li[data-server=legacy1]").inner_text()
        assert "2024年6月30日" in unavailable
        assert customer.locator(f"input[name=servers][value='{fleet.legacy1.pk}']").count() == 0
        customer.check(f"input[name=servers][value='{fleet.web1.pk}']")
        customer.check(f"input[name=servers][value='{fleet.db1.pk}']")
        customer.check("input[name=plan][value=security_update]")
        customer.check("input[name=accept_documents]")
        customer.click("button[type=submit].primary")
        customer.wait_for_url(f"{live_server.url}/portal/contracts/")
        assert (
            "db1, web1 のお申し込みを受け付けました。" in customer.locator(".messages").inner_text()
        )
        assert customer.locator("tr[data-server=web1] [data-state]").inner_text() == "申込済み"

        clock.set(2027, 1, 8, 15, 0)
        console = browser.new_context(locale="ja-JP").new_page()
        console.goto(f"{live_server.url}/accounts/login/")
        console.fill("input[name=username]", operator.username)
        console.fill("input[name=password]", PASSWORD)
        console.click("button[type=submit].primary")
        console.wait_for_url(f"{live_server.url}/console/")
        console.goto(f"{live_server.url}/console/contracts/applications/")
        # (the ORM is not used inside Playwright's event loop: the rows come from the page)
        row_ids = console.locator("#applications tr[id^=application-]").evaluate_all(
            "rows => rows.map(row => row.id)"
        )
        assert len(row_ids) == 2
        for row_id in row_ids:
            row = console.locator(f"#{row_id}")
            row.locator("button.primary").click()  # HTMX swaps the row in place
            row.locator(".badge.ok").wait_for()
            assert "2027年1月12日" in row.inner_text()

        customer.reload()
        for server in ("web1", "db1"):
            row = customer.locator(f"tr[data-server={server}]")
            assert row.locator("td.start-date").inner_text() == "2027年1月12日"
            assert row.locator("[data-state]").inner_text() == "受付済み"
            assert (
                row.locator("td.coverage").inner_text()
                == "2027年1月12日 以降に確認された脆弱性のみが対象です。"
            )
    assert set(Contract.objects.values_list("state", flat=True)) == {"accepted"}
