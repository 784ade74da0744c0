"""Writing services of the billing app: one transaction and one audit entry each."""

from __future__ import annotations

from patchdesk.desk.billing.services.monthly import billing_month_close, billing_month_generate
from patchdesk.desk.billing.services.prices import (
    price_table_create,
    price_table_fee_remove,
    price_table_fee_set,
    price_table_is_frozen,
    price_table_rate_remove,
    price_table_rate_set,
)
from patchdesk.desk.billing.services.quotes import (
    quote_accept,
    quote_create,
    quote_decline,
    quote_expire,
    quote_send,
    quotes_expire_due,
)

__all__ = [
    "billing_month_close",
    "billing_month_generate",
    "price_table_create",
    "price_table_fee_remove",
    "price_table_fee_set",
    "price_table_is_frozen",
    "price_table_rate_remove",
    "price_table_rate_set",
    "quote_accept",
    "quote_create",
    "quote_decline",
    "quote_expire",
    "quote_send",
    "quotes_expire_due",
]
