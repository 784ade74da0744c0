from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "patchdesk.desk.contracts"
    label = "contracts"
    verbose_name = _("Contracts")
