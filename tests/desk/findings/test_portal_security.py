"""The portal's security page (S2): each of the company's servers with the open findings the
service acts on, and the Medium ones its plan does not cover. Never another company's."""

from __future__ import annotations

import pytest

from patchdesk.desk.customers.models import Customer
from patchdesk.desk.fleet.services import server_create
from patchdesk_testing.contracts import client_for, page, user_make
from patchdesk_testing.security import World

pytestmark = pytest.mark.django_db


def _section(html: str, server: str) -> str:
    start = html.index(f'data-server="{server}"')
    return html[start : html.index("</section>", start)]


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "en",
            [
                "Security of your servers",
                "Plan: Standard (High only)",
                "Vulnerabilities to handle: 1",
                "Medium vulnerabilities not covered by your plan: 1",
            ],
        ),
        (
            "ja",
            [
                "サーバーのセキュリティ",
                "プラン: 標準 (高のみ)",
                "対応する脆弱性: 1",
                "ご契約のプランの対象外の「中」の脆弱性: 1",
            ],
        ),
    ],
)
def test_kaede_sees_the_high_and_how_many_mediums_the_plan_leaves_out(
    world: World, language: str, words: list[str]
) -> None:
    html = page(
        client_for(world.fleet.kaede_admin, language=language).get("/portal/servers/security/")
    )
    for word in words:
        assert word in html
    app1 = _section(html, "app1")
    assert 'data-package="libssl3" data-level="high"' in app1
    assert 'data-level="medium"' not in app1, "Medium is not an action item on Standard"
    assert "DSA-9003-1" not in app1, "out of scope is not shown"


def test_sakura_sees_high_and_medium_on_the_security_update_service(world: World) -> None:
    html = page(
        client_for(world.fleet.sakura_admin, language="en").get("/portal/servers/security/")
    )
    web1 = _section(html, "web1")
    assert 'data-level="high"' in web1
    assert 'data-level="medium"' in web1
    assert "not covered by your plan" not in web1
    assert "Vulnerabilities to handle: 2" in web1
    legacy1 = _section(html, "legacy1")
    assert "The vendor's support for this OS ended on June 30, 2024" in legacy1


def test_no_company_sees_another_companys_servers(world: World) -> None:
    sakura = client_for(world.fleet.sakura_member, language="en")
    html = page(sakura.get("/portal/servers/security/"))
    assert 'data-server="web1"' in html
    assert 'data-server="app1"' not in html
    assert "Kaede" not in html
    assert sakura.get(f"/portal/servers/security/{world.app1.pk}/").status_code == 404
    own = sakura.get(f"/portal/servers/security/{world.web1.pk}/")
    assert own.status_code == 200
    assert "libssl3" in page(own)
    kaede = client_for(world.fleet.kaede_admin, language="en")
    assert kaede.get(f"/portal/servers/security/{world.web1.pk}/").status_code == 404
    detail = page(kaede.get(f"/portal/servers/security/{world.app1.pk}/"))
    assert 'id="not-covered"' in detail
    assert "DSA-9002-1" in detail
    assert "web1" not in page(kaede.get("/portal/servers/security/"))


def test_a_company_with_a_server_of_the_same_name_sees_only_its_own(world: World) -> None:
    other = Customer.objects.create(code="momiji", name="Momiji Clinic")
    server_create(other, name="web1", address="mail1.momiji.example", actor=None)
    momiji = client_for(user_make("momiji-admin", customer=other), language="en")
    html = page(momiji.get("/portal/servers/security/"))
    assert "Vulnerabilities to handle: 0" in html
    assert "libssl3" not in html
    assert momiji.get(f"/portal/servers/security/{world.web1.pk}/").status_code == 404


def test_operators_and_anonymous_users_do_not_use_the_portal_page(world: World) -> None:
    assert client_for(world.operator).get("/portal/servers/security/").status_code == 403
    from django.test import Client

    anonymous = Client().get("/portal/servers/security/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
