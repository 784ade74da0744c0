"""How notices reach people: at once or in the daily digest, and when a failed delivery is
tried again (mail and webhooks share the outbox's rules)."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "RETRY_DELAYS_S",
    "NoticeTiming",
    "digest_cutoff",
    "notice_timing",
    "retry_at",
]

# 1 min, 5 min, 15 min, 1 h, 4 h, 12 h: then the delivery is failed for good (shown to operators).
RETRY_DELAYS_S: tuple[int, ...] = (60, 300, 900, 3600, 4 * 3600, 12 * 3600)


class NoticeTiming(enum.StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"


def notice_timing(*, wants_digest: bool, needs_action: bool) -> NoticeTiming:
    """A contact who chose the daily digest gets informational announcements (none of their
    servers affected) once a day; anything that needs an answer — an affected server, whose
    time to request runs — is always sent at once."""
    if wants_digest and not needs_action:
        return NoticeTiming.DIGEST
    return NoticeTiming.IMMEDIATE


def retry_at(
    attempts: int, *, now: datetime, delays_s: Sequence[int] = RETRY_DELAYS_S
) -> datetime | None:
    """When to try again after ``attempts`` failed attempts (1 = the first failed); None when
    the attempts are used up and the delivery is failed for good."""
    if attempts < 1:
        raise ValueError("attempts counts failed attempts, starting at 1")
    if attempts > len(delays_s):
        return None
    return now + timedelta(seconds=delays_s[attempts - 1])


def digest_cutoff(now: datetime, *, hour: int, time_zone: str) -> datetime:
    """The latest daily digest time (``hour``:00 in ``time_zone``) at or before ``now``.

    Notices held before the cutoff go into that day's digest; a digest job that runs late (or
    twice) finds the same cutoff, so each contact gets one digest per day.
    """
    if not 0 <= hour <= 23:
        raise ValueError("hour must be 0..23")
    zone = ZoneInfo(time_zone)
    local = now.astimezone(zone)
    cutoff = datetime.combine(local.date(), time(hour), tzinfo=zone)
    if cutoff > local:
        cutoff = datetime.combine(local.date() - timedelta(days=1), time(hour), tzinfo=zone)
    return cutoff
