"""Price lookup and monthly billing lines: full months, pro rata first and last months (R8)."""

from __future__ import annotations

from datetime import date
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
