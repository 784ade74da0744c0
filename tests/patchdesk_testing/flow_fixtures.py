"""pytest fixtures of the service flow's world (S2 fleet with Momiji) under a controllable
clock; the conftests of the flow's test folders import them."""

from __future__ import annotations

import pytest

from patchdesk_testing.contracts import Clock, provider_defaults_ensure
from patchdesk_testing.service_flow import (
    HIGH_ADVISORY,
    MEDIUM_ADVISORY,
    FlowWorld,
    announce,
    flow_world_make,
)

__all__ = ["announced", "clock", "flow"]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def flow(db: None, clock: Clock, settings: object) -> FlowWorld:
    settings.SESSION_COOKIE_AGE = 20 * 365 * 24 * 3600  # type: ignore[attr-defined]
    settings.PATCHDESK_BASE_URL = "https://desk.provider.example"  # type: ignore[attr-defined]
    provider_defaults_ensure()
    return flow_world_make(clock)


@pytest.fixture
def announced(flow: FlowWorld) -> FlowWorld:
    """The flow with the High and the Medium advisory confirmed (default response policy)."""
    announce(flow, HIGH_ADVISORY, MEDIUM_ADVISORY, default_policy=True)
    return flow
