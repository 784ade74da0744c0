"""Rules added for the desk's service flow: review routes, standing consent, notice timing,
retries, digests and capacity by overlapping work (2027 calendar)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from patchdesk.engine.calendar import BusinessCalendar
from patchdesk.engine.workflow.consent import standing_consent_applies
from patchdesk.engine.workflow.delivery import (
    RETRY_DELAYS_S,
    NoticeTiming,
    digest_cutoff,
    notice_timing,
    retry_at,
)
from patchdesk.engine.workflow.review import ReviewRoute, review_route
from patchdesk.engine.workflow.timing import (
    WindowProblem,
    check_business_window,
    offer_windows,
    overlapping,
)

JST = ZoneInfo("Asia/Tokyo")
CALENDAR = BusinessCalendar()
FRIDAY = datetime(2027, 1, 8, 15, 0, tzinfo=JST)


def jst(*args: int) -> datetime:
    return datetime(*args, tzinfo=JST)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("level", "auto", "route"),
    [
        ("high", (), ReviewRoute.REVIEW),
        ("medium", (), ReviewRoute.REVIEW),
        ("high", ("high",), ReviewRoute.AUTO_CONFIRM),
        ("medium", ("high",), ReviewRoute.REVIEW),
        ("medium", ("high", "medium"), ReviewRoute.AUTO_CONFIRM),
        ("out_of_scope", ("high", "medium"), ReviewRoute.IGNORE),  # S7: no announcement
        ("needs_review", ("high",), ReviewRoute.IGNORE),
    ],
)
def test_review_route(level: str, auto: tuple[str, ...], route: ReviewRoute) -> None:
    assert review_route(level, auto_confirm_levels=auto) == route


@pytest.mark.parametrize(
    ("level", "consent", "actionable", "paused", "applies"),
    [
        ("high", True, True, False, True),
        ("medium", True, True, False, False),  # Medium always waits for the customer
        ("high", False, True, False, False),
        ("high", True, False, False, False),  # not affected or not covered
        ("high", True, True, True, False),  # paused (R14)
    ],
)
def test_standing_consent(
    level: str, consent: bool, actionable: bool, paused: bool, applies: bool
) -> None:
    assert (
        standing_consent_applies(
            level, has_consent=consent, is_actionable=actionable, is_paused=paused
        )
        is applies
    )


def test_notice_timing_never_delays_what_needs_an_answer() -> None:
    assert notice_timing(wants_digest=True, needs_action=False) == NoticeTiming.DIGEST
    assert notice_timing(wants_digest=True, needs_action=True) == NoticeTiming.IMMEDIATE
    assert notice_timing(wants_digest=False, needs_action=False) == NoticeTiming.IMMEDIATE


def test_retries_back_off_then_give_up() -> None:
    now = datetime(2027, 1, 8, 6, 0, tzinfo=UTC)
    delays = [retry_at(n, now=now) for n in range(1, len(RETRY_DELAYS_S) + 2)]
    assert delays[0] == now + timedelta(minutes=1)
    assert delays[1] == now + timedelta(minutes=5)
    assert delays[-2] == now + timedelta(hours=12)
    assert delays[-1] is None
    gaps = [d - now for d in delays if d is not None]
    assert gaps == sorted(gaps)
    with pytest.raises(ValueError, match="starting at 1"):
        retry_at(0, now=now)


@pytest.mark.parametrize(
    ("now", "cutoff"),
    [
        (jst(2027, 1, 8, 9, 0), jst(2027, 1, 8, 9, 0)),
        (jst(2027, 1, 8, 8, 59), jst(2027, 1, 7, 9, 0)),
        (jst(2027, 1, 8, 23, 0), jst(2027, 1, 8, 9, 0)),
        (datetime(2027, 1, 8, 0, 30, tzinfo=UTC), jst(2027, 1, 8, 9, 0)),  # 09:30 in Tokyo
    ],
)
def test_digest_cutoff(now: datetime, cutoff: datetime) -> None:
    assert digest_cutoff(now, hour=9, time_zone="Asia/Tokyo") == cutoff


def test_overlapping_work_fills_neighbouring_windows() -> None:
    order = (jst(2027, 1, 12, 10, 0), jst(2027, 1, 12, 12, 0))
    assert overlapping(jst(2027, 1, 12, 11, 0), jst(2027, 1, 12, 13, 0), [order]) == 1
    assert overlapping(jst(2027, 1, 12, 12, 0), jst(2027, 1, 12, 14, 0), [order]) == 0
    windows = offer_windows(
        CALENDAR, now=FRIDAY, duration=timedelta(hours=2), count=3, capacity=1, occupied=[order]
    )
    assert [w.starts_at for w in windows] == [
        jst(2027, 1, 12, 12, 0),
        jst(2027, 1, 12, 13, 0),
        jst(2027, 1, 12, 14, 0),
    ]
    two = offer_windows(
        CALENDAR, now=FRIDAY, duration=timedelta(hours=2), count=1, capacity=2, occupied=[order]
    )
    assert two[0].starts_at == jst(2027, 1, 12, 10, 0)


@pytest.mark.parametrize(
    ("start", "end", "occupied", "problem"),
    [
        (jst(2027, 1, 12, 10, 0), jst(2027, 1, 12, 12, 0), [], None),
        (jst(2027, 1, 8, 14, 0), jst(2027, 1, 8, 16, 0), [], WindowProblem.IN_THE_PAST),
        (jst(2027, 1, 12, 17, 0), jst(2027, 1, 12, 19, 0), [], WindowProblem.NOT_BUSINESS_HOURS),
        (jst(2027, 1, 11, 10, 0), jst(2027, 1, 11, 12, 0), [], WindowProblem.NOT_BUSINESS_HOURS),
        (
            jst(2027, 1, 12, 11, 0),
            jst(2027, 1, 12, 12, 0),
            [(jst(2027, 1, 12, 10, 0), jst(2027, 1, 12, 12, 0))],
            WindowProblem.FULL,
        ),
    ],
)
def test_check_business_window(
    start: datetime,
    end: datetime,
    occupied: list[tuple[datetime, datetime]],
    problem: str | None,
) -> None:
    assert (
        check_business_window(
            CALENDAR, starts_at=start, ends_at=end, now=FRIDAY, capacity=1, occupied=occupied
        )
        == problem
    )
