"""Customers, contacts and portal users: services and the console pages."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from patchdesk.desk.accounts.models import User
from patchdesk.desk.core.errors import PatchdeskError, PermissionDeniedError
from patchdesk.desk.core.models import AuditEntry
from patchdesk.desk.customers.models import Contact, Customer
from patchdesk.desk.customers.selectors import customer_get, customer_list, server_list
from patchdesk.desk.customers.services import (
    contact_add,
    customer_create,
    customer_update,
    customer_user_create,
)
from patchdesk_testing.contracts import Fleet, client_for, page, user_make

pytestmark = pytest.mark.django_db


def test_create_and_update_a_customer(db: None) -> None:
    operator = user_make("ops-tanaka")
    customer = customer_create(
        name="Momiji Clinic",
        code="momiji",
        language="ja",
        time_zone="Asia/Tokyo",
        billing_address="東京都千代田区1-1",
        postal_code="100-0001",
        actor=operator,
    )
    with pytest.raises(PatchdeskError) as caught:
        customer_create(name="momiji clinic", code="other", actor=operator)
    assert caught.value.code == "customer_exists"
    with pytest.raises(PatchdeskError) as caught:
        customer_update(customer, time_zone="Mars/Olympus", actor=operator)
    assert caught.value.code == "unknown_time_zone"
    customer_update(customer, phone="03-0000-0000", actor=operator)
    customer.refresh_from_db()
    assert customer.phone == "03-0000-0000"
    assert list(
        AuditEntry.objects.filter(object_id=str(customer.pk)).values_list("action", flat=True)
    ) == ["customer.update", "customer.create"]
    with pytest.raises(PermissionDeniedError):
        customer_create(name="X", code="x", actor=user_make("x-user", customer=customer))


def test_portal_users_get_a_one_time_password(fleet: Fleet) -> None:
    user, password = customer_user_create(
        fleet.sakura,
        username="sakura-tanaka",
        email="tanaka@sakura.example",
        customer_role="member",
        language="ja",
        actor=user_make("ops-tanaka"),
    )
    assert authenticate(username="sakura-tanaka", password=password) == user
    assert (user.customer, user.customer_role, user.is_customer_user) == (
        fleet.sakura,
        "member",
        True,
    )
    assert password not in str(list(AuditEntry.objects.values_list("changes", flat=True)))
    with pytest.raises(PatchdeskError) as caught:
        customer_user_create(
            fleet.kaede,
            username="SAKURA-TANAKA",
            email="x@example.com",
            customer_role="admin",
            language="en",
            actor=None,
        )
    assert caught.value.code == "username_taken"


def test_selectors_scope_to_the_actor(fleet: Fleet) -> None:
    operator = user_make("ops-tanaka")
    assert set(customer_list(actor=operator)) == {fleet.sakura, fleet.kaede}
    assert list(customer_list(actor=fleet.kaede_admin)) == [fleet.kaede]
    with pytest.raises(Customer.DoesNotExist):
        customer_get(fleet.sakura.pk, actor=fleet.kaede_admin)
    assert {s.name for s in server_list(actor=fleet.kaede_admin)} == {"app1", "app2"}
    inactive = user_make("gone", customer=fleet.sakura)
    inactive.is_active = False
    assert not server_list(actor=inactive).exists()


def test_console_customer_pages(fleet: Fleet) -> None:
    ops = client_for(user_make("ops-tanaka"), language="en")
    listing = page(ops.get("/console/customers/?q=sakura"))
    assert "Sakura Web K.K." in listing
    assert "Kaede Trading" not in listing
    created = ops.post(
        "/console/customers/new/",
        {
            "name": "Momiji Clinic",
            "code": "momiji",
            "language": "ja",
            "time_zone": "Asia/Tokyo",
            "is_active": "on",
        },
    )
    assert created.status_code == 302
    momiji = Customer.objects.get(code="momiji")
    invalid = ops.post("/console/customers/new/", {"name": "", "code": "bad code!"})
    assert "This field is required." in page(invalid)
    assert Customer.objects.count() == 3
    edited = ops.post(
        f"/console/customers/{momiji.pk}/edit/",
        {
            "name": "Momiji Clinic",
            "code": "momiji",
            "language": "ja",
            "time_zone": "Asia/Tokyo",
            "billing_address": "京都市",
            "is_active": "on",
        },
    )
    assert edited.status_code == 302
    ops.post(
        f"/console/customers/{momiji.pk}/contacts/",
        {
            "name": "Yamada",
            "email": "yamada@momiji.example",
            "language": "ja",
            "time_zone": "Asia/Tokyo",
            "receives_notices": "on",
        },
    )
    assert Contact.objects.get().customer == momiji
    response = ops.post(
        f"/console/customers/{momiji.pk}/users/",
        {
            "username": "momiji-admin",
            "email": "admin@momiji.example",
            "customer_role": "admin",
            "language": "ja",
        },
    )
    assert response["Cache-Control"] == "no-store"
    assert "Its first password, shown only now" in page(response)
    assert User.objects.get(username="momiji-admin").customer == momiji
    detail = page(ops.get(f"/console/customers/{fleet.sakura.pk}/"))
    for name in ("web1", "db1", "legacy1", "sakura-admin", "sakura-member"):
        assert name in detail
    assert "app1" not in detail
    assert ops.get("/console/customers/999999/").status_code == 404


def test_contacts_receive_notices_in_their_language(fleet: Fleet) -> None:
    contact = contact_add(
        fleet.kaede, name="Kim", email="KIM@kaede.example", language="en", actor=None
    )
    assert (contact.email, contact.language) == ("kim@kaede.example", "en")


@pytest.mark.parametrize("url", ["/console/customers/", "/console/customers/new/"])
def test_customer_pages_are_closed_to_customers(fleet: Fleet, url: str) -> None:
    assert client_for(fleet.sakura_admin).get(url).status_code == 403
