"""R14 outside the flow pages: a paused server is marked on the console's server list, server
page and home (with the resume action), and on the customer's own server pages in the portal
(with the way to update the credentials), never on another customer's."""

from __future__ import annotations

import re

import pytest

from patchdesk.desk.cases.models import ServerServiceState
from patchdesk.desk.cases.services import server_pause
from patchdesk.desk.fleet.models import Server
from patchdesk_testing.contracts import client_for, page
from patchdesk_testing.service_flow import FlowWorld

pytestmark = pytest.mark.django_db

CONSOLE_BADGE = "Service paused: credentials rejected"
PORTAL_BADGE = "Paused: please update the credentials"


def _row(html: str, server: Server) -> str:
    found = re.search(rf'<tr data-server="{server.name}">.*?</tr>', html, re.S)
    assert found, f"no row for {server.name}"
    return found.group(0)


def _section(html: str, server: Server) -> str:
    found = re.search(
        rf'<section class="card server-security" data-server="{server.name}">.*?</section>',
        html,
        re.S,
    )
    assert found, f"no section for {server.name}"
    return found.group(0)


def _pause(*servers: Server) -> None:
    for server in servers:
        assert server_pause(server, reason="auth_rejected", source="scan")


def test_console_server_list_marks_the_paused_server_with_the_resume_action(
    flow: FlowWorld,
) -> None:
    _pause(flow.mail1)
    client = client_for(flow.operator, language="en")
    resume = f"/console/work/servers/{flow.mail1.pk}/resume/"
    for response in (
        client.get("/console/servers/"),
        client.get("/console/servers/", headers={"HX-Request": "true"}),  # the filtered table
    ):
        listing = page(response)
        paused = _row(listing, flow.mail1)
        assert CONSOLE_BADGE in paused
        assert f'formaction="{resume}"' in paused
        for running in (flow.web1, flow.app1):
            assert CONSOLE_BADGE not in _row(listing, running)
        assert listing.count(CONSOLE_BADGE) == 1

    # the button posts the list's form (with its CSRF token) to the resume action
    assert client.post(resume).status_code == 302
    assert not ServerServiceState.objects.get(server=flow.mail1).is_paused
    assert CONSOLE_BADGE not in page(client.get("/console/servers/"))


def test_console_server_page_and_home_show_the_pause(flow: FlowWorld) -> None:
    _pause(flow.mail1)
    client = client_for(flow.operator, language="en")
    detail = page(client.get(f"/console/servers/{flow.mail1.pk}/"))
    card = re.search(r'<div class="card" id="service-paused">.*?</div>', detail, re.S)
    assert card
    assert CONSOLE_BADGE in card.group(0)
    assert f'action="/console/work/servers/{flow.mail1.pk}/resume/"' in card.group(0)
    assert "since " in card.group(0)
    other = page(client.get(f"/console/servers/{flow.web1.pk}/"))
    assert CONSOLE_BADGE not in other
    assert 'id="service-paused"' not in other

    home = page(client.get("/console/"))
    assert CONSOLE_BADGE in home
    assert "1 server paused" in home
    _pause(flow.web1)
    assert "2 servers paused" in page(client.get("/console/"))


def test_console_home_says_nothing_while_every_service_runs(flow: FlowWorld) -> None:
    home = page(client_for(flow.operator, language="en").get("/console/"))
    assert CONSOLE_BADGE not in home


def test_portal_server_pages_tell_the_customer_to_update_the_credentials(
    flow: FlowWorld,
) -> None:
    _pause(flow.mail1, flow.app1)  # Momiji's mail1 and Kaede's app1
    momiji = client_for(flow.momiji_admin, language="en")
    listing = page(momiji.get("/portal/servers/security/"))
    section = _section(listing, flow.mail1)
    assert PORTAL_BADGE in section
    assert f'href="/portal/access/{flow.mail1.pk}/"' in section
    assert listing.count(PORTAL_BADGE) == 1  # Kaede's paused server is not Momiji's business
    assert "app1" not in listing
    detail = page(momiji.get(f"/portal/servers/security/{flow.mail1.pk}/"))
    assert PORTAL_BADGE in detail
    assert f'href="/portal/access/{flow.mail1.pk}/"' in detail


def test_another_customers_paused_server_is_not_shown(flow: FlowWorld) -> None:
    _pause(flow.mail1)
    sakura = client_for(flow.fleet.sakura_admin, language="en")
    listing = page(sakura.get("/portal/servers/security/"))
    assert PORTAL_BADGE not in listing
    assert PORTAL_BADGE not in _section(listing, flow.web1)
    assert "mail1" not in listing
    assert PORTAL_BADGE not in page(sakura.get(f"/portal/servers/security/{flow.web1.pk}/"))
    assert sakura.get(f"/portal/servers/security/{flow.mail1.pk}/").status_code == 404


def test_the_badges_are_in_japanese(flow: FlowWorld) -> None:
    _pause(flow.mail1)
    console = page(client_for(flow.operator, language="ja").get("/console/servers/"))
    assert CONSOLE_BADGE not in console
    assert 'data-flag="service-paused"' in _row(console, flow.mail1)
    portal = page(client_for(flow.momiji_admin, language="ja").get("/portal/servers/security/"))
    assert PORTAL_BADGE not in portal
    assert 'data-flag="service-paused"' in _section(portal, flow.mail1)
