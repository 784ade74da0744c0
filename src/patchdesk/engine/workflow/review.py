"""Step 1 of Table 2: which classified advisories an operator confirms before they are
announced, and which are confirmed automatically (a per-level option of the provider)."""

from __future__ import annotations

import enum
from collections.abc import Iterable

__all__ = ["ANNOUNCED_LEVELS", "ReviewRoute", "review_route"]

ANNOUNCED_LEVELS = frozenset({"high", "medium"})  # out of scope / needs review: no announcement


class ReviewRoute(enum.StrEnum):
    IGNORE = "ignore"  # not a level the service announces (S7), or not decided yet
    REVIEW = "review"  # listed for an operator to confirm
    AUTO_CONFIRM = "auto_confirm"  # confirmed and announced without review


def review_route(level: str, *, auto_confirm_levels: Iterable[str] = ()) -> ReviewRoute:
    """Where a new advisory of ``level`` goes: only High and Medium are announced (R2, R6);
    ``auto_confirm_levels`` are those the provider chose to announce without review."""
    if level not in ANNOUNCED_LEVELS:
        return ReviewRoute.IGNORE
    if level in set(auto_confirm_levels):
        return ReviewRoute.AUTO_CONFIRM
    return ReviewRoute.REVIEW
