"""Site-wide views: the role-based home redirect and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from patchdesk import __version__


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Operators land in the console, customer users in the portal."""
    if getattr(request.user, "is_operator", False):
        return redirect("console:home")
    return redirect("portal:home")


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 200 when the database answers, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "version": __version__})
