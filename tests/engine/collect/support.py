"""Helpers for the collector tests: recorded real outputs, replays and a fixed clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from patchdesk.engine.collect import CollectOptions, collect_inventory
from patchdesk.engine.model.inventory import HostInventory
from patchdesk.engine.transport import RecordedCommand, Recording, ReplayTransport, read_recording
from patchdesk_testing.paths import shared_data

DATA = Path(__file__).parent / "data"
RECORDINGS = DATA / "recordings"
SAMPLE_INVENTORY = shared_data("sample-inventory", "debian12_python_image_dpkg.tsv")


class Clock:
    """Starts at 2026-11-25 10:00 UTC and advances one second per call."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def recording(name: str) -> Recording:
    """A real recording from the testbed (see ``patchdesk_testing.testbed.record``)."""
    return read_recording((RECORDINGS / f"{name}.json").read_text())


def output(name: str, command: str) -> bytes:
    """The recorded stdout of ``command`` (a constant of ``collect.commands``)."""
    for entry in recording(name).commands:
        if entry.command == command:
            return entry.stdout
    raise KeyError(command)


def replace_output(rec: Recording, command: str, stdout: bytes, **changes: object) -> Recording:
    """The recording with one command's answer changed (to inject hostile output)."""
    found = False
    commands = []
    for original in rec.commands:
        entry = original
        if entry.command == command:
            found = True
            entry = RecordedCommand(
                command=entry.command,
                as_root=entry.as_root,
                stdin=entry.stdin,
                exit_status=changes.get("exit_status", entry.exit_status),  # type: ignore[arg-type]
                stdout=stdout,
                stderr=changes.get("stderr", entry.stderr),  # type: ignore[arg-type]
                is_truncated=bool(changes.get("is_truncated", entry.is_truncated)),
            )
        commands.append(entry)
    assert found, command
    return Recording(
        target=rec.target, host_key=rec.host_key, elevation=rec.elevation, commands=tuple(commands)
    )


def replay(
    rec: Recording, options: CollectOptions | None = None, *, match_stdin: bool = True
) -> HostInventory:
    transport = ReplayTransport(rec, match_stdin=match_stdin)
    return asyncio.run(collect_inventory(transport, options=options, clock=Clock()))
