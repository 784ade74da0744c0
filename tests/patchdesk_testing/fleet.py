"""Servers, scans and advisories in the desk, built through the real services."""

from __future__ import annotations

from datetime import UTC, datetime

from patchdesk.desk.advisories.services import advisories_import, feed_source_get_or_create
from patchdesk.desk.customers.models import Customer
from patchdesk.desk.fleet.models import Scan, Server
from patchdesk.desk.fleet.services import scan_record, server_create
from patchdesk.engine.feeds.result import ParseResult
from patchdesk.engine.model import Advisory
from patchdesk.engine.model.inventory import HostInventory, HostKey, InstalledPackage
from patchdesk_testing.accounts import customer_make
from patchdesk_testing.inventory import DEBIAN, host

NOW = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
KEY_A = HostKey(algorithm="ssh-ed25519", public_key="ssh-ed25519 AAAAa", fingerprint="SHA256:aaa")
KEY_B = HostKey(algorithm="ssh-ed25519", public_key="ssh-ed25519 AAAAb", fingerprint="SHA256:bbb")


def server_make(name: str = "web1", *, customer: Customer | None = None) -> Server:
    return server_create(
        customer or customer_make(), name=name, address=f"{name}.example.jp", actor=None
    )


def scan_with(
    server: Server,
    *packages: InstalledPackage,
    host_key: HostKey | None = KEY_A,
    inventory: HostInventory | None = None,
) -> Scan:
    scan = Scan.objects.create(server=server, trigger="test")
    found = inventory or host(DEBIAN, *packages, target=f"ssh://root@{server.address}:22")
    if host_key is not None and inventory is None:
        from dataclasses import replace

        found = replace(found, host_key=host_key)
    return scan_record(scan, found)


def advisories_make(*advisories: Advisory) -> None:
    source = feed_source_get_or_create("test-feed", kind="native")
    advisories_import(source, ParseResult(records=list(advisories)), now=NOW)
