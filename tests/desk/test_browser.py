"""End to end in a real chromium: log in, switch language, reach the right area."""

from __future__ import annotations

import pytest
from pytest_django.live_server_helper import LiveServer

from patchdesk_testing.accounts import PASSWORD, customer_user_make, operator_make
from patchdesk_testing.browser import chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_logs_in_in_japanese_and_switches_to_english(live_server: LiveServer) -> None:
    operator = operator_make()
    with chromium() as browser:
        page = browser.new_context(locale="ja-JP").new_page()
        page.goto(f"{live_server.url}/")
        assert page.locator("h1").inner_text() == "ログイン"
        page.fill("input[name=username]", operator.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{live_server.url}/console/")
        assert page.locator("h1").inner_text() == "コンソール"
        assert page.locator("html").get_attribute("lang") == "ja"

        with page.expect_navigation():
            page.select_option("#language-select", "en")
        assert page.locator("h1").inner_text() == "Console"
        page.reload()
        assert page.locator("h1").inner_text() == "Console", "the choice is kept"


def test_customer_lands_in_the_portal_in_english(live_server: LiveServer) -> None:
    customer = customer_user_make()
    with chromium() as browser:
        page = browser.new_context(locale="en-US").new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", customer.username)
        page.fill("input[name=password]", "wrong password")
        page.click("button[type=submit].primary")
        assert "Please enter a correct username and password" in page.content()
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{live_server.url}/portal/")
        assert page.locator("h1").inner_text() == f"Welcome, {customer.username}"
        response = page.goto(f"{live_server.url}/console/")
        assert response is not None
        assert response.status == 403
