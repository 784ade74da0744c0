"""Quotes for off-hours work: created by operators, answered by the customer's admin (S3),
scoped to the customer, expired by the job."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail

from patchdesk.desk.billing.errors import BillingError
from patchdesk.desk.billing.models import Quote
from patchdesk.desk.billing.services import (
    quote_accept,
    quote_create,
    quote_decline,
    quote_send,
    quotes_expire_due,
)
from patchdesk.desk.core.errors import PermissionDeniedError
from patchdesk.desk.customers.services import contact_add
from patchdesk_testing.contracts import (
    Clock,
    Fleet,
    client_for,
    jst,
    page,
    price_table_make,
    user_make,
)

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[Any]]


def saturday_quote(fleet: Fleet, clock: Clock) -> Quote:
    """S3: work on Saturday 2027-01-16 13:00-15:30 for web1, quoted on Tuesday the 12th."""
    price_table_make()
    clock.set(2027, 1, 12, 11, 0)
    return quote_create(
        fleet.sakura,
        server=fleet.web1,
        title="OpenSSL update on Saturday",
        work_starts_at=jst(2027, 1, 16, 13, 0),
        work_ends_at=jst(2027, 1, 16, 15, 30),
        valid_until=jst(2027, 1, 14).date(),
        actor=user_make("ops-tanaka"),
    )


def test_s3_quote_drafted_sent_and_accepted(
    fleet: Fleet, clock: Clock, django_capture_on_commit_callbacks: Capture
) -> None:
    contact_add(fleet.sakura, name="Sato", email="sato@sakura.example", actor=None)
    quote = saturday_quote(fleet, clock)
    assert (quote.state, quote.subtotal, quote.tax, quote.total) == (
        "draft",
        Decimal(45000),
        Decimal(4500),
        Decimal(49500),
    )
    assert [(line.kind, line.quantity) for line in quote.lines.all()] == [("holiday", 3)]
    with django_capture_on_commit_callbacks(execute=True):
        quote_send(quote, actor=user_make("ops-suzuki"))
    assert "49,500" in mail.outbox[0].body
    quote = quote_accept(quote, actor=fleet.sakura_admin)
    assert quote.state == "accepted"
    assert (quote.specification.version, quote.terms.version) == ("1.0", "1.0")
    with pytest.raises(BillingError) as caught:
        quote_decline(quote, actor=fleet.sakura_admin)
    assert caught.value.code == "quote_transition_not_allowed"


def test_business_hours_need_no_quote(fleet: Fleet, clock: Clock) -> None:
    price_table_make()
    clock.set(2027, 1, 12, 11, 0)
    with pytest.raises(BillingError) as caught:
        quote_create(
            fleet.sakura,
            title="In hours",
            work_starts_at=jst(2027, 1, 13, 10, 0),
            work_ends_at=jst(2027, 1, 13, 12, 0),
            valid_until=jst(2027, 1, 13).date(),
            actor=user_make("ops-tanaka"),
        )
    assert caught.value.code == "quote_not_needed"
    assert not Quote.objects.exists()


def test_no_price_table_is_a_clear_refusal(fleet: Fleet, clock: Clock) -> None:
    clock.set(2027, 1, 12, 11, 0)
    with pytest.raises(BillingError) as caught:
        quote_create(
            fleet.sakura,
            title="x",
            work_starts_at=jst(2027, 1, 16, 13, 0),
            work_ends_at=jst(2027, 1, 16, 14, 0),
            valid_until=jst(2027, 1, 14).date(),
            actor=user_make("ops-tanaka"),
        )
    assert caught.value.code == "no_price_table_in_force"


def test_only_the_customers_admin_answers(fleet: Fleet, clock: Clock) -> None:
    quote = saturday_quote(fleet, clock)
    quote_send(quote, actor=user_make("ops-suzuki"))
    for outsider in (fleet.sakura_member, fleet.kaede_admin):
        with pytest.raises(PermissionDeniedError):
            quote_accept(quote, actor=outsider)
    quote = quote_decline(quote, actor=fleet.sakura_admin, reason="Weekday is fine")
    assert quote.state == "declined"


def test_a_sent_quote_expires(fleet: Fleet, clock: Clock) -> None:
    quote = saturday_quote(fleet, clock)
    quote_send(quote, actor=user_make("ops-suzuki"))
    clock.set(2027, 1, 14, 23, 0)
    assert quotes_expire_due() == 0
    clock.set(2027, 1, 15, 0, 30)
    assert quotes_expire_due() == 1
    quote.refresh_from_db()
    assert quote.state == "expired"
    with pytest.raises(BillingError) as caught:
        quote_accept(quote, actor=fleet.sakura_admin)
    assert caught.value.code == "quote_transition_not_allowed"


def test_acceptance_after_the_work_started_is_refused(fleet: Fleet, clock: Clock) -> None:
    quote = saturday_quote(fleet, clock)
    quote.valid_until = jst(2027, 1, 31).date()
    quote.save()
    quote_send(quote, actor=user_make("ops-suzuki"))
    clock.set(2027, 1, 16, 13, 5)
    with pytest.raises(BillingError) as caught:
        quote_accept(quote, actor=fleet.sakura_admin)
    assert caught.value.code == "quote_window_started"


@pytest.mark.parametrize(
    ("language", "total", "accept"),
    [("en", "¥49,500", "Accept this quote"), ("ja", "¥49,500", "この見積もりを承認する")],
)
def test_portal_quote_pages(
    fleet: Fleet, clock: Clock, language: str, total: str, accept: str
) -> None:
    quote = saturday_quote(fleet, clock)
    client = client_for(fleet.sakura_admin, language=language)
    # a draft is invisible
    assert client.get(f"/portal/quotes/{quote.pk}/").status_code == 404
    assert quote.number not in page(client.get("/portal/quotes/"))
    quote_send(quote, actor=user_make("ops-suzuki"))
    assert quote.number in page(client.get("/portal/quotes/"))
    detail = page(client.get(f"/portal/quotes/{quote.pk}/"))
    assert total in detail
    assert accept in detail
    response = client.post(f"/portal/quotes/{quote.pk}/accept/")
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.state == "accepted"


def test_portal_quote_isolation_and_roles(fleet: Fleet, clock: Clock) -> None:
    quote = saturday_quote(fleet, clock)
    quote_send(quote, actor=user_make("ops-suzuki"))
    kaede = client_for(fleet.kaede_admin)
    assert quote.number not in page(kaede.get("/portal/quotes/"))
    assert kaede.get(f"/portal/quotes/{quote.pk}/").status_code == 404
    assert kaede.post(f"/portal/quotes/{quote.pk}/accept/").status_code == 404
    assert kaede.post(f"/portal/quotes/{quote.pk}/decline/").status_code == 404
    member = client_for(fleet.sakura_member)
    assert member.get(f"/portal/quotes/{quote.pk}/").status_code == 200
    assert member.post(f"/portal/quotes/{quote.pk}/accept/").status_code == 403
    quote.refresh_from_db()
    assert quote.state == "sent"


def test_console_quote_pages(fleet: Fleet, clock: Clock) -> None:
    price_table_make()
    clock.set(2027, 1, 12, 11, 0)
    ops = client_for(user_make("ops-tanaka"), language="en")
    form = page(ops.get(f"/console/billing/quotes/new/?customer={fleet.sakura.pk}"))
    assert "web1" in form
    assert "app1" not in form
    data = {
        "customer": str(fleet.sakura.pk),
        "server": str(fleet.web1.pk),
        "title": "OpenSSL on Saturday",
        "work_starts_at": "2027-01-16T13:00",
        "work_ends_at": "2027-01-16T15:30",
        "valid_until": "2027-01-14",
    }
    response = ops.post("/console/billing/quotes/new/", data)
    assert response.status_code == 302
    quote = Quote.objects.get()
    assert quote.work_starts_at == jst(2027, 1, 16, 13, 0)  # the provider's zone
    assert quote.total == Decimal(49500)
    ops.post(f"/console/billing/quotes/{quote.pk}/send/")
    quote.refresh_from_db()
    assert quote.state == "sent"
    assert "OpenSSL on Saturday" in page(ops.get("/console/billing/quotes/?state=sent"))
    # within business hours: refused on the form, nothing created
    data |= {"work_starts_at": "2027-01-13T10:00", "work_ends_at": "2027-01-13T12:00"}
    refused = ops.post("/console/billing/quotes/new/", data)
    assert "needs no quote" in page(refused)
    # another customer's server: a field error
    data |= {"work_starts_at": "2027-01-16T13:00", "server": str(fleet.app1.pk)}
    assert "Select a valid choice" in page(ops.post("/console/billing/quotes/new/", data))
    assert Quote.objects.count() == 1
