"""R13, R14 (S5): a scan whose login is rejected pauses the server's service and tells both
sides; no request or work while paused; the customer updates the credentials in the portal
(write-only), a scan checks them, and a good login resumes the service."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

import patchdesk.desk.fleet.tasks as fleet_tasks
from patchdesk.desk.cases.errors import ServicePausedError
from patchdesk.desk.cases.models import CaseEvent, OutboxMessage, ServerServiceState
from patchdesk.desk.cases.services import (
    RequestChoice,
    announcement_confirm,
    announcements_discover,
    case_request,
    server_resume,
)
from patchdesk.desk.core.models import AuditEntry
from patchdesk.desk.fleet.models import AuthMethod, ElevationChoice, Scan, TlsPassphrase
from patchdesk.desk.fleet.services import credential_set
from patchdesk.desk.work.selectors import window_offers
from patchdesk.desk.work.services import (
    work_order_result_record,
    work_order_schedule,
    work_order_start,
)
from patchdesk.engine.model.inventory import HostInventory, ScanError, ScanErrorCode
from patchdesk_testing.contracts import client_for, page
from patchdesk_testing.inventory import DEBIAN, host, pkg
from patchdesk_testing.service_flow import HIGH_ADVISORY, FlowWorld

pytestmark = pytest.mark.django_db

SECRET = "n3w-Passw0rd-for-mail1"


def _scan(flow: FlowWorld, monkeypatch: pytest.MonkeyPatch, *, rejected: bool) -> Scan:
    """A scan through the real scan job, with the SSH collection replaced by its result."""
    server = flow.mail1
    if not hasattr(server, "credential"):
        credential_set(
            server,
            username="patchdesk",
            auth_method=AuthMethod.PASSWORD,
            secret="old-password",
            elevation=ElevationChoice.SUDO,
            actor=None,
        )
    found = host(DEBIAN, pkg("postfix", "3.7.10-0+deb12u1"), target=f"ssh://{server.address}")
    if rejected:
        found = replace(
            found,
            error=ScanError(
                code=ScanErrorCode.AUTH_REJECTED, message="Permission denied (password)"
            ),
        )

    async def fake_scan_hosts(targets: Any, **kwargs: Any) -> list[HostInventory]:
        return [found for _ in targets]

    monkeypatch.setattr(fleet_tasks, "scan_hosts", fake_scan_hosts)
    scan = Scan.objects.create(server=server, trigger="test")
    fleet_tasks.scans_execute([scan.pk])
    scan.refresh_from_db()
    return scan


def test_a_rejected_login_pauses_and_tells_both_sides(
    flow: FlowWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan = _scan(flow, monkeypatch, rejected=True)
    assert scan.error_code == "auth_rejected"
    state = ServerServiceState.objects.get(server=flow.mail1)
    assert (state.is_paused, state.pause_reason) == (True, "auth_rejected")
    customer = OutboxMessage.objects.get(kind="paused", recipient="mia@momiji.example")
    assert "Server access" in customer.body_text
    assert "mail1" in customer.subject
    assert OutboxMessage.objects.filter(kind="ops_paused").count() == 1
    assert AuditEntry.objects.filter(action="server.service_pause").count() == 1
    _scan(flow, monkeypatch, rejected=True)  # still rejected: told once
    assert OutboxMessage.objects.filter(kind="paused").count() == 1

    listing = page(client_for(flow.momiji_admin, language="en").get("/portal/access/"))
    assert 'data-service="paused"' in listing
    console = page(client_for(flow.operator).get("/console/work/"))
    assert 'data-server="mail1"' in console


def test_no_request_and_no_work_while_paused(
    flow: FlowWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    announcements_discover()
    announcement = flow.announcement(HIGH_ADVISORY)
    announcement_confirm(
        announcement, actor=flow.operator, response_policy_ja="高", response_policy_en="High"
    )
    case = flow.case(HIGH_ADVISORY, flow.fleet.sakura)
    (item,) = case_request(
        case,
        servers=None,
        actor=flow.fleet.sakura_admin,
        choice=RequestChoice(accept_disclaimers=True),
    )
    order = work_order_schedule([item], starts_at=window_offers()[0].starts_at, actor=flow.operator)
    work_order_start(order, actor=flow.operator)
    work_order_result_record(
        order,
        outcome="failed",
        notes="Login refused.",
        reason_code="auth_rejected",
        actor=flow.operator,
    )
    item.refresh_from_db()
    assert item.state == "failed"
    state = ServerServiceState.objects.get(server=flow.web1)
    assert state.is_paused
    with pytest.raises(ServicePausedError):  # no work is scheduled on a paused server
        work_order_schedule([item], starts_at=window_offers()[0].starts_at, actor=flow.operator)
    assert CaseEvent.objects.filter(case=case, kind="service").count() == 1
    assert server_resume(flow.web1, actor=flow.operator, source="operator")
    work_order_schedule([item], starts_at=window_offers()[0].starts_at, actor=flow.operator)


def test_the_customer_updates_credentials_write_only_and_a_good_login_resumes(
    flow: FlowWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    _scan(flow, monkeypatch, rejected=True)
    client = client_for(flow.momiji_admin, language="en")
    url = f"/portal/access/{flow.mail1.pk}/"
    response = client.post(
        url + "credentials/",
        {
            "username": "patchdesk",
            "auth_method": "password",
            "secret": SECRET,
            "elevation": "sudo_password",  # no sudo password: the form refuses
        },
    )
    assert response.status_code == 200
    assert SECRET not in response.content.decode()  # never shown back
    response = client.post(
        url + "credentials/",
        {
            "username": "patchdesk",
            "auth_method": "password",
            "secret": SECRET,
            "elevation": "sudo",
        },
        follow=True,
    )
    body = page(response)
    assert "we check the login now" in body
    assert SECRET not in body
    assert Scan.objects.filter(server=flow.mail1, trigger="credentials").count() == 1
    assert ServerServiceState.objects.get(server=flow.mail1).is_paused  # until a login works
    assert OutboxMessage.objects.filter(kind="ops_credentials").count() == 1
    client.post(url + "passphrase/", {"service": "apache2", "passphrase": "tls-secret"})
    assert TlsPassphrase.objects.filter(server=flow.mail1, service="apache2").exists()
    assert "tls-secret" not in page(client.get(url))

    _scan(flow, monkeypatch, rejected=False)
    state = ServerServiceState.objects.get(server=flow.mail1)
    assert (state.is_paused, state.resumed_at is not None) == (False, True)
    assert OutboxMessage.objects.filter(kind="resumed").count() == 1
    assert AuditEntry.objects.filter(action="server.service_resume").count() == 1
    assert 'data-service="running"' in page(client.get("/portal/access/"))


def test_members_read_server_access_but_do_not_change_it(flow: FlowWorld) -> None:
    member = client_for(flow.fleet.sakura_member)
    url = f"/portal/access/{flow.web1.pk}/"
    assert member.get(url).status_code == 200
    assert member.post(url + "consent/", {"standing_consent": "on"}).status_code == 403
    assert member.post(url + "credentials/", {}).status_code == 403
