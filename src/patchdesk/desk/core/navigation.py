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


CONSOLE_MENU: tuple[MenuItem, ...] = (
    MenuItem(label=_("Home"), url_name="console:home"),
    MenuItem(label=_("Customers"), url_name="console:customers:list"),
    MenuItem(label=_("Servers"), url_name="console:servers:list"),
    MenuItem(label=_("Cases"), url_name="console:cases:list"),
    MenuItem(label=_("Work"), url_name="console:work:list"),
    MenuItem(label=_("Findings"), url_name="console:findings:list"),
    MenuItem(label=_("Advisories"), url_name="console:advisories:list"),
    MenuItem(label=_("Feeds"), url_name="console:feeds:list"),
    MenuItem(label=_("Policy"), url_name="console:policy:show"),
    MenuItem(label=_("Contracts"), url_name="console:contracts:list"),
    MenuItem(label=_("Platforms"), url_name="console:platforms:list"),
    MenuItem(label=_("Quotes"), url_name="console:billing:quotes"),
    MenuItem(label=_("Billing"), url_name="console:billing:monthly"),
)

PORTAL_MENU: tuple[MenuItem, ...] = (
    MenuItem(label=_("Home"), url_name="portal:home"),
    MenuItem(label=_("Announcements"), url_name="portal:cases:inbox"),
    MenuItem(label=_("Servers and contracts"), url_name="portal:contracts:list"),
    MenuItem(label=_("Security"), url_name="portal:servers:security"),
    MenuItem(label=_("Quotes"), url_name="portal:quotes:list"),
    MenuItem(label=_("Server access"), url_name="portal:access:list"),
)
