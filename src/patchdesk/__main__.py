"""``python -m patchdesk`` is the ``patchdesk`` command."""

from __future__ import annotations

from patchdesk.cli import main

main()
