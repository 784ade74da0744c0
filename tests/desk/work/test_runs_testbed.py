"""Real hosts, through the desk: real bookworm-security updates announced, requested by the
customer, scheduled and applied by the remediation engine to two testbed hosts at once; the
desk's own rescan shows exactly the requested findings fixed. A wrong password on file is
refused with nothing run on the host and pauses the service (R14).

Advisories come from the mirror the hosts are configured with (changelog mode); their CVEs are
given test facts (CWE-787 over the network) so the policy makes them High. Expectations about
the hosts come from the hosts themselves, through the OpenSSH client.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from django.utils import translation

from patchdesk.desk.cases.models import (
    CaseItem,
    OutboxMessage,
    ServerServiceState,
)
from patchdesk.desk.cases.services import (
    server_passphrase_update,
)
from patchdesk.desk.findings.models import Finding, FindingState
from patchdesk.desk.fleet.mappers import inventory_from_scan
from patchdesk.desk.fleet.models import AuthMethod, ElevationChoice
from patchdesk.desk.fleet.services import credential_set
from patchdesk.desk.work.reasons import reason_text
from patchdesk.desk.work.remediation import work_runs_execute
from patchdesk.desk.work.selectors import work_run_record
from patchdesk.desk.work.services import work_order_schedule, work_run_request
from patchdesk_testing.contracts import (
    jst,
)
from patchdesk_testing.security import (
    debian_advisory,
)
from patchdesk_testing.testbed import remediation, scenarios
from patchdesk_testing.testbed.hosts import TestbedHost
from patchdesk_testing.testbed.oracles import dpkg_state, mirror_advisories, pending_security
from patchdesk_testing.testbed.testbed import Testbed
from patchdesk_testing.work_world import (
    LiveClock,
    advisories_high,
    contracted_world,
    independent_sources,
    open_findings,
    requested_orders,
)

pytestmark = [pytest.mark.testbed, pytest.mark.django_db]

HostFactory = Callable[..., TestbedHost]
PASSPHRASE = "tls-pass-for-the-desk-test"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> LiveClock:
    return LiveClock(monkeypatch)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_requested_real_updates_are_applied_to_two_hosts_at_once_through_the_desk(
    testbed: Testbed, testbed_host_factory: HostFactory, clock: LiveClock
) -> None:
    h1, h2 = testbed_host_factory(apt_update=True), testbed_host_factory(apt_update=True)
    operator, _, admin, servers = contracted_world(clock, [(h1, "deploy"), (h2, "alice")], testbed)
    inventory = inventory_from_scan(servers[0].scans.latest("pk"))
    assert inventory is not None
    advisories = mirror_advisories(h1, inventory)
    sources = independent_sources(h1, advisories, 2)
    chosen = [a for a in advisories if a.cve_ids and {p.package for p in a.affected} & set(sources)]
    advisories_high(clock, chosen)
    chosen_ids = {a.id for a in chosen}
    open_before = [open_findings(server) for server in servers]
    requested = [
        {key for key in found if key[0] in chosen_ids} for found in open_before
    ]  # the two hosts are built alike: both have every chosen finding
    assert requested[0] == requested[1]
    assert requested[0], "the chosen advisories match installed packages"
    expected = [
        pending_security(host, *sorted({package for _, package in requested[0]}))
        for host in (h1, h2)
    ]
    before = [dpkg_state(h1), dpkg_state(h2)]

    orders = requested_orders(clock, operator, admin, servers, chosen_ids)
    runs = [work_run_request(order, actor=operator, enqueue=False) for order in orders]
    work_runs_execute(concurrency=2)

    hosts = (h1, h2)
    for index, (host, server, run, order) in enumerate(
        zip(hosts, servers, runs, orders, strict=True)
    ):
        run.refresh_from_db()
        order.refresh_from_db()
        assert (run.status, run.reason_code) == ("done", ""), run.issues
        assert run.phase == "finished"
        assert run.steps_done > 0
        assert order.status == "done"
        assert set(order.items.values_list("state", flat=True)) == {"done"}
        # nothing else changed on the host: exactly apt's own candidates for the request
        after = dpkg_state(host)
        keys = before[index].keys() | after.keys()
        changed = {
            key[0]: after.get(key) for key in keys if before[index].get(key) != after.get(key)
        }
        assert changed == expected[index]
        assert {c["name"]: c["after"] for c in run.summary["changes"]} == expected[index]
        # the desk's own rescan: exactly the requested findings fixed, the others still open
        assert server.scans.filter(trigger="work", status="succeeded").count() == 1
        assert open_findings(server) == open_before[index] - requested[index]
        fixed = Finding.objects.filter(server=server, state=FindingState.FIXED)
        assert set(fixed.values_list("advisory__advisory_id", "package")) == requested[index]
        record = work_run_record(run)
        assert record is not None
        assert record["result"]["steps"]
        assert testbed.account is not None
        assert testbed.account.alice_password not in str(record)
    # one "work done, please verify" notice per case (advisory) and server's order
    done = OutboxMessage.objects.filter(kind="work_done")
    notices = Counter(done.values_list("case__announcement__advisory__advisory_id", flat=True))
    assert notices == dict.fromkeys(chosen_ids, len(servers))


def test_a_wrong_password_on_file_is_refused_and_pauses_the_service(
    testbed: Testbed, clock: LiveClock
) -> None:
    host = testbed.hosts[0]
    operator, _, admin, (server,) = contracted_world(clock, [(host, "alice")], testbed)
    # a fix the mirror does not have: the work must stop at the login, before any command
    advisories_high(clock, [debian_advisory("DSA-9901-1", "openssl", "99.0-1", "CVE-2027-9901")])
    (order,) = requested_orders(clock, operator, admin, [server], {"DSA-9901-1"})
    before = dpkg_state(host)
    credential_set(
        server,
        username="alice",
        auth_method=AuthMethod.PASSWORD,
        secret="not-the-password",
        elevation=ElevationChoice.SUDO_PASSWORD,
        sudo_password="not-the-password",
        actor=operator,
    )
    run = work_run_request(order, actor=operator, enqueue=False)
    work_runs_execute()
    run.refresh_from_db()
    order.refresh_from_db()
    assert (run.status, run.reason_code) == ("refused", "auth_rejected")
    assert run.summary["steps"] == 0
    assert (order.status, order.items.get().state) == ("failed", "failed")
    assert ServerServiceState.objects.get(server=server).is_paused
    assert OutboxMessage.objects.filter(kind="paused").exists()
    assert dpkg_state(host) == before
    assert "not-the-password" not in str(work_run_record(run)) + str(run.issues)


def test_apache_needing_a_passphrase_waits_for_the_customer_then_is_updated(
    testbed: Testbed, testbed_host_factory: HostFactory, clock: LiveClock
) -> None:
    """R13: Apache's key is encrypted and it loads libssl3, which has a pending fix. Without a
    passphrase on file the run stops before any change and asks the customer; once the
    customer registers it in the portal, the rescheduled run updates and restarts Apache."""
    host = testbed_host_factory(apt_update=True)
    scenarios.add_apache_encrypted_key(host, passphrase=PASSPHRASE.encode())
    remediation.start_apache_with_passphrase(host, PASSPHRASE.encode())
    operator, _, admin, (server,) = contracted_world(clock, [(host, "alice")], testbed)
    inventory = inventory_from_scan(server.scans.latest("pk"))
    assert inventory is not None
    assert [t.service for t in inventory.tls if t.needs_passphrase] == ["apache2"]
    openssl = [a for a in mirror_advisories(host, inventory) if a.cve_ids and any(
        p.package == "openssl" for p in a.affected)]  # fmt: skip
    assert openssl, "bookworm-security has openssl fixes newer than the rootfs"
    advisories_high(clock, openssl)
    (order,) = requested_orders(clock, operator, admin, [server], {a.id for a in openssl})
    before, master = dpkg_state(host), host.ssh("pgrep -o -x apache2").stdout

    first = work_run_request(order, actor=operator, enqueue=False)
    work_runs_execute()
    first.refresh_from_db()
    order.refresh_from_db()
    assert (first.status, first.reason_code) == ("refused", "tls_passphrase_missing")
    assert order.status == "failed"
    with translation.override("ja"):  # the customer is asked for it, in their language
        assert reason_text("tls_passphrase_missing") in order.result_notes
    assert OutboxMessage.objects.filter(kind="work_failed").exists()
    assert dpkg_state(host) == before
    assert host.ssh("pgrep -o -x apache2").stdout == master

    server_passphrase_update(server, actor=admin, service="apache2", passphrase=PASSPHRASE)
    items = list(CaseItem.objects.filter(server=server, state="failed"))
    again = work_order_schedule(items, starts_at=jst(2027, 1, 13, 14, 0), actor=operator)
    clock.set(2027, 1, 13, 14, 5)
    # the operator allows restarting Apache only (the testbed's sshd is not a service)
    second = work_run_request(again, actor=operator, restart_services=["apache2"], enqueue=False)
    work_runs_execute()
    second.refresh_from_db()
    again.refresh_from_db()
    assert (second.status, again.status) == ("done", "done"), second.issues
    assert second.summary["restarts"] == [{"service": "apache2", "outcome": "restarted"}]
    assert host.ssh("pgrep -o -x apache2").stdout not in ("", master)
    assert not Finding.objects.filter(
        server=server, state=FindingState.OPEN, advisory__advisory_id__in=[a.id for a in openssl]
    ).exists()
    assert PASSPHRASE not in str(work_run_record(second))
