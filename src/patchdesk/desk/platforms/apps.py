from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformsConfig(AppConfig):
    name = "patchdesk.desk.platforms"
    label = "platforms"
    verbose_name = _("Platforms")
