"""Price table versions and monthly billing lines with the CSV export (R8)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from patchdesk.desk.billing.errors import BillingError
from patchdesk.desk.billing.models import BillingLine, BillingMonth, PriceTable
from patchdesk.desk.billing.services import (
    billing_month_close,
    billing_month_generate,
    price_table_create,
    price_table_fee_set,
    quote_accept,
    quote_create,
    quote_send,
)
from patchdesk.desk.contracts.services import (
    contract_accept,
    contract_apply,
    contract_cancellation_request,
    contract_plan_change_request,
    contracts_advance_due,
)
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


def s1_contracts(fleet: Fleet, clock: Clock) -> None:
    operator = user_make("ops-tanaka")
    clock.set(2027, 1, 8, 11, 0)
    contracts = contract_apply(
        fleet.sakura,
        servers=[fleet.web1, fleet.db1],
        plan="security_update",
        actor=fleet.sakura_admin,
    )
    clock.set(2027, 1, 8, 15, 0)
    for contract in contracts:
        contract_accept(contract, actor=operator)
    clock.set(2027, 1, 12, 0, 5)
    contracts_advance_due()
    clock.set(2027, 2, 15, 10, 0)
    contract_cancellation_request(
        contracts[1], cancel_on=date(2027, 3, 31), actor=fleet.sakura_admin
    )


def test_monthly_lines_first_full_and_last_month(fleet: Fleet, clock: Clock) -> None:
    price_table_make()
    s1_contracts(fleet, clock)
    operator = user_make("ops-suzuki")
    clock.set(2027, 2, 1, 9, 0)
    january = billing_month_generate(date(2027, 1, 1), actor=operator)
    lines = {line.description: line for line in january.lines.all()}
    assert {line.amount for line in lines.values()} == {Decimal(3225)}  # 20/31 of 5,000
    assert {line.days_in_service for line in lines.values()} == {20}
    clock.set(2027, 4, 1, 9, 0)
    contracts_advance_due()
    march = billing_month_generate(date(2027, 3, 15), actor=operator)
    assert sorted(line.amount for line in march.lines.all()) == [Decimal(5000), Decimal(5000)]
    april = billing_month_generate(date(2027, 4, 1), actor=operator)
    assert [line.contract.server.name for line in april.lines.all()] == ["web1"]  # type: ignore[union-attr]


def test_regenerate_while_draft_then_close(fleet: Fleet, clock: Clock) -> None:
    price_table_make()
    s1_contracts(fleet, clock)
    operator = user_make("ops-suzuki")
    clock.set(2027, 1, 20, 9, 0)
    billing_month_generate(date(2027, 1, 1), actor=operator)
    billing_month = billing_month_generate(date(2027, 1, 1), actor=operator)
    assert BillingLine.objects.count() == 2
    with pytest.raises(BillingError) as caught:
        billing_month_close(billing_month, actor=operator)
    assert caught.value.code == "billing_month_not_over"
    clock.set(2027, 2, 1, 9, 0)
    billing_month_close(billing_month, actor=operator)
    with pytest.raises(BillingError) as caught:
        billing_month_generate(date(2027, 1, 1), actor=operator)
    assert caught.value.code == "billing_month_closed"


def test_accepted_off_hours_work_is_billed_in_its_month(fleet: Fleet, clock: Clock) -> None:
    price_table_make()
    s1_contracts(fleet, clock)
    clock.set(2027, 3, 1, 11, 0)
    quote = quote_create(
        fleet.sakura,
        title="Saturday work",
        work_starts_at=jst(2027, 3, 6, 13, 0),
        work_ends_at=jst(2027, 3, 6, 14, 0),
        valid_until=date(2027, 3, 5),
        actor=user_make("ops-sato"),
    )
    quote_send(quote, actor=user_make("ops-suzuki"))
    quote_accept(quote, actor=fleet.sakura_admin)
    march = billing_month_generate(date(2027, 3, 1), actor=None)
    work = march.lines.get(kind="off_hours_work")
    assert (work.amount, work.quote) == (Decimal(15000), quote)


def test_a_missing_price_is_named(fleet: Fleet, clock: Clock) -> None:
    s1_contracts(fleet, clock)
    with pytest.raises(BillingError) as caught:
        billing_month_generate(date(2027, 1, 1), actor=None)
    assert caught.value.code == "no_price_table_in_force"
    assert not BillingMonth.objects.exists()


def test_price_versions_freeze_once_used(fleet: Fleet, clock: Clock) -> None:
    operator = user_make("ops-tanaka")
    first = price_table_make()
    clock.set(2027, 1, 20, 9, 0)
    with pytest.raises(BillingError) as caught:
        price_table_create(
            version="2027-04",
            valid_from=date(2027, 4, 15),
            tax_rate_percent=Decimal(10),
            actor=operator,
        )
    assert caught.value.code == "price_table_start"
    april = price_table_create(
        version="2027-04",
        valid_from=date(2027, 4, 1),
        tax_rate_percent=Decimal(10),
        actor=operator,
        copy_from=first,
    )
    assert april.fees.count() == 2
    price_table_fee_set(april, plan="standard", os_class="", amount=Decimal(3300), actor=operator)
    price_table_fee_set(
        april, plan="security_update", os_class="enterprise", amount=Decimal(8000), actor=operator
    )
    assert april.fees.get(plan="standard").amount == Decimal(3300)
    # the first version is used by a quote: frozen
    quote_create(
        fleet.sakura,
        title="Saturday",
        work_starts_at=jst(2027, 1, 23, 13),
        work_ends_at=jst(2027, 1, 23, 14),
        valid_until=date(2027, 1, 22),
        actor=operator,
    )
    with pytest.raises(BillingError) as caught:
        price_table_fee_set(first, plan="standard", os_class="", amount=Decimal(1), actor=operator)
    assert caught.value.code == "price_table_frozen"


def test_console_billing_pages_and_csv(fleet: Fleet, clock: Clock) -> None:
    price_table_make()
    s1_contracts(fleet, clock)
    clock.set(2027, 2, 1, 9, 0)
    ops = client_for(user_make("ops-suzuki"), language="en")
    html = page(ops.get("/console/billing/?month=2027-01"))
    assert "No lines have been generated for this month." in html
    response = ops.post("/console/billing/", {"month": "2027-01", "action": "generate"})
    assert response.status_code == 302
    html = page(ops.get("/console/billing/?month=2027-01"))
    assert "¥6,450" in html  # two lines of 3,225
    response = ops.get("/console/billing/lines/2027-01.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="billing-2027-01.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["customer_code"], r["amount_jpy"], r["days_in_service"]) for r in rows] == [
        ("sakura-web", "3225", "20"),
        ("sakura-web", "3225", "20"),
    ]
    ops.post("/console/billing/", {"month": "2027-01", "action": "close"})
    assert BillingMonth.objects.get().state == "closed"
    # price pages
    assert "2026" in page(ops.get("/console/billing/prices/"))
    table = PriceTable.objects.get()
    assert "read-only" in page(ops.get(f"/console/billing/prices/{table.pk}/"))
    created = ops.post(
        "/console/billing/prices/",
        {
            "version": "2027-04",
            "valid_from": "2027-04-01",
            "tax_rate_percent": "10",
            "copy_from": table.pk,
        },
    )
    assert created.status_code == 302
    new = PriceTable.objects.get(version="2027-04")
    versions = page(ops.get("/console/billing/prices/"))
    assert "March 31, 2027" in versions  # the 2026 version is valid until the day before
    ops.post(
        f"/console/billing/prices/{new.pk}/",
        {"row": "rate", "kind": "holiday", "basis": "fixed", "amount": "30000"},
    )
    assert new.rates.get(kind="holiday").basis == "fixed"
    bad = ops.post(
        f"/console/billing/prices/{new.pk}/", {"row": "fee", "plan": "standard", "amount": "-1"}
    )
    assert bad.status_code == 200
    assert new.fees.get(plan="standard").amount == Decimal(3000)


@pytest.mark.parametrize(
    "url",
    [
        "/console/billing/",
        "/console/billing/prices/",
        "/console/billing/quotes/",
        "/console/billing/lines/2027-01.csv",
    ],
)
def test_billing_pages_are_closed_to_customers(fleet: Fleet, url: str) -> None:
    assert client_for(fleet.sakura_admin).get(url).status_code == 403


def test_a_server_upgraded_mid_month_has_one_line_per_month(fleet: Fleet, clock: Clock) -> None:
    """Kaede's app1: Standard from 2027-01-12, upgraded to the Security Update Service on
    Monday 2027-03-15. March is one line: 14 days of Standard and 17 of the Security Update
    Service, pro rata (docs/contracts.md); never both plans' fees for the same month."""
    price_table_make()
    operator = user_make("ops-tanaka")
    clock.set(2027, 1, 8, 11, 0)
    (standard,) = contract_apply(
        fleet.kaede, servers=[fleet.app1], plan="standard", actor=fleet.kaede_admin
    )
    clock.set(2027, 1, 8, 15, 0)
    contract_accept(standard, actor=operator)
    clock.set(2027, 1, 12, 0, 5)
    contracts_advance_due()
    clock.set(2027, 3, 11, 10, 0)
    upgrade = contract_plan_change_request(
        standard, plan="security_update", actor=fleet.kaede_admin
    )
    clock.set(2027, 3, 12, 15, 0)
    contract_accept(upgrade, actor=operator)
    # Generated before the change took effect, and again after: the same single line.
    for when in ((2027, 3, 13, 9, 0), (2027, 4, 1, 9, 0)):
        clock.set(*when)
        contracts_advance_due()
        march = billing_month_generate(date(2027, 3, 1), actor=operator)
        (line,) = march.lines.filter(customer=fleet.kaede)
        # 3,000 * 14 / 31 + 5,000 * 17 / 31 = 4,096.77 → 4,096.
        assert line.amount == Decimal(4096)
        assert line.contract_id == upgrade.pk
        assert (line.period_start, line.period_end) == (date(2027, 3, 1), date(2027, 3, 31))
        assert line.days_in_service == 31
        assert "03-01 to 03-14" in line.description
        assert "03-15 to 03-31" in line.description
    february = billing_month_generate(date(2027, 2, 1), actor=operator)
    (line,) = february.lines.filter(customer=fleet.kaede)
    assert (line.amount, line.contract_id) == (Decimal(3000), standard.pk)
    april = billing_month_generate(date(2027, 4, 1), actor=operator)
    (line,) = april.lines.filter(customer=fleet.kaede)
    assert (line.amount, line.contract_id) == (Decimal(5000), upgrade.pk)
