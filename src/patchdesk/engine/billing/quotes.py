"""Quotes for off-hours work (R4, R8): the amount, and the quote's life.

Work in business hours is part of the monthly fee. For a window that reaches outside them, each
off-hours kind (weekday night, holiday) is priced with its rate in the price table in force on
the day the quote is made:

* **hourly**: the hours of that kind in the window, rounded up to whole hours, times the rate;
* **fixed**: the rate once per continuous off-hours window of that kind.

Consumption tax is added once on the subtotal (rounded down to the yen).
States: draft → sent → accepted / declined / expired. A sent quote expires after its
``valid_until`` day, or when its work window starts before the customer accepted it.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType

from patchdesk.engine.billing.errors import (
    QuoteNotNeeded,
    QuoteTransitionNotAllowed,
    QuoteWindowStarted,
)
from patchdesk.engine.billing.money import tax_on, to_yen, total
from patchdesk.engine.billing.prices import PriceTable, RateBasis
from patchdesk.engine.calendar import BusinessCalendar, TimeKind, off_hours_windows

__all__ = [
    "QUOTE_TRANSITIONS",
    "QuoteAction",
    "QuoteEstimate",
    "QuoteLineItem",
    "QuoteState",
    "check_quote_acceptance",
    "estimate_off_hours_work",
    "next_quote_state",
    "quote_expiry_due",
]

_SECONDS_PER_HOUR = 3600


class QuoteState(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"


class QuoteAction(enum.StrEnum):
    SEND = "send"
    ACCEPT = "accept"
    DECLINE = "decline"
    EXPIRE = "expire"


QUOTE_TRANSITIONS = MappingProxyType(
    {
        (QuoteState.DRAFT, QuoteAction.SEND): QuoteState.SENT,
        (QuoteState.SENT, QuoteAction.ACCEPT): QuoteState.ACCEPTED,
        (QuoteState.SENT, QuoteAction.DECLINE): QuoteState.DECLINED,
        (QuoteState.SENT, QuoteAction.EXPIRE): QuoteState.EXPIRED,
    }
)


def next_quote_state(state: QuoteState, action: QuoteAction) -> QuoteState:
    try:
        return QUOTE_TRANSITIONS[(state, action)]
    except KeyError:
        raise QuoteTransitionNotAllowed(state=state.value, action=action.value) from None


@dataclass(frozen=True, slots=True, kw_only=True)
class QuoteLineItem:
    kind: TimeKind
    basis: RateBasis
    quantity: Decimal  # hours (hourly) or windows (fixed)
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class QuoteEstimate:
    lines: tuple[QuoteLineItem, ...]
    subtotal: Decimal
    tax_rate_percent: Decimal
    tax: Decimal
    total: Decimal
    price_version: str


def estimate_off_hours_work(
    calendar: BusinessCalendar, table: PriceTable, *, starts_at: datetime, ends_at: datetime
) -> QuoteEstimate:
    """Price the off-hours part of ``[starts_at, ends_at)``; :class:`QuoteNotNeeded` if none."""
    windows = off_hours_windows(calendar, starts_at, ends_at)
    if not windows:
        raise QuoteNotNeeded
    lines: list[QuoteLineItem] = []
    for kind in (TimeKind.WEEKDAY_NIGHT, TimeKind.HOLIDAY):
        of_kind = [w for w in windows if w.kind is kind]
        if not of_kind:
            continue
        rate = table.off_hours_rate(kind)
        if rate.basis is RateBasis.HOURLY:
            seconds = sum(w.duration.total_seconds() for w in of_kind)
            quantity = Decimal(math.ceil(seconds / _SECONDS_PER_HOUR))
        else:
            quantity = Decimal(len(of_kind))
        lines.append(
            QuoteLineItem(
                kind=kind,
                basis=rate.basis,
                quantity=quantity,
                unit_price=rate.amount,
                amount=to_yen(rate.amount * quantity),
            )
        )
    subtotal = total(line.amount for line in lines)
    tax = tax_on(subtotal, rate_percent=table.tax_rate_percent)
    return QuoteEstimate(
        lines=tuple(lines),
        subtotal=subtotal,
        tax_rate_percent=table.tax_rate_percent,
        tax=tax,
        total=subtotal + tax,
        price_version=table.version,
    )


def check_quote_acceptance(*, state: QuoteState, now: datetime, work_starts_at: datetime) -> None:
    """A customer may accept a sent quote only before its work window starts."""
    next_quote_state(state, QuoteAction.ACCEPT)
    if now >= work_starts_at:
        raise QuoteWindowStarted(starts_at=work_starts_at)


def quote_expiry_due(
    *, state: QuoteState, valid_until: date, today: date, now: datetime, work_starts_at: datetime
) -> bool:
    """A sent quote expires after its last valid day or once its work window has started."""
    return state is QuoteState.SENT and (today > valid_until or now >= work_starts_at)
