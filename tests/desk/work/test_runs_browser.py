"""In a real chromium: the operator starts the update of a real testbed host from the work
order page, watches the run's progress (the page polls it) and, when the page reloads by itself
at the end, reads the result and the command log. The job runs in its own thread, as a worker
would (the ORM is never used inside Playwright's event loop)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from pytest_django.live_server_helper import LiveServer

from patchdesk.desk.fleet.mappers import inventory_from_scan
from patchdesk.desk.work.models import WorkRun
from patchdesk.desk.work.remediation import work_runs_execute
from patchdesk_testing.browser import chromium, log_in
from patchdesk_testing.testbed.hosts import TestbedHost
from patchdesk_testing.testbed.oracles import mirror_advisories, pending_security
from patchdesk_testing.testbed.testbed import Testbed
from patchdesk_testing.work_world import (
    LiveClock,
    advisories_high,
    contracted_world,
    independent_sources,
    requested_orders,
)

pytestmark = [pytest.mark.browser, pytest.mark.testbed, pytest.mark.django_db(transaction=True)]


def test_the_operator_runs_the_update_and_watches_it_in_the_console(
    live_server: LiveServer,
    testbed: Testbed,
    testbed_host_factory: Callable[..., TestbedHost],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = LiveClock(monkeypatch)
    host = testbed_host_factory(apt_update=True)
    operator, _, admin, (server,) = contracted_world(clock, [(host, "deploy")], testbed)
    inventory = inventory_from_scan(server.scans.latest("pk"))
    assert inventory is not None
    advisories = mirror_advisories(host, inventory)
    (source,) = independent_sources(host, advisories, 1)
    chosen = [a for a in advisories if a.cve_ids and {p.package for p in a.affected} == {source}]
    advisories_high(clock, chosen)
    (order,) = requested_orders(clock, operator, admin, [server], {a.id for a in chosen})
    binaries = sorted({p.name for p in inventory.packages if p.source_name == source})
    expected = pending_security(host, *binaries)

    base = live_server.url
    with chromium() as browser:
        page = browser.new_context(locale="en-US").new_page()
        log_in(page, base, operator.username, "/console/")
        page.goto(f"{base}/console/work/{order.pk}/")
        page.click("#run button.primary:text-is('Run the update now')")
        page.locator(".messages").wait_for()
        assert "The update is queued" in page.locator(".messages").inner_text()
        assert page.locator("#runs tr[data-run]").get_attribute("data-status") == "queued"

        worker = threading.Thread(target=work_runs_execute)
        worker.start()
        try:
            page.locator("#runs tr[data-status=running]").wait_for(timeout=60_000)
            # the page reloads itself when the run has ended
            page.locator("dd[data-status=done]").wait_for(timeout=240_000)
        finally:
            worker.join(timeout=240)
        assert page.locator("#runs tr[data-run]").get_attribute("data-status") == "done"
        assert "Run the update now" not in page.content()  # the order is done

        page.click("#runs tr[data-run] a")
        changes = page.locator("#changes tbody tr").all_inner_texts()
        assert {text.split()[0].split(":")[0] for text in changes} == set(expected)
        shown_steps = page.locator("#steps details").count()
        log = page.locator("#steps").text_content() or ""
        assert "apt-get" in log
        assert page.locator("#items tr[data-outcome=fixed]").count() >= 1
    assert shown_steps == WorkRun.objects.get().steps_done > 0  # every command is listed
