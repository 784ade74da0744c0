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
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone, translation

from engine.remediate.testbed_support import (
    dpkg_state,
    mirror_advisories,
    pending_security,
)
from patchdesk.desk.accounts.models import User
from patchdesk.desk.cases.models import (
    Announcement,
    CaseItem,
    FlowSettings,
    OutboxMessage,
    ServerServiceState,
)
from patchdesk.desk.cases.services import (
    RequestChoice,
    announcement_confirm,
    announcements_discover,
    case_request,
    server_passphrase_update,
)
from patchdesk.desk.contracts.services import contract_accept, contract_apply
from patchdesk.desk.customers.models import Contact, Customer
from patchdesk.desk.findings.classification import classifications_refresh
from patchdesk.desk.findings.models import Finding, FindingState
from patchdesk.desk.findings.refresh import findings_refresh
from patchdesk.desk.fleet.mappers import inventory_from_scan
from patchdesk.desk.fleet.models import AuthMethod, ElevationChoice, Scan, Server
from patchdesk.desk.fleet.services import credential_set, scan_queue
from patchdesk.desk.fleet.tasks import scans_execute
from patchdesk.desk.work.models import WorkOrder
from patchdesk.desk.work.reasons import reason_text
from patchdesk.desk.work.remediation import work_runs_execute
from patchdesk.desk.work.selectors import work_run_record
from patchdesk.desk.work.services import work_order_schedule, work_run_request
from patchdesk.engine.model import Advisory
from patchdesk_testing.contracts import (
    customer_make,
    jst,
    provider_defaults_ensure,
    server_make,
    user_make,
)
from patchdesk_testing.security import (
    RCE_VECTOR,
    advisories_confirm,
    debian_advisory,
    fact,
    facts_import,
)
from patchdesk_testing.testbed import remediation, scenarios
from patchdesk_testing.testbed.hosts import TestbedHost
from patchdesk_testing.testbed.testbed import Testbed

pytestmark = [pytest.mark.testbed, pytest.mark.django_db]

HostFactory = Callable[..., TestbedHost]
PASSPHRASE = "tls-pass-for-the-desk-test"


class LiveClock:
    """``timezone.now`` running at real speed from a chosen moment in Tokyo (the engine
    times its commands and checks the window with the desk's clock)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = timedelta(0)
        monkeypatch.setattr(timezone, "now", lambda: datetime.now(UTC) + self.offset)

    @property
    def now(self) -> datetime:
        return timezone.now()

    def set(self, *args: int) -> None:
        self.offset = jst(*args) - datetime.now(UTC)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> LiveClock:
    return LiveClock(monkeypatch)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _server(bed: Testbed, host: TestbedHost, name: str, customer: Customer, user: str) -> Server:
    server = server_make(name, customer=customer)
    server.address = host.ip
    server.save(update_fields=["address"])
    assert bed.account is not None
    if user == "alice":
        credential_set(
            server,
            username="alice",
            auth_method=AuthMethod.PASSWORD,
            secret=bed.account.alice_password,
            elevation=ElevationChoice.SUDO_PASSWORD,
            sudo_password=bed.account.alice_password,
            actor=None,
        )
    else:
        credential_set(
            server,
            username=user,
            auth_method=AuthMethod.KEY,
            secret=bed.account.key.read_text(),
            elevation=ElevationChoice.SUDO,
            actor=None,
        )
    return server


def _scan(*servers: Server) -> list[Scan]:
    scans = scan_queue(list(servers), trigger="manual", actor=None, enqueue=False)
    done = scans_execute([scan.pk for scan in scans])
    for scan in done:
        assert scan.status == Scan.Status.SUCCEEDED, (scan.error_code, scan.error_message)
    return done


def _contracted(clock: LiveClock, hosts: list[tuple[TestbedHost, str]], bed: Testbed) -> tuple:
    """Sakura's servers on the testbed hosts, Standard contracts started on 2027-01-12,
    scanned (host keys pinned on first contact)."""
    provider_defaults_ensure()
    clock.set(2027, 1, 8, 11, 0)
    FlowSettings.objects.update_or_create(
        pk=1, defaults={"announce_from": jst(2027, 1, 1, 0, 0), "capacity_per_window": 2}
    )
    operator = user_make("ops-tanaka")
    sakura = customer_make("sakura-web", "Sakura Web")
    admin = user_make("sakura-admin", customer=sakura)
    Contact.objects.create(customer=sakura, name="佐藤 花子", email="sato@sakura.example")
    servers = [
        _server(bed, host, f"web{index}", sakura, user)
        for index, (host, user) in enumerate(hosts, start=1)
    ]
    applied = contract_apply(sakura, servers=servers, plan="standard", actor=None)
    clock.set(2027, 1, 8, 15, 0)
    for contract in applied:
        contract_accept(contract, actor=operator)
    clock.set(2027, 1, 12, 10, 0)
    _scan(*servers)
    return operator, sakura, admin, servers


def _high(clock: LiveClock, advisories: list[Advisory]) -> None:
    """Import the advisories with facts that make them High (RCE), confirmed now."""
    facts_import(
        *(
            fact(cve, "CWE-787", RCE_VECTOR)
            for cve in sorted({cve for a in advisories for cve in a.cve_ids})
        )
    )
    advisories_confirm(clock, *advisories)  # type: ignore[arg-type]
    classifications_refresh()
    findings_refresh()


def _independent_sources(host: TestbedHost, advisories: list[Advisory], count: int) -> list[str]:
    """``count`` source packages with CVE advisories whose binaries apt upgrades alone
    (apt's own dry run through OpenSSH), fewest binaries first."""
    listing = host.ssh("dpkg-query -W -f='${Package} ${source:Package}\\n'").stdout
    installed = dict(line.split() for line in listing.strip().splitlines())
    by_source: dict[str, set[str]] = {}
    for advisory in advisories:
        for affected in advisory.affected:
            binaries = {b for b, s in installed.items() if s == affected.package}
            if advisory.cve_ids and binaries:
                by_source.setdefault(affected.package, set()).update(binaries)
    chosen = []
    for source, binaries in sorted(by_source.items(), key=lambda kv: (len(kv[1]), kv[0])):
        if set(pending_security(host, *sorted(binaries))) == binaries:
            chosen.append(source)
        if len(chosen) == count:
            return chosen
    raise AssertionError(f"fewer than {count} independent pending security updates")


def _requested_orders(
    clock: LiveClock, operator: User, admin: User, servers: list[Server], advisory_ids: set[str]
) -> list[WorkOrder]:
    """Steps 1-3 (confirm, announce, the customer requests the countermeasure for all their
    servers), then one order per server in the same window, which is open when this returns."""
    clock.set(2027, 1, 13, 10, 0)
    announcements_discover()
    announcements = Announcement.objects.filter(advisory__advisory_id__in=advisory_ids)
    assert {a.level for a in announcements} == {"high"}
    assert announcements.count() == len(advisory_ids)
    for announcement in announcements:
        announcement_confirm(
            announcement, actor=operator, response_policy_ja="適用", response_policy_en="Apply"
        )
        (case,) = announcement.cases.all()
        items = case_request(
            case, servers=None, actor=admin, choice=RequestChoice(accept_disclaimers=True)
        )
        assert {item.server for item in items} == set(servers)
    orders = [
        work_order_schedule(
            list(CaseItem.objects.filter(server=server, state="requested")),
            starts_at=jst(2027, 1, 13, 11, 0),
            actor=operator,
        )
        for server in servers
    ]
    clock.set(2027, 1, 13, 11, 5)
    return orders


def _open_findings(server: Server) -> set[tuple[str, str]]:
    rows = Finding.objects.filter(server=server, state=FindingState.OPEN)
    return set(rows.values_list("advisory__advisory_id", "package"))


def test_requested_real_updates_are_applied_to_two_hosts_at_once_through_the_desk(
    testbed: Testbed, testbed_host_factory: HostFactory, clock: LiveClock
) -> None:
    h1, h2 = testbed_host_factory(apt_update=True), testbed_host_factory(apt_update=True)
    operator, _, admin, servers = _contracted(clock, [(h1, "deploy"), (h2, "alice")], testbed)
    inventory = inventory_from_scan(servers[0].scans.latest("pk"))
    assert inventory is not None
    advisories = mirror_advisories(h1, inventory)
    sources = _independent_sources(h1, advisories, 2)
    chosen = [a for a in advisories if a.cve_ids and {p.package for p in a.affected} & set(sources)]
    _high(clock, chosen)
    chosen_ids = {a.id for a in chosen}
    open_before = [_open_findings(server) for server in servers]
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

    orders = _requested_orders(clock, operator, admin, servers, chosen_ids)
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
        assert _open_findings(server) == open_before[index] - requested[index]
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
    operator, _, admin, (server,) = _contracted(clock, [(host, "alice")], testbed)
    # a fix the mirror does not have: the work must stop at the login, before any command
    _high(clock, [debian_advisory("DSA-9901-1", "openssl", "99.0-1", "CVE-2027-9901")])
    (order,) = _requested_orders(clock, operator, admin, [server], {"DSA-9901-1"})
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
    operator, _, admin, (server,) = _contracted(clock, [(host, "alice")], testbed)
    inventory = inventory_from_scan(server.scans.latest("pk"))
    assert inventory is not None
    assert [t.service for t in inventory.tls if t.needs_passphrase] == ["apache2"]
    openssl = [a for a in mirror_advisories(host, inventory) if a.cve_ids and any(
        p.package == "openssl" for p in a.affected)]  # fmt: skip
    assert openssl, "bookworm-security has openssl fixes newer than the rootfs"
    _high(clock, openssl)
    (order,) = _requested_orders(clock, operator, admin, [server], {a.id for a in openssl})
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
