"""Every console page of servers, findings, advisories, vulnerabilities, feeds and the policy is
for operators: anonymous visitors go to the login page, customer users get 403 and change
nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from patchdesk.desk.advisories.models import Advisory, FeedSync
from patchdesk.desk.core.models import AuditEntry
from patchdesk.desk.findings.models import Finding, PolicyDocument
from patchdesk.desk.findings.policy import policy_document_ensure_default
from patchdesk.desk.fleet.models import HostKey, Scan
from patchdesk_testing.contracts import client_for
from patchdesk_testing.security import CVE_RCE, World

pytestmark = pytest.mark.django_db


def _urls(world: World) -> list[tuple[str, str]]:
    web1 = world.web1.pk
    finding = Finding.objects.filter(server=world.web1).first()
    advisory = Advisory.objects.first()
    run = FeedSync.objects.first()
    document = PolicyDocument.objects.first()
    key = HostKey.objects.filter(server=world.web1).first()
    assert finding is not None
    assert advisory is not None
    assert run is not None
    assert document is not None
    assert key is not None
    return [
        ("get", "/console/servers/"),
        ("post", "/console/servers/new/"),
        ("post", "/console/servers/scan/"),
        ("get", f"/console/servers/{web1}/"),
        ("post", f"/console/servers/{web1}/scan/"),
        ("post", f"/console/servers/{web1}/credentials/"),
        ("post", f"/console/servers/{web1}/passphrases/"),
        ("post", f"/console/servers/{web1}/host-keys/{key.pk}/accept/"),
        ("get", "/console/findings/"),
        ("post", f"/console/findings/{finding.pk}/state/"),
        ("get", "/console/advisories/"),
        ("get", f"/console/advisories/{advisory.pk}/"),
        ("get", f"/console/vulnerabilities/{CVE_RCE}/"),
        ("post", f"/console/vulnerabilities/{CVE_RCE}/"),
        ("get", "/console/feeds/"),
        ("post", "/console/feeds/sync/"),
        ("post", "/console/feeds/upload/"),
        ("post", f"/console/feeds/sources/{run.source_id}/"),
        ("get", f"/console/feeds/runs/{run.pk}/"),
        ("get", "/console/policy/"),
        ("post", "/console/policy/"),
        ("post", f"/console/policy/{document.pk}/activate/"),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(world: World) -> None:
    policy_document_ensure_default()
    client = Client()
    for method, url in _urls(world):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_customer_users_are_refused_and_change_nothing(world: World) -> None:
    policy_document_ensure_default()
    audited = AuditEntry.objects.count()
    scans = Scan.objects.count()
    for user in (world.fleet.sakura_admin, world.fleet.kaede_admin):
        client = client_for(user)
        for method, url in _urls(world):
            data = {"scope": "all", "state": "not_applicable", "note": "x", "confirm": "on"}
            response = getattr(client, method)(url, data) if method == "post" else client.get(url)
            assert response.status_code == 403, url
    assert AuditEntry.objects.count() == audited
    assert Scan.objects.count() == scans


def test_the_menus_lead_to_the_new_pages(world: World) -> None:
    console = client_for(world.operator, language="en").get("/console/").content.decode()
    for url in (
        "/console/servers/",
        "/console/findings/",
        "/console/advisories/",
        "/console/feeds/",
        "/console/policy/",
    ):
        assert f'href="{url}"' in console
    portal = client_for(world.fleet.sakura_admin, language="en").get("/portal/").content.decode()
    assert 'href="/portal/servers/security/"' in portal


@pytest.mark.parametrize(("language", "home"), [("en", "Home"), ("ja", "ホーム")])
def test_every_page_renders_in_both_languages(world: World, language: str, home: str) -> None:
    policy_document_ensure_default()
    operator = client_for(world.operator, language=language)
    for method, url in _urls(world):
        if method == "get":
            response = operator.get(url)
            html = response.content.decode()
            assert response.status_code == 200, url
            assert f'<html lang="{language}">' in html, url
            assert f">{home}</a>" in html, url
    customer = client_for(world.fleet.sakura_admin, language=language)
    for url in ("/portal/servers/security/", f"/portal/servers/security/{world.web1.pk}/"):
        response = customer.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in response.content.decode(), url
