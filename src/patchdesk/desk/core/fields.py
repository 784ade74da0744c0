"""Small helpers for model fields."""

from __future__ import annotations

import enum

__all__ = ["enum_choices"]


def enum_choices(codes: type[enum.StrEnum]) -> list[tuple[str, str]]:
    """Choices for a CharField holding an engine code (the code is its own label)."""
    return [(member.value, member.value) for member in codes]
