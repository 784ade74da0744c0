"""Standing consent (R7): a customer may request ahead of time, per server, that every High
countermeasure be applied in the next business-hours window without asking each time."""

from __future__ import annotations

__all__ = ["STANDING_CONSENT_LEVELS", "standing_consent_applies"]

STANDING_CONSENT_LEVELS = frozenset({"high"})


def standing_consent_applies(
    level: str, *, has_consent: bool, is_actionable: bool, is_paused: bool
) -> bool:
    """True when an announced item counts as requested by the server's standing consent.

    Only High (a Medium fix always waits for the customer's own request), only for servers
    the case acts on (affected and covered), and never while the service is paused (R14): the
    customer must answer themselves once credentials work again.
    """
    return has_consent and is_actionable and not is_paused and level in STANDING_CONSENT_LEVELS
