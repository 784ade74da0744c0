from __future__ import annotations

from django.http import HttpRequest

from patchdesk import __version__


def desk(request: HttpRequest) -> dict[str, object]:
    """What every page's frame needs: the version and which area (console/portal) it is in."""
    match = getattr(request, "resolver_match", None)
    namespace = match.namespace if match else ""
    return {"patchdesk_version": __version__, "desk_area": namespace}
