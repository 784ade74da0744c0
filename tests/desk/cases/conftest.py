"""The service flow's world (S2 fleet with Momiji) under a controllable clock."""

from patchdesk_testing.flow_fixtures import announced, clock, flow

__all__ = ["announced", "clock", "flow"]
