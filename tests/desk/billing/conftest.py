"""The example fleet, a controllable clock, and logged-in clients for contract tests."""

from __future__ import annotations

import pytest

from patchdesk_testing.contracts import Clock, Fleet, fleet_make


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def fleet(db: None) -> Fleet:
    return fleet_make()


@pytest.fixture(autouse=True)
def _sessions_outlive_the_clock(settings: object) -> None:
    """The clock jumps months ahead; logged-in test sessions must not expire meanwhile."""
    settings.SESSION_COOKIE_AGE = 20 * 365 * 24 * 3600  # type: ignore[attr-defined]
