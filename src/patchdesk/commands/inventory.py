"""``patchdesk inventory import``: record inventory documents of air-gapped servers as scans."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import click

if TYPE_CHECKING:
    from patchdesk.desk.fleet.models import Server

from patchdesk.commands.desk import database_require_migrated, django_setup


def import_documents(files: Sequence[Path], *, server_ref: str | None) -> bool:
    django_setup()
    database_require_migrated()
    from patchdesk.desk.findings.refresh import findings_refresh
    from patchdesk.desk.fleet.models import Scan
    from patchdesk.desk.fleet.services import scan_record
    from patchdesk.engine.collect import InventoryDocumentError, read_inventory_document

    ok = True
    touched: list[int] = []
    for file in files:
        try:
            document = read_inventory_document(file)
        except InventoryDocumentError as exc:
            click.echo(f"patchdesk: {exc}", err=True)
            ok = False
            continue
        for host in document.hosts:
            server = _server_for(host.target, host.hostname, server_ref)
            if server is None:
                click.echo(
                    f"patchdesk: {file}: no server matches {host.target!r} "
                    "(name one with --server CUSTOMER/SERVER)",
                    err=True,
                )
                ok = False
                continue
            scan = Scan.objects.create(server=server, trigger="import")
            scan_record(scan, host)
            touched.append(server.pk)
            warned = f", {scan.warning_count} warnings" if scan.warning_count else ""
            click.echo(f"{file}: {server}: {scan.status}, {scan.package_count} packages{warned}")
            for warning in host.warnings:
                click.echo(f"patchdesk: {file}: {server}: {warning.message}", err=True)
                for example in warning.examples:
                    click.echo(f"  {example}", err=True)
    if touched:
        findings_refresh(server_ids=touched)
    return ok


def _server_for(target: str, hostname: str, server_ref: str | None) -> Server | None:
    """The server named on the command line, else the one whose address matches."""
    from patchdesk.desk.fleet.models import Server

    if server_ref:
        customer, _, name = server_ref.partition("/")
        return Server.objects.filter(customer__code=customer, name=name).first()
    address = urlsplit(target).hostname if "://" in target else target
    candidates = Server.objects.filter(address__in={a for a in (address, hostname) if a})
    return candidates.first() if candidates.count() == 1 else None
