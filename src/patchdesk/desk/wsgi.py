"""WSGI entry point (``patchdesk serve`` uses it; so can any WSGI server)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patchdesk.desk.settings")
application = get_wsgi_application()
