"""The menus of the console and the portal. Each app adds its entries here, in menu order."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = ["CONSOLE_MENU", "PORTAL_MENU", "MenuItem"]


@dataclass(frozen=True, slots=True, kw_only=True)
class MenuItem:
    label: str | Promise
    url_name: str  # a URL name reversible without arguments


CONSOLE_MENU: tuple[MenuItem, ...] = (MenuItem(label=_("Home"), url_name="console:home"),)

PORTAL_MENU: tuple[MenuItem, ...] = (MenuItem(label=_("Home"), url_name="portal:home"),)
