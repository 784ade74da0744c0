"""Which vendor date ends the service for an OS release (R5, R13).

The service ends when the vendor stops publishing security updates that the provider can apply
to every customer's server without an extra subscription:

* **Debian**: the end of Debian LTS (``extended_support_ends_on``). LTS updates are published
  in the same public security archive, free of charge, so they reach every Debian server.
* **Every other distribution**: the end of regular security support
  (``security_support_ends_on``). Extended offers (RHEL ELS, Ubuntu Pro/ESM, SLES LTSS, Oracle
  Extended Support) are paid subscriptions of the customer, which the service does not assume.

An operator can still correct the date of a platform by hand in the console.
"""

from __future__ import annotations

from datetime import date

from patchdesk.engine.model import EndOfLife

__all__ = ["FREE_EXTENDED_SUPPORT_DISTROS", "has_service_ended", "select_service_end"]

FREE_EXTENDED_SUPPORT_DISTROS = frozenset({"debian"})


def select_service_end(record: EndOfLife) -> date | None:
    """The last day the service can cover the release described by ``record``.

    ``None`` means no date is known: check :func:`has_service_ended` for a release whose support
    is known to have ended without a date.
    """
    distro = record.platform_key.partition(":")[0]
    if distro in FREE_EXTENDED_SUPPORT_DISTROS and record.extended_support_ends_on is not None:
        return record.extended_support_ends_on
    return record.security_support_ends_on


def has_service_ended(record: EndOfLife, *, today: date) -> bool:
    """Whether the service can no longer cover the release on ``today``."""
    ends_on = select_service_end(record)
    if ends_on is None:
        return record.security_support_ended
    return today > ends_on
