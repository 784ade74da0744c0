"""Platforms, servers, a settable clock and the example fleet of the scenarios, for tests."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from patchdesk.desk.accounts.models import CustomerRole, Role, User
from patchdesk.desk.billing.models import MonthlyFee, OffHoursRate, PriceTable
from patchdesk.desk.contracts.models import Contract
from patchdesk.desk.customers.models import Customer
from patchdesk.desk.fleet.models import Server
from patchdesk.desk.platforms.models import SupportedPlatform
from patchdesk_testing.accounts import PASSWORD, customer_make

TOKYO = ZoneInfo("Asia/Tokyo")

# key: (name, family, package format, vendor end of support as the service sees it)
PLATFORMS = {
    "debian:12": ("Debian 12", "debian", "dpkg", date(2028, 6, 30)),
    "almalinux:9": ("AlmaLinux 9", "redhat", "rpm", date(2032, 5, 31)),
    "centos:7": ("CentOS 7", "redhat", "rpm", date(2024, 6, 30)),
    "ubuntu:22.04": ("Ubuntu 22.04", "debian", "dpkg", date(2027, 4, 1)),
}


def jst(*args: int) -> datetime:
    return datetime(*args, tzinfo=TOKYO)  # type: ignore[misc]


class Clock:
    """``django.utils.timezone.now`` under the test's control (see the ``clock`` fixtures)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from django.utils import timezone

        self.now = jst(2027, 1, 8, 11, 0)
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, *args: int) -> datetime:
        """Set the time in Tokyo: ``clock.set(2027, 1, 8, 15, 0)``."""
        self.now = jst(*args)
        return self.now


@functools.cache
def _password_hash() -> str:
    """Hashing is slow on purpose; the fleet's users share one hash of the test password."""
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD)


def user_make(
    username: str, *, customer: Customer | None = None, customer_role: str = CustomerRole.ADMIN
) -> User:
    """A customer user (or an operator when ``customer`` is None) with the test password."""
    return User.objects.create(
        username=username,
        password=_password_hash(),
        role=Role.CUSTOMER if customer else Role.OPERATOR,
        customer=customer,
        customer_role=customer_role if customer else "",
    )


def platform_make(key: str = "debian:12", **overrides: object) -> SupportedPlatform:
    name, family, package_format, ends_on = PLATFORMS[key]
    distro, release = key.split(":")
    defaults = {
        "distro": distro,
        "release": release,
        "name": name,
        "family": family,
        "package_format": package_format,
        "vendor_support_ends_on": ends_on,
    }
    defaults.update(overrides)
    return SupportedPlatform.objects.update_or_create(key=key, defaults=defaults)[0]


def server_make(name: str, *, customer: Customer, platform: str | None = "debian:12") -> Server:
    return Server.objects.create(
        customer=customer,
        name=name,
        address=f"{name}.{customer.code}.example",
        platform=platform_make(platform) if platform else None,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Fleet:
    """The example fleet of SCENARIOS.md (Sakura and Kaede)."""

    sakura: Customer
    sakura_admin: User
    sakura_member: User
    web1: Server
    db1: Server
    legacy1: Server
    kaede: Customer
    kaede_admin: User
    app1: Server
    app2: Server


def fleet_make() -> Fleet:
    sakura = customer_make("sakura-web", "Sakura Web K.K.")
    kaede = customer_make("kaede-trading", "Kaede Trading")
    return Fleet(
        sakura=sakura,
        sakura_admin=user_make("sakura-admin", customer=sakura),
        sakura_member=user_make(
            "sakura-member", customer=sakura, customer_role=CustomerRole.MEMBER
        ),
        web1=server_make("web1", customer=sakura, platform="debian:12"),
        db1=server_make("db1", customer=sakura, platform="almalinux:9"),
        legacy1=server_make("legacy1", customer=sakura, platform="centos:7"),
        kaede=kaede,
        kaede_admin=user_make("kaede-admin", customer=kaede),
        app1=server_make("app1", customer=kaede, platform="debian:12"),
        app2=server_make("app2", customer=kaede, platform="ubuntu:22.04"),
    )


def price_table_make(
    version: str = "2026",
    *,
    valid_from: date = date(2026, 1, 1),
    standard: int = 3000,
    security_update: int = 5000,
    night_per_hour: int = 12000,
    holiday_per_hour: int = 15000,
) -> PriceTable:
    table = PriceTable.objects.create(version=version, valid_from=valid_from)
    MonthlyFee.objects.create(price_table=table, plan="standard", amount=Decimal(standard))
    MonthlyFee.objects.create(
        price_table=table, plan="security_update", amount=Decimal(security_update)
    )
    OffHoursRate.objects.create(
        price_table=table, kind="weekday_night", basis="hourly", amount=Decimal(night_per_hour)
    )
    OffHoursRate.objects.create(
        price_table=table, kind="holiday", basis="hourly", amount=Decimal(holiday_per_hour)
    )
    return table


def client_for(user: User, *, language: str = "") -> Client:
    """A test client logged in as ``user``, optionally with a saved language."""
    if language:
        user.language = language
        user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def page(response: object) -> str:
    """A response's HTML with entities decoded (``&#x27;`` → ``'``), for text assertions."""
    import html

    content: bytes = response.content  # type: ignore[attr-defined]
    return html.unescape(content.decode())


def provider_defaults_ensure() -> None:
    """The rows the contracts data migration seeds (a transactional test flushes them)."""
    from patchdesk.desk.contracts.models import CalendarSettings, ProviderClosure, ServiceDocument

    CalendarSettings.objects.get_or_create(pk=1)
    if not ProviderClosure.objects.exists():
        ProviderClosure.objects.create(
            label="年末年始 (Year-end and New Year holidays)",
            is_annual=True,
            start_month=12,
            start_day=29,
            end_month=1,
            end_day=3,
        )
    for kind, title in (
        ("specification", "セキュリティアップデートサービス仕様書"),
        ("terms", "利用規約"),
    ):
        ServiceDocument.objects.get_or_create(
            kind=kind, version="1.0", defaults={"title": title, "effective_on": date(2014, 11, 17)}
        )


def contract_running(
    fleet: Fleet, clock: Clock, *, plan: str = "standard", server: str = "app1"
) -> Contract:
    """Kaede's app1 (or another server) under ``plan``, started Tuesday 2027-01-12."""
    from patchdesk.desk.contracts.services import (
        contract_accept,
        contract_apply,
        contracts_advance_due,
    )

    customer = fleet.kaede if server.startswith("app") else fleet.sakura
    admin = fleet.kaede_admin if customer == fleet.kaede else fleet.sakura_admin
    clock.set(2027, 1, 8, 11, 0)
    (contract,) = contract_apply(customer, servers=[getattr(fleet, server)], plan=plan, actor=admin)
    clock.set(2027, 1, 8, 15, 0)
    contract_accept(contract, actor=user_make("ops-sato"))
    clock.set(2027, 1, 12, 0, 5)
    contracts_advance_due()
    contract.refresh_from_db()
    assert contract.state == "active"
    return contract
