"""The customer's pages: inbox, case, verification, messages, server access. Every page and
action is scoped to the user's company: another company's case or server is a 404."""

from __future__ import annotations

import pytest

from patchdesk.desk.cases.models import CaseEvent, OutboxMessage
from patchdesk.desk.cases.services import (
    RequestChoice,
    case_message_post,
    case_request,
)
from patchdesk.desk.fleet.models import Credential
from patchdesk.desk.work.selectors import window_offers
from patchdesk.desk.work.services import work_order_result_record, work_order_schedule
from patchdesk_testing.contracts import client_for, page, user_make
from patchdesk_testing.service_flow import HIGH_ADVISORY, MEDIUM_ADVISORY, FlowWorld

pytestmark = pytest.mark.django_db


def test_the_inbox_lists_only_the_companys_announcements(announced: FlowWorld) -> None:
    kaede = page(client_for(announced.fleet.kaede_admin, language="en").get("/portal/cases/"))
    kaede_cases = announced.fleet.kaede.cases.all()
    for case in kaede_cases:
        assert f'data-case="{case.pk}"' in kaede
    for case in announced.fleet.sakura.cases.all():
        assert f'data-case="{case.pk}"' not in kaede
    assert 'data-advisory="DSA-9002-1" data-delivery="portal_only"' in kaede
    assert "Not covered by your plan" in kaede
    sakura = page(client_for(announced.fleet.sakura_member, language="ja").get("/portal/cases/"))
    assert "ご依頼ください" in sakura


def test_a_portal_only_case_explains_the_plan_and_the_upgrade(announced: FlowWorld) -> None:
    case = announced.case(MEDIUM_ADVISORY, announced.fleet.kaede)
    body = page(
        client_for(announced.fleet.kaede_admin, language="en").get(f"/portal/cases/{case.pk}/")
    )
    assert 'id="portal-only"' in body
    assert "covered only by the Security Update Service" in body
    assert "/portal/contracts/" in body
    assert 'id="request-form"' not in body
    # Straight to the upgrade of the Standard server (admins only: members cannot change plans).
    (contract,) = announced.fleet.app1.contracts.all()
    assert f'href="/portal/contracts/{contract.pk}/change-plan/" data-server="app1"' in body
    member = user_make("kaede-member", customer=announced.fleet.kaede, customer_role="member")
    body = page(client_for(member, language="en").get(f"/portal/cases/{case.pk}/"))
    assert 'id="portal-only"' in body
    assert "/change-plan/" not in body


PORTAL_URLS = [
    ("get", "/portal/cases/{case}/"),
    ("post", "/portal/cases/{case}/request/"),
    ("post", "/portal/cases/{case}/decline/"),
    ("post", "/portal/cases/{case}/verify/"),
    ("post", "/portal/cases/{case}/problem/"),
    ("post", "/portal/cases/{case}/message/"),
    ("post", "/portal/cases/{case}/quote_accept/"),
    ("get", "/portal/access/{server}/"),
    ("post", "/portal/access/{server}/credentials/"),
    ("post", "/portal/access/{server}/passphrase/"),
    ("post", "/portal/access/{server}/consent/"),
]


@pytest.mark.parametrize(("method", "url"), PORTAL_URLS)
def test_another_companys_case_and_server_are_not_found(
    announced: FlowWorld, method: str, url: str
) -> None:
    case = announced.case(HIGH_ADVISORY, announced.fleet.sakura)
    target = url.format(case=case.pk, server=announced.web1.pk)
    client = client_for(announced.fleet.kaede_admin)
    data = {"scope": "all", "text": "hello", "accept_disclaimers": "on", "window_kind": "business"}
    response = client.get(target) if method == "get" else client.post(target, data)
    assert response.status_code == 404
    assert not CaseEvent.objects.filter(case=case).exclude(kind="announced").exists()
    assert not Credential.objects.filter(server=announced.web1).exists()


@pytest.mark.parametrize(("method", "url"), PORTAL_URLS)
def test_operators_and_anonymous_visitors_do_not_use_the_portal(
    announced: FlowWorld, method: str, url: str
) -> None:
    case = announced.case(HIGH_ADVISORY, announced.fleet.sakura)
    target = url.format(case=case.pk, server=announced.web1.pk)
    operator = client_for(announced.operator)
    assert (operator.get(target) if method == "get" else operator.post(target)).status_code == 403
    from django.test import Client

    anonymous = Client()
    response = anonymous.get(target) if method == "get" else anonymous.post(target)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_verification_and_problem_report_from_the_portal(announced: FlowWorld) -> None:
    case = announced.case(HIGH_ADVISORY, announced.fleet.sakura)
    (item,) = case_request(
        case,
        servers=None,
        actor=announced.fleet.sakura_admin,
        choice=RequestChoice(accept_disclaimers=True),
    )
    order = work_order_schedule(
        [item], starts_at=window_offers()[0].starts_at, actor=announced.operator
    )
    work_order_result_record(order, outcome="done", notes="Updated.", actor=announced.operator)
    client = client_for(announced.fleet.sakura_admin, language="en")
    body = page(client.get(f"/portal/cases/{case.pk}/"))
    assert 'id="verify"' in body
    assert "web1 works: confirm" in body
    response = client.post(
        f"/portal/cases/{case.pk}/problem/",
        {"item": item.pk, "text": "The site shows 500 errors."},
        follow=True,
    )
    assert "Your report was sent to our operators" in page(response)
    item.refresh_from_db()
    case.refresh_from_db()
    assert (item.state, case.is_closed) == ("problem_reported", False)
    assert OutboxMessage.objects.filter(kind="ops_problem").exists()
    assert "The site shows 500 errors." in page(client.get(f"/portal/cases/{case.pk}/"))


def test_messages_and_internal_notes(announced: FlowWorld) -> None:
    case = announced.case(HIGH_ADVISORY, announced.fleet.sakura)
    member = client_for(announced.fleet.sakura_member, language="en")
    member.post(f"/portal/cases/{case.pk}/message/", {"text": "Is a reboot needed?"})
    case_message_post(case, actor=announced.operator, text="No reboot is needed.")
    case_message_post(
        case, actor=announced.operator, text="Check with Suzuki first", is_internal=True
    )
    body = page(member.get(f"/portal/cases/{case.pk}/"))
    assert "Is a reboot needed?" in body
    assert "No reboot is needed." in body
    assert "Check with Suzuki first" not in body
    console = page(client_for(announced.operator).get(f"/console/cases/{case.pk}/"))
    assert "Check with Suzuki first" in console
    assert 'data-internal="yes"' in console
    assert OutboxMessage.objects.filter(kind="ops_message").count() == 1
    assert (
        OutboxMessage.objects.filter(kind="message", recipient="sato@sakura-web.example").count()
        == 1
    )
