"""The work-run tests' world on real testbed hosts: a customer whose servers are testbed
hosts (key or password+sudo logins), Standard contracts started, scanned by the desk (host keys
pinned on first contact); advisories made High with test facts; requests and orders through
the real services; and a desk clock that runs at real speed from a chosen moment in Tokyo.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from patchdesk.desk.accounts.models import User
from patchdesk.desk.cases.models import Announcement, CaseItem, FlowSettings
from patchdesk.desk.cases.services import (
    RequestChoice,
    announcement_confirm,
    announcements_discover,
    case_request,
)
from patchdesk.desk.contracts.services import contract_accept, contract_apply
from patchdesk.desk.customers.models import Contact, Customer
from patchdesk.desk.findings.classification import classifications_refresh
from patchdesk.desk.findings.models import Finding, FindingState
from patchdesk.desk.findings.refresh import findings_refresh
from patchdesk.desk.fleet.models import AuthMethod, ElevationChoice, Scan, Server
from patchdesk.desk.fleet.services import credential_set, scan_queue
from patchdesk.desk.fleet.tasks import scans_execute
from patchdesk.desk.work.models import WorkOrder
from patchdesk.desk.work.services import work_order_schedule
from patchdesk.engine.model import Advisory
from patchdesk_testing.contracts import (
    customer_make,
    jst,
    provider_defaults_ensure,
    server_make,
    user_make,
)
from patchdesk_testing.security import RCE_VECTOR, advisories_confirm, fact, facts_import
from patchdesk_testing.testbed.hosts import TestbedHost
from patchdesk_testing.testbed.oracles import independent_updates
from patchdesk_testing.testbed.testbed import Testbed

__all__ = [
    "LiveClock",
    "advisories_high",
    "contracted_world",
    "desk_scan",
    "independent_sources",
    "open_findings",
    "requested_orders",
    "testbed_server",
]


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


def testbed_server(
    bed: Testbed, host: TestbedHost, name: str, customer: Customer, user: str
) -> Server:
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


def desk_scan(*servers: Server) -> list[Scan]:
    scans = scan_queue(list(servers), trigger="manual", actor=None, enqueue=False)
    done = scans_execute([scan.pk for scan in scans])
    for scan in done:
        assert scan.status == Scan.Status.SUCCEEDED, (scan.error_code, scan.error_message)
    return done


def contracted_world(
    clock: LiveClock, hosts: list[tuple[TestbedHost, str]], bed: Testbed
) -> tuple[User, Customer, User, list[Server]]:
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
        testbed_server(bed, host, f"web{index}", sakura, user)
        for index, (host, user) in enumerate(hosts, start=1)
    ]
    applied = contract_apply(sakura, servers=servers, plan="standard", actor=None)
    clock.set(2027, 1, 8, 15, 0)
    for contract in applied:
        contract_accept(contract, actor=operator)
    clock.set(2027, 1, 12, 10, 0)
    desk_scan(*servers)
    return operator, sakura, admin, servers


def advisories_high(clock: LiveClock, advisories: list[Advisory]) -> None:
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


def independent_sources(host: TestbedHost, advisories: list[Advisory], count: int) -> list[str]:
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
    return independent_updates(host, by_source, count)


def requested_orders(
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


def open_findings(server: Server) -> set[tuple[str, str]]:
    rows = Finding.objects.filter(server=server, state=FindingState.OPEN)
    return set(rows.values_list("advisory__advisory_id", "package"))
