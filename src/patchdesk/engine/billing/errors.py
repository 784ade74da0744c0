"""Billing rule violations: a stable code and parameters; the desk words them."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

__all__ = [
    "BillingRuleError",
    "NoMonthlyFee",
    "NoOffHoursRate",
    "NoPriceTableInForce",
    "QuoteNotNeeded",
    "QuoteTransitionNotAllowed",
    "QuoteWindowStarted",
]


class BillingRuleError(Exception):
    code: ClassVar[str] = "billing_rule"

    def __init__(self, **params: object) -> None:
        super().__init__(self.code, params)
        self.params: dict[str, object] = dict(params)


class NoPriceTableInForce(BillingRuleError):
    code = "no_price_table_in_force"

    def __init__(self, *, on: date) -> None:
        super().__init__(on=on)


class NoMonthlyFee(BillingRuleError):
    code = "no_monthly_fee"

    def __init__(self, *, version: str, plan: str, os_class: str) -> None:
        super().__init__(version=version, plan=plan, os_class=os_class)


class NoOffHoursRate(BillingRuleError):
    code = "no_off_hours_rate"

    def __init__(self, *, version: str, kind: str) -> None:
        super().__init__(version=version, kind=kind)


class QuoteNotNeeded(BillingRuleError):
    """The whole window is in business hours: the work is part of the service, no quote."""

    code = "quote_not_needed"

    def __init__(self) -> None:
        super().__init__()


class QuoteWindowStarted(BillingRuleError):
    code = "quote_window_started"

    def __init__(self, *, starts_at: datetime) -> None:
        super().__init__(starts_at=starts_at)


class QuoteTransitionNotAllowed(BillingRuleError):
    code = "quote_transition_not_allowed"

    def __init__(self, *, state: str, action: str) -> None:
        super().__init__(state=state, action=action)
