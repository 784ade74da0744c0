"""patchdesk: run a managed Linux security-update service."""

from __future__ import annotations

__version__ = "0.1.0"
