"""Which advisories affect which servers (distro-aware, source/binary-aware, kernel-aware)."""

from __future__ import annotations

from patchdesk.engine.match.fleet import FleetIndex
from patchdesk.engine.match.host import OUT_OF_SCOPE_ORIGINS, Matcher
from patchdesk.engine.match.index import AdvisoryIndex, FixEntry

__all__ = ["OUT_OF_SCOPE_ORIGINS", "AdvisoryIndex", "FixEntry", "FleetIndex", "Matcher"]
