from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from patchdesk import __version__
from patchdesk.desk.core.navigation import CONSOLE_MENU, PORTAL_MENU, MenuItem


def desk(request: HttpRequest) -> dict[str, object]:
    """What every page's frame needs: the version, the area (console/portal) and its menu."""
    match = getattr(request, "resolver_match", None)
    area = match.namespace.split(":")[0] if match else ""
    user = getattr(request, "user", None)
    items: tuple[MenuItem, ...] = ()
    if area != "portal" and getattr(user, "is_operator", False):
        items = CONSOLE_MENU
    elif getattr(user, "is_customer_user", False):
        items = PORTAL_MENU
    menu = [
        {
            "label": item.label,
            "url": reverse(item.url_name),
            "is_current": _is_current(request, item),
        }
        for item in items
    ]
    return {"patchdesk_version": __version__, "desk_area": area, "desk_menu": menu}


def _is_current(request: HttpRequest, item: MenuItem) -> bool:
    url = reverse(item.url_name)
    if url.rstrip("/").count("/") <= 1:  # an area's home: only itself
        return request.path == url
    return request.path.startswith(url)
