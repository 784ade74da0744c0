"""Money in Japanese yen: ``Decimal`` amounts, rounded down to whole yen.

Rounding rules (docs/contracts.md): every computed amount (a pro-rata fee, a line) is rounded
down to the yen; consumption tax is computed once on a document's subtotal and rounded down, as
a qualified invoice requires one rounding per tax rate per document.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_DOWN, Decimal

__all__ = ["YEN", "tax_on", "to_yen", "total"]

YEN = Decimal(1)


def to_yen(amount: Decimal) -> Decimal:
    """``amount`` rounded down (toward zero) to whole yen."""
    return amount.quantize(YEN, rounding=ROUND_DOWN)


def tax_on(subtotal: Decimal, *, rate_percent: Decimal) -> Decimal:
    """Consumption tax on ``subtotal``, rounded down to the yen."""
    return to_yen(subtotal * rate_percent / Decimal(100))


def total(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, Decimal(0))
