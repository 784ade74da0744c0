"""The S2 fleet with findings (``world``) under a controllable clock."""

from __future__ import annotations

import pytest

from patchdesk_testing.contracts import Clock, provider_defaults_ensure
from patchdesk_testing.security import World, world_make


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def world(db: None, clock: Clock, settings: object) -> World:
    settings.SESSION_COOKIE_AGE = 20 * 365 * 24 * 3600  # type: ignore[attr-defined]
    provider_defaults_ensure()
    return world_make(clock)
