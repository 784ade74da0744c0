"""Price lookup and monthly billing lines: full months, pro rata first and last months (R8)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from patchdesk.engine.billing import (
    BillableContract,
    MonthlyFee,
    NoMonthlyFee,
    NoPriceTableInForce,
    OffHoursRate,
    PriceTable,
    RateBasis,
    compute_monthly_lines,
    select_price_table,
    tax_on,
    to_yen,
)
from patchdesk.engine.calendar import TimeKind
from patchdesk.engine.contracts import Plan

V1 = PriceTable(
    version="2026",
    valid_from=date(2026, 1, 1),
    monthly_fees=(
        MonthlyFee(plan=Plan.STANDARD, amount=Decimal(3000)),
        MonthlyFee(plan=Plan.SECURITY_UPDATE, amount=Decimal(5000)),
        MonthlyFee(plan=Plan.SECURITY_UPDATE, os_class="enterprise", amount=Decimal(8000)),
    ),
)
V2 = PriceTable(
    version="2027-04",
    valid_from=date(2027, 4, 1),
    monthly_fees=(
        MonthlyFee(plan=Plan.STANDARD, amount=Decimal(3300)),
        MonthlyFee(plan=Plan.SECURITY_UPDATE, amount=Decimal(5500)),
    ),
    off_hours_rates=(
        OffHoursRate(kind=TimeKind.WEEKDAY_NIGHT, basis=RateBasis.HOURLY, amount=Decimal(12000)),
    ),
)


@pytest.mark.parametrize(
    ("on", "version"),
    [(date(2026, 1, 1), "2026"), (date(2027, 3, 31), "2026"), (date(2027, 4, 1), "2027-04")],
)
def test_the_version_in_force(on: date, version: str) -> None:
    assert select_price_table([V2, V1], on=on).version == version


def test_no_version_in_force_is_an_error_with_the_day() -> None:
    with pytest.raises(NoPriceTableInForce) as caught:
        select_price_table([V1], on=date(2025, 12, 31))
    assert caught.value.params == {"on": date(2025, 12, 31)}


def test_fee_per_os_class_falls_back_to_the_general_fee() -> None:
    assert V1.monthly_fee(Plan.SECURITY_UPDATE, "enterprise") == Decimal(8000)
    assert V1.monthly_fee(Plan.SECURITY_UPDATE, "other") == Decimal(5000)
    assert V1.monthly_fee(Plan.STANDARD, "enterprise") == Decimal(3000)
    with pytest.raises(NoMonthlyFee):
        PriceTable(version="empty", valid_from=date(2026, 1, 1)).monthly_fee(Plan.STANDARD)


def test_a_version_starts_on_the_first_of_a_month() -> None:
    with pytest.raises(ValueError, match="first day of a month"):
        PriceTable(version="x", valid_from=date(2027, 4, 15))


def test_rounding_is_down_to_the_yen() -> None:
    assert to_yen(Decimal("1935.48")) == Decimal(1935)
    assert tax_on(Decimal(1999), rate_percent=Decimal(10)) == Decimal(199)


def contract(
    plan: Plan, start: date, ends_on: date | None = None, **kwargs: object
) -> BillableContract:
    return BillableContract(
        contract_id=1,
        customer_id=7,
        label="web1",
        plan=plan,
        start_date=start,
        ends_on=ends_on,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("billable", "month", "days", "amount"),
    [
        # S1: started Tuesday 2027-01-12: 20 of 31 days of 5,000 yen = 3,225.80 → 3,225.
        (contract(Plan.SECURITY_UPDATE, date(2027, 1, 12)), date(2027, 1, 1), 20, Decimal(3225)),
        (contract(Plan.SECURITY_UPDATE, date(2027, 1, 12)), date(2027, 2, 1), 28, Decimal(5000)),
        # S6: cancelled on 2027-03-31: March in full.
        (
            contract(Plan.SECURITY_UPDATE, date(2027, 1, 12), date(2027, 3, 31)),
            date(2027, 3, 1),
            31,
            Decimal(5000),
        ),
        # Ended by the end of support on 2028-06-30 (a month end) and on a 15th (pro rata).
        (
            contract(Plan.STANDARD, date(2027, 1, 12), date(2027, 3, 15)),
            date(2027, 3, 1),
            15,
            Decimal(1451),  # 3000 * 15 / 31 = 1451.61
        ),
        # A new price version from April prices April.
        (contract(Plan.STANDARD, date(2027, 1, 12)), date(2027, 4, 1), 30, Decimal(3300)),
        # OS class.
        (
            contract(Plan.SECURITY_UPDATE, date(2026, 1, 1), os_class="enterprise"),
            date(2026, 2, 1),
            28,
            Decimal(8000),
        ),
        # Started and ended in the same month.
        (
            contract(Plan.STANDARD, date(2026, 2, 2), date(2026, 2, 10)),
            date(2026, 2, 1),
            9,
            Decimal(964),  # 3000 * 9 / 28 = 964.28
        ),
    ],
)
def test_monthly_lines(billable: BillableContract, month: date, days: int, amount: Decimal) -> None:
    (line,) = compute_monthly_lines([billable], month=month, price_tables=[V1, V2])
    assert line.days_in_service == days
    assert line.amount == amount
    assert line.is_prorated is (days < line.days_in_month)
    assert line.period_start >= month


@pytest.mark.parametrize(
    ("billable", "month"),
    [
        (contract(Plan.STANDARD, date(2027, 1, 12)), date(2026, 12, 1)),  # before the start
        (contract(Plan.STANDARD, date(2027, 1, 12), date(2027, 3, 31)), date(2027, 4, 1)),
    ],
)
def test_no_line_outside_the_service_period(billable: BillableContract, month: date) -> None:
    assert compute_monthly_lines([billable], month=month, price_tables=[V1, V2]) == ()


def test_a_missing_price_stops_billing_with_the_reason() -> None:
    with pytest.raises(NoPriceTableInForce):
        compute_monthly_lines(
            [contract(Plan.STANDARD, date(2025, 1, 1))], month=date(2025, 6, 1), price_tables=[V1]
        )


def _upgraded_on(effective_on: date) -> tuple[BillableContract, BillableContract]:
    """web1: Standard from 2027-01-12, Security Update Service from ``effective_on``."""
    standard = BillableContract(
        contract_id=1,
        customer_id=7,
        label="web1",
        plan=Plan.STANDARD,
        start_date=date(2027, 1, 12),
        ends_on=effective_on - timedelta(days=1),
    )
    sus = BillableContract(
        contract_id=2,
        customer_id=7,
        label="web1",
        plan=Plan.SECURITY_UPDATE,
        start_date=effective_on,
        previous_id=1,
    )
    return standard, sus


def test_the_month_of_a_plan_change_is_one_line_pro_rata_per_plan() -> None:
    # Upgraded on Monday 2027-03-15: Standard 1-14 March, the Security Update Service 15-31.
    standard, sus = _upgraded_on(date(2027, 3, 15))
    (line,) = compute_monthly_lines([sus, standard], month=date(2027, 3, 1), price_tables=[V1])
    # 3000 * 14 / 31 + 5000 * 17 / 31 = 1354.83 + 2741.93 = 4096.77 → 4096 (one rounding).
    assert line.amount == Decimal(4096)
    assert (line.contract_id, line.plan, line.monthly_fee) == (2, Plan.SECURITY_UPDATE, 5000)
    assert (line.period_start, line.period_end) == (date(2027, 3, 1), date(2027, 3, 31))
    assert (line.days_in_service, line.is_prorated, line.is_plan_change) == (31, False, True)
    assert [(p.plan, p.days_in_service) for p in line.parts] == [
        (Plan.STANDARD, 14),
        (Plan.SECURITY_UPDATE, 17),
    ]
    # Never more than one month's fee of the higher plan, never less than the lower one's.
    assert Decimal(3000) < line.amount < Decimal(5000)


def test_the_months_around_a_plan_change_are_billed_at_one_plan() -> None:
    standard, sus = _upgraded_on(date(2027, 3, 15))
    (february,) = compute_monthly_lines([standard, sus], month=date(2027, 2, 1), price_tables=[V1])
    (april,) = compute_monthly_lines([standard, sus], month=date(2027, 4, 1), price_tables=[V1])
    assert (february.plan, february.amount, february.is_plan_change) == (
        Plan.STANDARD,
        3000,
        False,
    )
    assert (april.plan, april.amount, april.contract_id) == (Plan.SECURITY_UPDATE, 5000, 2)


def test_a_change_on_the_first_of_a_month_bills_that_month_at_the_new_plan() -> None:
    standard, sus = _upgraded_on(date(2027, 4, 1))
    (march,) = compute_monthly_lines([standard, sus], month=date(2027, 3, 1), price_tables=[V1])
    (april,) = compute_monthly_lines([standard, sus], month=date(2027, 4, 1), price_tables=[V1])
    assert (march.plan, march.amount) == (Plan.STANDARD, 3000)
    assert (april.plan, april.amount, april.is_plan_change) == (Plan.SECURITY_UPDATE, 5000, False)


def test_other_servers_keep_their_own_lines() -> None:
    standard, sus = _upgraded_on(date(2027, 3, 15))
    other = BillableContract(
        contract_id=3, customer_id=7, label="db1", plan=Plan.STANDARD, start_date=date(2027, 1, 12)
    )
    lines = compute_monthly_lines([standard, other, sus], month=date(2027, 3, 1), price_tables=[V1])
    assert sorted((line.label, line.contract_id) for line in lines) == [("db1", 3), ("web1", 2)]
