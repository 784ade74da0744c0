"""The example fleet, a controllable clock, and logged-in clients for contract tests."""

from __future__ import annotations

import pytest

from patchdesk_testing.contracts import Clock, Fleet, fleet_make, provider_defaults_ensure


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def provider_defaults(db: None) -> None:
    """The seeded calendar and documents, even after a transactional test flushed them."""
    provider_defaults_ensure()


@pytest.fixture
def fleet(provider_defaults: None) -> Fleet:
    return fleet_make()


@pytest.fixture(autouse=True)
def _sessions_outlive_the_clock(settings: object) -> None:
    """The clock jumps months ahead; logged-in test sessions must not expire meanwhile."""
    settings.SESSION_COOKIE_AGE = 20 * 365 * 24 * 3600  # type: ignore[attr-defined]
