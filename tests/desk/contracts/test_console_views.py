"""The console's contract pages: applications to decide, order form, contracts, cancellation
handling, business calendar and service documents."""

from __future__ import annotations

import uuid
from datetime import date, time

import pytest
from django.test import Client

from patchdesk.desk.contracts.models import (
    CalendarSettings,
    CancellationRequest,
    Contract,
    ProviderClosure,
    ServiceDocument,
)
from patchdesk.desk.contracts.services import contract_accept, contract_apply, contracts_advance_due
from patchdesk.desk.core.models import AuditEntry
from patchdesk_testing.contracts import Clock, Fleet, client_for, page, user_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops(fleet: Fleet) -> Client:
    return client_for(user_make("ops-tanaka"), language="en")


def applied(fleet: Fleet, clock: Clock) -> list[Contract]:
    clock.set(2027, 1, 8, 11, 0)
    return contract_apply(
        fleet.sakura,
        servers=[fleet.web1, fleet.db1],
        plan="security_update",
        actor=fleet.sakura_admin,
    )


def test_applications_are_accepted_with_the_start_date_shown(
    fleet: Fleet, clock: Clock, ops: Client
) -> None:
    web1, db1 = applied(fleet, clock)
    clock.set(2027, 1, 8, 15, 0)
    listing = page(ops.get("/console/contracts/applications/"))
    assert "web1" in listing
    assert "db1" in listing
    assert "Accepted now, an application starts on Jan. 12, 2027" in listing
    response = ops.post(f"/console/contracts/{web1.pk}/accept/", follow=True)
    assert "Accepted: web1 starts on Jan. 12, 2027." in page(response)
    # with HTMX, the row is swapped in place
    row = ops.post(f"/console/contracts/{db1.pk}/accept/", HTTP_HX_REQUEST="true")
    assert row.status_code == 200
    assert page(row).startswith('<tr id="application-')
    assert "Accepted: db1 starts on Jan. 12, 2027." in page(row)
    assert set(Contract.objects.values_list("start_date", flat=True)) == {date(2027, 1, 12)}
    # accepting twice is refused with the rule
    again = ops.post(f"/console/contracts/{db1.pk}/accept/")
    assert again.status_code == 400
    assert "This is not possible while the contract is in the state: Accepted." in page(again)


def test_rejection_needs_a_reason(fleet: Fleet, clock: Clock, ops: Client) -> None:
    web1, _db1 = applied(fleet, clock)
    response = ops.post(f"/console/contracts/{web1.pk}/reject/", {"reason": ""})
    assert response.status_code == 200
    assert "This field is required." in page(response)
    web1.refresh_from_db()
    assert web1.state == "applied"
    ops.post(f"/console/contracts/{web1.pk}/reject/", {"reason": "No SSH access"})
    web1.refresh_from_db()
    assert (web1.state, web1.rejection_reason) == ("rejected", "No SSH access")


def test_order_form_marks_the_application(fleet: Fleet, clock: Clock, ops: Client) -> None:
    start = page(ops.get("/console/contracts/order/"))
    assert "Kaede Trading" in start
    partial = ops.get(
        f"/console/contracts/order/?customer={fleet.kaede.pk}", HTTP_HX_REQUEST="true"
    )
    assert "<html" not in page(partial)
    assert "app1" in page(partial)
    data = {
        "customer": str(fleet.kaede.pk),
        "servers": [str(fleet.app1.pk), str(fleet.app2.pk)],
        "plan": "standard",
        "order_reference": "OF-2027-0042",
        "accept_documents": "on",
        "submission_key": str(uuid.uuid4()),
    }
    response = ops.post("/console/contracts/order/", data)
    assert response.status_code == 302
    contracts = Contract.objects.filter(customer=fleet.kaede)
    assert {c.channel for c in contracts} == {"order_form"}
    assert {c.order_reference for c in contracts} == {"OF-2027-0042"}
    assert "Order form (entered by an operator)" in page(
        ops.get("/console/contracts/applications/")
    )
    # a missing reference is a field error, nothing created
    data["order_reference"] = ""
    data["submission_key"] = str(uuid.uuid4())
    data["servers"] = []
    response = ops.post("/console/contracts/order/", data)
    assert response.status_code == 200
    assert contracts.count() == 2


def test_contract_list_detail_and_cancellation_on_the_customers_behalf(
    fleet: Fleet, clock: Clock, ops: Client
) -> None:
    web1, db1 = applied(fleet, clock)
    clock.set(2027, 1, 8, 15, 0)
    for contract in (web1, db1):
        contract_accept(contract, actor=user_make(f"ops-{contract.pk}"))
    clock.set(2027, 1, 12, 9, 0)
    contracts_advance_due()
    listing = page(ops.get("/console/contracts/?state=active"))
    assert "web1" in listing
    assert "db1" in listing
    assert "web1" not in page(ops.get("/console/contracts/?state=ended"))
    clock.set(2027, 3, 5, 10, 0)
    detail = page(ops.get(f"/console/contracts/{web1.pk}/"))
    assert "The earliest possible cancellation date is April 30, 2027." in detail
    assert "contract.accept" in detail
    refused = ops.post(f"/console/contracts/{web1.pk}/cancel/", {"cancel_on": "2027-03-31"})
    assert "had to be requested by Feb. 28, 2027" in page(refused)
    ok = ops.post(f"/console/contracts/{web1.pk}/cancel/", {"cancel_on": "2027-04-30"})
    assert ok.status_code == 302
    request = CancellationRequest.objects.get()
    assert (request.cancel_on, request.channel) == (date(2027, 4, 30), "order_form")
    ops.post(f"/console/contracts/{web1.pk}/withdraw-cancellation/", {"reason": "changed mind"})
    web1.refresh_from_db()
    assert web1.state == "active"


def test_business_calendar_settings_and_closures(fleet: Fleet, clock: Clock, ops: Client) -> None:
    clock.set(2026, 12, 25, 10, 0)
    html = page(ops.get("/console/contracts/calendar/"))
    assert "年末年始 (Year-end and New Year holidays)" in html
    assert "An application accepted today starts on Dec. 28, 2026." in html
    response = ops.post(
        "/console/contracts/calendar/",
        {
            "opens_at": "09:00",
            "closes_at": "17:30",
            "holiday_country": "JP",
            "eos_warning_days": "60",
        },
    )
    assert response.status_code == 302
    row = CalendarSettings.objects.get()
    assert (row.opens_at, row.closes_at, row.eos_warning_days) == (time(9), time(17, 30), 60)
    bad = ops.post(
        "/console/contracts/calendar/",
        {
            "opens_at": "18:00",
            "closes_at": "10:00",
            "holiday_country": "JP",
            "eos_warning_days": "60",
        },
    )
    assert "The calendar is not valid" in page(bad)
    assert CalendarSettings.objects.get().opens_at == time(9)
    ops.post(
        "/console/contracts/calendar/closures/",
        {"label": "Office move", "starts_on": "2027-03-01", "ends_on": "2027-03-02"},
    )
    closure = ProviderClosure.objects.get(label="Office move")
    assert not closure.is_annual
    ops.post(f"/console/contracts/calendar/closures/{closure.pk}/delete/")
    assert not ProviderClosure.objects.filter(label="Office move").exists()
    assert AuditEntry.objects.filter(action__startswith="calendar.").count() == 3


def test_documents_are_versioned(fleet: Fleet, clock: Clock, ops: Client) -> None:
    response = ops.post(
        "/console/contracts/documents/",
        {
            "kind": "specification",
            "version": "1.1",
            "title": "セキュリティアップデートサービス仕様書",
            "effective_on": "2027-04-01",
        },
    )
    assert response.status_code == 302
    duplicate = ops.post(
        "/console/contracts/documents/",
        {"kind": "specification", "version": "1.1", "title": "x", "effective_on": "2027-05-01"},
    )
    assert "Version 1.1 already exists" in page(duplicate)
    assert ServiceDocument.objects.filter(kind="specification").count() == 2
    # contracts applied from April record version 1.1
    clock.set(2027, 4, 1, 11, 0)
    (contract,) = contract_apply(
        fleet.sakura, servers=[fleet.web1], plan="standard", actor=fleet.sakura_admin
    )
    assert contract.specification.version == "1.1"


@pytest.mark.parametrize(
    "url",
    [
        "/console/contracts/",
        "/console/contracts/applications/",
        "/console/contracts/order/",
        "/console/contracts/calendar/",
        "/console/contracts/documents/",
    ],
)
def test_the_console_is_closed_to_customers(fleet: Fleet, url: str) -> None:
    assert client_for(fleet.sakura_admin).get(url).status_code == 403
