"""Prices, monthly billing lines and off-hours quotes (R4, R8). Money is ``Decimal`` yen."""

from __future__ import annotations

from patchdesk.engine.billing.errors import (
    BillingRuleError,
    NoMonthlyFee,
    NoOffHoursRate,
    NoPriceTableInForce,
    QuoteNotNeeded,
    QuoteTransitionNotAllowed,
    QuoteWindowStarted,
)
from patchdesk.engine.billing.money import YEN, tax_on, to_yen, total
from patchdesk.engine.billing.monthly import (
    BillableContract,
    LinePart,
    MonthlyLine,
    compute_monthly_lines,
)
from patchdesk.engine.billing.prices import (
    DEFAULT_TAX_RATE_PERCENT,
    MonthlyFee,
    OffHoursRate,
    PriceTable,
    RateBasis,
    select_price_table,
)
from patchdesk.engine.billing.quotes import (
    QUOTE_TRANSITIONS,
    QuoteAction,
    QuoteEstimate,
    QuoteLineItem,
    QuoteState,
    check_quote_acceptance,
    estimate_off_hours_work,
    next_quote_state,
    quote_expiry_due,
)

__all__ = [
    "DEFAULT_TAX_RATE_PERCENT",
    "QUOTE_TRANSITIONS",
    "YEN",
    "BillableContract",
    "BillingRuleError",
    "LinePart",
    "MonthlyFee",
    "MonthlyLine",
    "NoMonthlyFee",
    "NoOffHoursRate",
    "NoPriceTableInForce",
    "OffHoursRate",
    "PriceTable",
    "QuoteAction",
    "QuoteEstimate",
    "QuoteLineItem",
    "QuoteNotNeeded",
    "QuoteState",
    "QuoteTransitionNotAllowed",
    "QuoteWindowStarted",
    "RateBasis",
    "check_quote_acceptance",
    "compute_monthly_lines",
    "estimate_off_hours_work",
    "next_quote_state",
    "quote_expiry_due",
    "select_price_table",
    "tax_on",
    "to_yen",
    "total",
]
