"""The two plans of the service (R2): which security levels each one covers."""

from __future__ import annotations

import enum

__all__ = ["Plan", "plan_covers"]


class Plan(enum.StrEnum):
    STANDARD = "standard"  # High only: every managed server has it
    SECURITY_UPDATE = "security_update"  # the Security Update Service: High and Medium

    @property
    def covered_levels(self) -> frozenset[str]:
        """Security level codes (``engine.model.SecurityLevel`` values) the plan acts on."""
        return _COVERED[self]


_COVERED = {
    Plan.STANDARD: frozenset({"high"}),
    Plan.SECURITY_UPDATE: frozenset({"high", "medium"}),
}


def plan_covers(plan: Plan, level: str) -> bool:
    """Whether a vulnerability of ``level`` (``"high"``, ``"medium"`` ...) is acted on."""
    return level in plan.covered_levels
