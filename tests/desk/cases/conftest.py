"""The service flow's world (S2 fleet with Momiji) under a controllable clock."""

from __future__ import annotations

import pytest

from patchdesk_testing.contracts import Clock, provider_defaults_ensure
from patchdesk_testing.service_flow import FlowWorld, flow_world_make


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def flow(db: None, clock: Clock, settings: object) -> FlowWorld:
    settings.SESSION_COOKIE_AGE = 20 * 365 * 24 * 3600  # type: ignore[attr-defined]
    settings.PATCHDESK_BASE_URL = "https://desk.provider.example"  # type: ignore[attr-defined]
    provider_defaults_ensure()
    return flow_world_make(clock)
