"""Value types shared by the engine's stages (frozen dataclasses and string enums)."""

from __future__ import annotations

from patchdesk.engine.model.platform import OsFamily, PackageFormat, Platform

__all__ = ["OsFamily", "PackageFormat", "Platform"]
