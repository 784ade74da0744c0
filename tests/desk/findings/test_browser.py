"""End to end in a real chromium: an operator opens a server, sees a High finding, opens its
CVE, overrides it to Medium with a reason, and the server page shows the new level."""

from __future__ import annotations

import pytest
from pytest_django.live_server_helper import LiveServer

from patchdesk.desk.findings.models import Finding, PolicyOverride
from patchdesk_testing.accounts import PASSWORD
from patchdesk_testing.browser import chromium
from patchdesk_testing.security import CVE_RCE, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_operator_overrides_a_high_finding_to_medium(
    live_server: LiveServer, world: World
) -> None:
    operator = world.operator.username
    web1 = world.web1.pk
    with chromium() as browser:
        page = browser.new_context(locale="en-US").new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", operator)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{live_server.url}/console/")

        page.click("nav.main-nav >> text=Servers")
        page.click("#servers a:text-is('web1')")
        page.wait_for_url(f"{live_server.url}/console/servers/{web1}/")
        high = page.locator("#findings tr[data-package=libssl3][data-level=high]")
        assert high.count() == 1
        assert "High" in high.locator("td.level").inner_text()
        assert high.get_attribute("data-coverage") == "actionable"

        high.locator(f"td.cves a:text-is('{CVE_RCE}')").click()
        page.wait_for_url(f"{live_server.url}/console/vulnerabilities/{CVE_RCE}/")
        assert page.locator("#verdict .level").get_attribute("data-level") == "high"
        assert page.locator("#verdict li[data-rule=rce-memory-corruption]").count() == 1
        page.select_option("#override-form select[name=level]", "medium")
        page.fill("#override-form textarea[name=reason]", "Needs a debug build to exploit")
        page.click("#override-form button[type=submit]")
        page.locator(".messages").wait_for()
        assert (
            f"{CVE_RCE} is now Medium by your decision." in page.locator(".messages").inner_text()
        )
        assert page.locator("#verdict .level").get_attribute("data-level") == "medium"
        assert "Needs a debug build to exploit" in page.locator("#override").inner_text()

        page.click(f"#servers a[href='/console/servers/{web1}/']")
        page.wait_for_url(f"{live_server.url}/console/servers/{web1}/")
        rows = page.locator("#findings tr[data-package=libssl3]")
        levels = rows.evaluate_all("rows => rows.map(row => row.dataset.level)")
        assert levels == ["medium", "medium"]
        assert "High" not in page.locator("#findings").inner_text()
    assert PolicyOverride.objects.get(cve_id=CVE_RCE).level == "medium"
    assert set(
        Finding.objects.filter(advisory__advisory_id="DSA-9001-1").values_list("level", flat=True)
    ) == {"medium"}
