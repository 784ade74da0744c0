"""After the update: restart what the request allows (R13: a web server whose key needs a
passphrase only with the passphrase on file), and hand passphrases to the server safely.

A passphrase travels on stdin of a command run as the login user (root commands cannot take
stdin: sudo reads it) into a fresh 0700 directory, and is consumed and removed by the root
script that needs it (:func:`~patchdesk.engine.remediate.commands.with_tls_passphrases`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from patchdesk.engine.model.inventory import HostInventory, TlsService, WebServer
from patchdesk.engine.model.work import (
    PendingRestart,
    RestartOutcome,
    RestartRecord,
    WorkIssue,
    WorkPlan,
    WorkReason,
)
from patchdesk.engine.remediate import commands
from patchdesk.engine.remediate.names import SERVICE_NAME
from patchdesk.engine.remediate.session import WindowClock, WorkSession

__all__ = [
    "RestartSummary",
    "StagingFailed",
    "classify_restarts",
    "restart_services",
    "stage_passphrase",
    "tls_service_of",
]


class StagingFailed(Exception):
    """The passphrase could not be handed to the server."""


def tls_service_of(inventory: HostInventory | None, service: str) -> TlsService | None:
    """The web server (needing a passphrase) that runs as ``service``, if any."""
    name = service.removesuffix(".service")
    for tls in inventory.tls if inventory else ():
        if tls.service == name and tls.needs_passphrase:
            return tls
    return None


async def stage_passphrase(session: WorkSession, passphrase: str) -> str:
    """Put ``passphrase`` into a private directory on the server; returns the directory."""
    result = await session.step(
        commands.STAGE_SECRET,
        purpose="hand the TLS passphrase to the server (stdin, not recorded)",
        stdin=passphrase.encode("utf-8") + b"\n",
    )
    directory = result.stdout.decode("utf-8", "replace").strip()
    if result.exit_status != 0 or not commands.STAGE_DIR.fullmatch(directory):
        raise StagingFailed(result.stderr_line() or "unexpected answer")
    return directory


async def staged_for(
    session: WorkSession,
    services: Sequence[TlsService],
    passphrases: Mapping[str, str],
) -> list[tuple[WebServer, str, str]]:
    return [
        (tls.server, tls.service, await stage_passphrase(session, passphrases[tls.service]))
        for tls in services
    ]


@dataclass(slots=True)
class RestartSummary:
    records: list[RestartRecord] = field(default_factory=list)
    pending: list[PendingRestart] = field(default_factory=list)
    issues: list[WorkIssue] = field(default_factory=list)
    window_ended: bool = False


def classify_restarts(
    plan: WorkPlan, inventory: HostInventory | None, passphrases: Mapping[str, str]
) -> tuple[list[str], list[PendingRestart]]:
    """Services needing a restart: those to restart now, and those left pending (why)."""
    names = [s.name for s in inventory.restart.services] if inventory and inventory.restart else []
    to_restart, pending = [], []
    for name in dict.fromkeys(names):
        if not SERVICE_NAME.fullmatch(name):
            pending.append(PendingRestart(service=name, reason=RestartOutcome.NOT_A_SERVICE))
        elif not plan.restart.allows(name):
            pending.append(PendingRestart(service=name, reason=RestartOutcome.NOT_ALLOWED))
        elif (tls := tls_service_of(inventory, name)) and tls.service not in passphrases:
            pending.append(PendingRestart(service=name, reason=RestartOutcome.PASSPHRASE_MISSING))
        else:
            to_restart.append(name)
    return to_restart, pending


async def restart_services(
    session: WorkSession,
    plan: WorkPlan,
    inventory: HostInventory,
    *,
    passphrases: Mapping[str, str],
    window: WindowClock,
) -> RestartSummary:
    """Restart the allowed services one by one while the window lasts."""
    summary = RestartSummary()
    to_restart, summary.pending = classify_restarts(plan, inventory, passphrases)
    for name in to_restart:
        if window() < session.options.min_window_left_s:
            summary.window_ended = True
            summary.pending.append(PendingRestart(service=name, reason=RestartOutcome.WINDOW_ENDED))
            continue
        tls = tls_service_of(inventory, name)
        command = commands.restart_service(name)
        try:
            if tls is not None:
                command = commands.with_tls_passphrases(
                    command, await staged_for(session, [tls], passphrases)
                )
        except StagingFailed as exc:
            summary.records.append(RestartRecord(service=name, outcome=RestartOutcome.FAILED))
            summary.issues.append(
                session.issue(
                    WorkReason.RESTART_FAILED,
                    f"{name}: the passphrase could not be handed over: {exc}",
                    service=name,
                )
            )
            continue
        result = await session.step(
            command,
            purpose=f"restart {name}" + (" with its TLS passphrase" if tls else ""),
            as_root=True,
            timeout_s=session.options.restart_timeout_s,
        )
        if result.exit_status == 0:
            outcome = RestartOutcome.RESTARTED
        else:
            outcome = RestartOutcome.FAILED
            detail = result.stderr_line() or f"exit status {result.exit_status}"
            summary.issues.append(
                session.issue(
                    WorkReason.RESTART_FAILED,
                    f"restarting {name} failed: {detail}",
                    service=name,
                    detail=detail,
                )
            )
        summary.records.append(
            RestartRecord(service=name, outcome=outcome, with_passphrase=tls is not None)
        )
    return summary
