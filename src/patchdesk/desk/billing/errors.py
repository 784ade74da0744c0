"""Billing errors as people read them (engine codes worded in the user's language)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from patchdesk.desk.billing.choices import OffHoursKind, QuoteStateChoices
from patchdesk.desk.contracts.choices import PlanChoices
from patchdesk.desk.contracts.errors import ContractError
from patchdesk.engine.billing import BillingRuleError

__all__ = [
    "BillingError",
    "BillingMonthClosedError",
    "BillingMonthNotOverError",
    "PriceTableFrozenError",
    "PriceTableStartError",
    "PriceVersionExistsError",
    "QuoteWindowInvalidError",
    "from_billing_rule",
]


class BillingError(ContractError):
    """Base of billing refusals; shares the contracts' date formatting."""


class NoPriceTableInForceError(BillingError):
    code = "no_price_table_in_force"
    message_format = _("No price table is in force on %(on)s: add one under Prices.")


class NoMonthlyFeeError(BillingError):
    code = "no_monthly_fee"
    message_format = _("Price table %(version)s has no monthly fee for %(plan)s %(os_class)s.")


class NoOffHoursRateError(BillingError):
    code = "no_off_hours_rate"
    message_format = _("Price table %(version)s has no rate for: %(kind)s.")


class QuoteNotNeededError(BillingError):
    code = "quote_not_needed"
    message_format = _(
        "The whole window is in business hours: the work is part of the service and needs no quote."
    )
    field = "work_starts_at"


class QuoteWindowStartedError(BillingError):
    code = "quote_window_started"
    message_format = _(
        "The work was to start at %(starts_at)s: this quote can no longer be accepted."
    )


class QuoteTransitionNotAllowedError(BillingError):
    code = "quote_transition_not_allowed"
    message_format = _("This is not possible while the quote is in the state: %(state)s.")


class PriceTableFrozenError(BillingError):
    code = "price_table_frozen"
    message_format = _(
        "Price table %(version)s has been used by a quote or a closed billing month and can no "
        "longer be changed: create a new version."
    )


class PriceTableStartError(BillingError):
    code = "price_table_start"
    message_format = _(
        "A price table takes effect on the first day of a month after the last closed billing "
        "month."
    )
    field = "valid_from"


class PriceVersionExistsError(BillingError):
    code = "price_version_exists"
    message_format = _("A price table with this version or start day already exists.")


class QuoteWindowInvalidError(BillingError):
    code = "quote_window_invalid"
    message_format = _("The work must end after it starts, and start in the future.")
    field = "work_ends_at"


class BillingMonthClosedError(BillingError):
    code = "billing_month_closed"
    message_format = _("The billing of %(month)s is closed.")


class BillingMonthNotOverError(BillingError):
    code = "billing_month_not_over"
    message_format = _("The billing of %(month)s can be closed once the month is over.")


_BY_CODE: dict[str, type[BillingError]] = {
    cls.code: cls
    for cls in (
        NoPriceTableInForceError,
        NoMonthlyFeeError,
        NoOffHoursRateError,
        QuoteNotNeededError,
        QuoteWindowStartedError,
        QuoteTransitionNotAllowedError,
    )
}


def from_billing_rule(exc: BillingRuleError) -> BillingError:
    params: dict[str, Any] = dict(exc.params)
    if "plan" in params:
        params["plan"] = PlanChoices(params["plan"]).label
    if "kind" in params:
        params["kind"] = OffHoursKind(params["kind"]).label
    if "state" in params:
        params["state"] = QuoteStateChoices(params["state"]).label
    params.pop("action", None)
    return _BY_CODE[exc.code](**params)
