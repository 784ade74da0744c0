"""The portal's contract pages with the Django test client, in Japanese and English (S1, S6)."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest

from patchdesk.desk.contracts.models import CancellationRequest, Contract
from patchdesk.desk.contracts.services import contract_accept, contracts_advance_due
from patchdesk_testing.contracts import Clock, Fleet, client_for, page, user_make

pytestmark = pytest.mark.django_db


def apply_data(
    *servers: object, key: uuid.UUID | None = None, plan: str = "security_update"
) -> dict[str, object]:
    return {
        "servers": [str(getattr(s, "pk", s)) for s in servers],
        "plan": plan,
        "accept_documents": "on",
        "submission_key": str(key or uuid.uuid4()),
    }


@pytest.mark.parametrize(
    ("language", "unavailable", "title"),
    [
        (
            "en",
            "legacy1: the vendor's support for CentOS 7 ended on June 30, 2024",
            "Apply for the service",
        ),
        (
            "ja",
            "legacy1: CentOS 7 は OS 提供ベンダの保守が 2024年6月30日 に終了",
            "サービスの申し込み",
        ),
    ],
)
def test_the_form_offers_eligible_servers_and_says_why_not_legacy1(
    fleet: Fleet, clock: Clock, language: str, unavailable: str, title: str
) -> None:
    client = client_for(fleet.sakura_admin, language=language)
    html = page(client.get("/portal/contracts/apply/"))
    assert title in html
    assert re.search(rf'<input[^>]+value="{fleet.web1.pk}"', html)
    assert re.search(rf'<input[^>]+value="{fleet.db1.pk}"', html)
    assert not re.search(rf'<input[^>]+name="servers"[^>]+value="{fleet.legacy1.pk}"', html)
    assert unavailable in html
    assert "app1" not in html  # Kaede's servers are never offered to Sakura


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "en",
            (
                "Your application for db1, web1 has been received.",
                "Jan. 12, 2027",
                "Only vulnerabilities confirmed on or after Jan. 12, 2027 are covered.",
            ),
        ),
        (
            "ja",
            (
                "db1, web1 のお申し込みを受け付けました。",
                "2027年1月12日",
                "2027年1月12日 以降に確認された脆弱性のみが対象です。",
            ),
        ),
    ],
)
def test_s1_apply_for_two_servers_and_see_the_start_date(
    fleet: Fleet, clock: Clock, language: str, texts: tuple[str, str, str]
) -> None:
    received, start_text, coverage = texts
    client = client_for(fleet.sakura_admin, language=language)
    clock.set(2027, 1, 8, 11, 0)
    response = client.post(
        "/portal/contracts/apply/", apply_data(fleet.web1, fleet.db1), follow=True
    )
    assert response.status_code == 200
    html = page(response)
    assert received in html
    assert Contract.objects.filter(customer=fleet.sakura, state="applied").count() == 2
    clock.set(2027, 1, 8, 15, 0)
    operator = user_make("ops-tanaka")
    for contract in Contract.objects.all():
        contract_accept(contract, actor=operator)
    html = page(client.get("/portal/contracts/"))
    assert html.count(start_text) >= 2
    assert coverage in html


def test_a_double_submitted_form_creates_one_application(fleet: Fleet, clock: Clock) -> None:
    client = client_for(fleet.sakura_admin)
    data = apply_data(fleet.web1, fleet.db1)
    first = client.post("/portal/contracts/apply/", data)
    second = client.post("/portal/contracts/apply/", data)
    assert first.status_code == second.status_code == 302
    assert Contract.objects.count() == 2


@pytest.mark.parametrize(
    ("language", "no_server", "no_acceptance"),
    [
        ("en", "Choose at least one server.", "Please accept the specification and the terms."),
        ("ja", "サーバーを1台以上選んでください。", "仕様書と利用規約に同意してください。"),
    ],
)
def test_an_invalid_form_shows_field_errors_and_changes_nothing(
    fleet: Fleet, clock: Clock, language: str, no_server: str, no_acceptance: str
) -> None:
    client = client_for(fleet.sakura_admin, language=language)
    data = apply_data()
    del data["accept_documents"]
    response = client.post("/portal/contracts/apply/", data)
    assert response.status_code == 200
    html = page(response)
    assert no_server in html
    assert no_acceptance in html
    assert not Contract.objects.exists()


def test_legacy1_posted_anyway_is_refused(fleet: Fleet, clock: Clock) -> None:
    client = client_for(fleet.sakura_admin, language="en")
    response = client.post("/portal/contracts/apply/", apply_data(fleet.web1, fleet.legacy1))
    assert response.status_code == 200
    assert "Select a valid choice" in page(response)
    assert not Contract.objects.exists()


def test_members_read_but_cannot_apply_or_cancel(fleet: Fleet, clock: Clock) -> None:
    client = client_for(fleet.sakura_member)
    assert client.get("/portal/contracts/").status_code == 200
    assert client.get("/portal/contracts/apply/").status_code == 403
    assert client.post("/portal/contracts/apply/", apply_data(fleet.web1)).status_code == 403
    assert not Contract.objects.exists()


def started_contracts(fleet: Fleet, clock: Clock) -> dict[str, Contract]:
    client = client_for(fleet.sakura_admin)
    clock.set(2027, 1, 8, 11, 0)
    client.post("/portal/contracts/apply/", apply_data(fleet.web1, fleet.db1))
    clock.set(2027, 1, 8, 15, 0)
    operator = user_make("ops-tanaka")
    for contract in Contract.objects.all():
        contract_accept(contract, actor=operator)
    clock.set(2027, 1, 12, 0, 5)
    contracts_advance_due()
    return {c.server.name: c for c in Contract.objects.select_related("server")}


@pytest.mark.parametrize(
    ("language", "earliest_text", "refusal"),
    [
        (
            "en",
            "The earliest possible cancellation date is April 30, 2027.",
            "A cancellation on March 31, 2027 had to be requested by Feb. 28, 2027",
        ),
        (
            "ja",
            "解約可能な最も早い日は 2027年4月30日 です。",
            "2027年3月31日 の解約は、前月末日の 2027年2月28日 までにお申し込みください",
        ),
    ],
)
def test_s6_cancellation_in_the_portal(
    fleet: Fleet, clock: Clock, language: str, earliest_text: str, refusal: str
) -> None:
    contracts = started_contracts(fleet, clock)
    client = client_for(fleet.sakura_admin, language=language)
    # 2027-02-15: db1 on 2027-03-31 is accepted.
    clock.set(2027, 2, 15, 10, 0)
    db1 = contracts["db1"]
    response = client.post(f"/portal/contracts/{db1.pk}/cancel/", {"cancel_on": "2027-03-31"})
    assert response.status_code == 302
    assert CancellationRequest.objects.get(contract=db1).cancel_on == date(2027, 3, 31)
    # 2027-03-05: web1 shows 2027-04-30 as the earliest date and refuses 2027-03-31.
    clock.set(2027, 3, 5, 10, 0)
    web1 = contracts["web1"]
    detail = page(client.get(f"/portal/contracts/{web1.pk}/"))
    assert earliest_text in detail
    assert 'value="2027-04-30"' in detail
    response = client.post(f"/portal/contracts/{web1.pk}/cancel/", {"cancel_on": "2027-03-31"})
    assert response.status_code == 200
    assert refusal in page(response)
    web1.refresh_from_db()
    assert web1.state == "active"
    assert not CancellationRequest.objects.filter(contract=web1).exists()


def test_an_unreadable_date_is_a_field_error(fleet: Fleet, clock: Clock) -> None:
    contracts = started_contracts(fleet, clock)
    client = client_for(fleet.sakura_admin, language="en")
    response = client.post(
        f"/portal/contracts/{contracts['web1'].pk}/cancel/", {"cancel_on": "soon"}
    )
    assert response.status_code == 200
    assert "Enter a valid date." in page(response)
    assert not CancellationRequest.objects.exists()


# --- isolation: a user of Kaede never sees or touches Sakura's data -----------------------------


def test_isolation_of_every_contract_page(fleet: Fleet, clock: Clock) -> None:
    contracts = started_contracts(fleet, clock)
    kaede = client_for(fleet.kaede_admin)
    web1 = contracts["web1"]
    clock.set(2027, 2, 15, 10, 0)
    # list: none of Sakura's servers
    listing = page(kaede.get("/portal/contracts/"))
    assert "app1" in listing
    assert "web1" not in listing
    assert "db1" not in listing
    assert "legacy1" not in listing
    # detail and cancellation: 404, nothing changes
    assert kaede.get(f"/portal/contracts/{web1.pk}/").status_code == 404
    assert (
        kaede.post(f"/portal/contracts/{web1.pk}/cancel/", {"cancel_on": "2027-03-31"}).status_code
        == 404
    )
    assert not CancellationRequest.objects.exists()
    # the application form: Sakura's servers are not offered, and posting one fails
    form = page(kaede.get("/portal/contracts/apply/"))
    assert "legacy1" not in form
    response = kaede.post("/portal/contracts/apply/", apply_data(fleet.legacy1))
    assert response.status_code == 200
    assert not Contract.objects.filter(server=fleet.legacy1).exists()
    # a missing contract is a 404 too (no difference between "absent" and "not yours")
    assert kaede.get("/portal/contracts/999999/").status_code == 404


def test_operators_use_the_console_not_the_portal(fleet: Fleet) -> None:
    operator = client_for(user_make("ops-tanaka"))
    assert operator.get("/portal/contracts/").status_code == 403
    assert operator.get("/portal/contracts/apply/").status_code == 403


def test_anonymous_users_are_sent_to_the_login(fleet: Fleet) -> None:
    from django.test import Client

    response = Client().get("/portal/contracts/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
