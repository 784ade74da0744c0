"""The plan change pages: the portal form (admins of the contract's company only; another
company's contract is a 404), the console's record on the customer's behalf and the decision."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from patchdesk.desk.contracts.models import Contract
from patchdesk_testing.contracts import (
    Clock,
    Fleet,
    client_for,
    contract_running,
    page,
    user_make,
)

pytestmark = pytest.mark.django_db


def _form(plan: str = "security_update") -> dict[str, str]:
    return {"plan": plan, "accept_documents": "on", "submission_key": str(uuid.uuid4())}


def test_the_admin_sees_the_date_and_coverage_and_requests_the_upgrade(
    fleet: Fleet, clock: Clock
) -> None:
    standard = contract_running(fleet, clock)
    clock.set(2027, 3, 12, 11, 0)  # Friday: accepted today, the upgrade starts on Monday
    client = client_for(fleet.kaede_admin, language="en")
    listing = page(client.get("/portal/contracts/"))
    assert f'href="/portal/contracts/{standard.pk}/change-plan/"' in listing
    form = page(client.get(f"/portal/contracts/{standard.pk}/change-plan/"))
    assert "March 15, 2027" in form
    assert "Medium vulnerabilities confirmed earlier stay not covered" in form
    data = _form()
    response = client.post(f"/portal/contracts/{standard.pk}/change-plan/", data)
    assert response.status_code == 302
    client.post(f"/portal/contracts/{standard.pk}/change-plan/", data)  # a double click
    (change,) = Contract.objects.filter(previous=standard)
    assert (change.state, change.plan, change.applied_by) == (
        "applied",
        "security_update",
        fleet.kaede_admin,
    )
    detail = page(client.get(f"/portal/contracts/{standard.pk}/"))
    assert "waiting for our acceptance" in detail
    # Japanese too.
    ja = page(client_for(fleet.kaede_admin, language="ja").get(f"/portal/contracts/{standard.pk}/"))
    assert "セキュリティアップデートサービス" in ja


def test_a_refusal_is_shown_on_the_page(fleet: Fleet, clock: Clock) -> None:
    from patchdesk.desk.contracts.services import contract_cancellation_request

    standard = contract_running(fleet, clock)
    clock.set(2027, 3, 10, 11, 0)
    contract_cancellation_request(standard, cancel_on=date(2027, 4, 30), actor=fleet.kaede_admin)
    client = client_for(fleet.kaede_admin, language="en")
    body = page(client.get(f"/portal/contracts/{standard.pk}/change-plan/"))
    assert 'data-code="plan_change_after_cancellation"' in body
    body = page(client.post(f"/portal/contracts/{standard.pk}/change-plan/", _form()))
    assert "withdraw the cancellation" in body
    assert not Contract.objects.filter(previous=standard).exists()


def test_another_company_gets_404_and_a_member_is_refused(fleet: Fleet, clock: Clock) -> None:
    standard = contract_running(fleet, clock)
    clock.set(2027, 3, 10, 11, 0)
    url = f"/portal/contracts/{standard.pk}/change-plan/"
    other = client_for(fleet.sakura_admin, language="en")
    assert other.get(url).status_code == 404
    assert other.post(url, _form()).status_code == 404
    member = client_for(
        user_make("kaede-member", customer=fleet.kaede, customer_role="member"), language="en"
    )
    assert member.get(url).status_code == 403
    assert member.post(url, _form()).status_code == 403
    assert "/change-plan/" not in page(member.get("/portal/contracts/"))
    assert not Contract.objects.filter(previous=standard).exists()


def test_the_operator_records_and_accepts_it_in_the_console(fleet: Fleet, clock: Clock) -> None:
    standard = contract_running(fleet, clock)
    operator = user_make("ops-tanaka")
    clock.set(2027, 3, 12, 11, 0)
    client = client_for(operator, language="en")
    detail = page(client.get(f"/console/contracts/{standard.pk}/"))
    assert 'id="plan-change-form"' in detail
    data = {
        "plan": "security_update",
        "order_reference": "phone 2027-03-12",
        "submission_key": str(uuid.uuid4()),
    }
    response = client.post(f"/console/contracts/{standard.pk}/change-plan/", data)
    (change,) = Contract.objects.filter(previous=standard)
    assert response.status_code == 302
    assert (change.channel, change.order_reference) == ("order_form", "phone 2027-03-12")
    applications = page(client.get("/console/contracts/applications/"))
    assert f'id="application-{change.pk}"' in applications
    assert "Plan change" in applications
    assert "Changes to" not in page(client.get(f"/console/contracts/{standard.pk}/"))
    client.post(f"/console/contracts/{change.pk}/accept/")
    change.refresh_from_db()
    assert (change.state, change.start_date) == ("accepted", date(2027, 3, 15))
    old = page(client.get(f"/console/contracts/{standard.pk}/"))
    assert "Changes to Security Update Service (High and Medium) on March 15, 2027." in old
    assert "Plan changed" in old
    # Customers cannot use the console's form.
    customer = client_for(fleet.kaede_admin, language="en")
    assert customer.post(f"/console/contracts/{standard.pk}/change-plan/", data).status_code in (
        302,
        403,
        404,
    )
