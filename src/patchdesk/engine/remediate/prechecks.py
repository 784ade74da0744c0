"""The TLS passphrase pre-check (R13): before anything changes, find the web servers that
need a passphrase to start and that the update would force to restart."""

from __future__ import annotations

from collections.abc import Sequence

from patchdesk.engine.model.inventory import HostInventory
from patchdesk.engine.model.work import TransactionAction, TransactionEntry, WorkPlan
from patchdesk.engine.remediate import commands
from patchdesk.engine.remediate.parsers import parse_file_list, parse_web_server_maps
from patchdesk.engine.remediate.session import WorkSession
from patchdesk.engine.remediate.tls import TlsImpact, affected_tls_services

__all__ = ["check_tls_passphrases"]

_REPLACING = frozenset({TransactionAction.UPGRADE, TransactionAction.DOWNGRADE})


async def check_tls_passphrases(
    session: WorkSession,
    plan: WorkPlan,
    before: HostInventory,
    approved: Sequence[TransactionEntry],
) -> dict[str, TlsImpact]:
    """``{service: impact}`` for each web server needing a passphrase that the approved
    transaction affects (its own package, or a file its running processes map)."""
    services = [t for t in before.tls if t.needs_passphrase]
    if not services:
        return {}
    result = await session.step(
        commands.WEB_SERVER_MAPS, purpose="files the running web servers use", as_root=True
    )
    mapped = parse_web_server_maps(result.stdout)
    replaced: frozenset[str] = frozenset()
    names = sorted({e.name for e in approved if e.action in _REPLACING})
    if mapped and names:
        files = await session.step(
            commands.package_files(plan.package_format, names),
            purpose="files of the packages the update replaces",
        )
        replaced = parse_file_list(files.stdout)
    return affected_tls_services(services, approved, mapped=mapped, replaced_files=replaced)
