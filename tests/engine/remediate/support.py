"""Helpers for the remediation tests: real update runs recorded on the testbed, replayed.

A recording (``data/recordings/NAME.json``, written by
``patchdesk_testing.testbed.record_remediation``) holds every connection of one run and the
scenario (requests, options). :class:`QueueReplay` answers each command with the next
recorded answer for that command (the scans before and after the update run the same
commands and get different answers); the last answer repeats.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from patchdesk.engine.collect import CollectOptions, collect_inventory
from patchdesk.engine.collect.pool import ScanTarget
from patchdesk.engine.model.inventory import HostInventory, HostKey, ScanErrorCode
from patchdesk.engine.remediate import (
    RequestedItem,
    RestartPolicy,
    RunOptions,
    VersionBasis,
    WorkPlan,
    WorkResult,
    build_work_plan,
    run_work,
)
from patchdesk.engine.transport import (
    AuthenticationRejectedError,
    CommandResult,
    CommandTimeoutError,
    Elevation,
    PermissionDeniedError,
    RecordedCommand,
    Recording,
    ReplayMissError,
    SshCredentials,
    SshTarget,
    Transport,
    TransportError,
    UnreachableError,
    format_recording,
    read_recording,
)

DATA = Path(__file__).parent / "data"
RECORDINGS = DATA / "recordings"
FIXTURES = DATA / "fixtures"
START = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)

_ERRORS: dict[ScanErrorCode, type[TransportError]] = {
    ScanErrorCode.TIMEOUT: CommandTimeoutError,
    ScanErrorCode.PERMISSION_DENIED: PermissionDeniedError,
    ScanErrorCode.UNREACHABLE: UnreachableError,
    ScanErrorCode.AUTH_REJECTED: AuthenticationRejectedError,
}


class Clock:
    """Starts at 2026-11-25 10:00 UTC and advances ``step_s`` per call."""

    def __init__(self, step_s: float = 0.5) -> None:
        self.now = START
        self.step = timedelta(seconds=step_s)

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


class QueueReplay:
    """Answers each ``(command, as_root)`` with its next recorded answer (stdin ignored)."""

    def __init__(self, recording: Recording) -> None:
        self._recording = recording
        self._answers: dict[tuple[str, bool], deque[RecordedCommand]] = {}
        for entry in recording.commands:
            self._answers.setdefault((entry.command, entry.as_root), deque()).append(entry)
        self.calls: list[tuple[str, bool, bytes]] = []

    @property
    def target(self) -> str:
        return self._recording.target

    @property
    def host_key(self) -> HostKey | None:
        return self._recording.host_key

    @property
    def elevation(self) -> Elevation:
        return self._recording.elevation

    async def run(
        self,
        command: str,
        *,
        stdin: bytes = b"",
        as_root: bool = False,
        timeout_s: float | None = None,
    ) -> CommandResult:
        self.calls.append((command, as_root, stdin))
        queue = self._answers.get((command, as_root))
        if not queue:
            raise ReplayMissError(f"not recorded (as_root={as_root}): {command[:160]!r}")
        entry = queue.popleft() if len(queue) > 1 else queue[0]
        if entry.error is not None:
            raise _ERRORS.get(entry.error, TransportError)(
                f"{self.target}: replayed {entry.error}", params={"target": self.target}
            )
        return CommandResult(
            command=command,
            exit_status=entry.exit_status,
            stdout=entry.stdout,
            stderr=entry.stderr,
            is_truncated=entry.is_truncated,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Recorded:
    name: str
    scenario: dict[str, Any]
    connections: tuple[Recording, ...]

    @property
    def commands(self) -> tuple[RecordedCommand, ...]:
        return tuple(c for r in self.connections for c in r.commands)

    def with_answer(
        self, match: Callable[[RecordedCommand], bool], *, index: int = 0, **changes: Any
    ) -> Recorded:
        """A copy with the ``index``-th matching answer (across connections) changed."""
        seen = 0
        connections = []
        for recording in self.connections:
            commands = []
            for entry in recording.commands:
                changed = entry
                if match(entry):
                    if seen == index:
                        changed = replace(entry, **changes)
                    seen += 1
                commands.append(changed)
            connections.append(replace(recording, commands=tuple(commands)))
        assert seen > index, "no such answer in the recording"
        return replace(self, connections=tuple(connections))

    def without(self, match: Callable[[RecordedCommand], bool], *, keep_first: bool) -> Recorded:
        """A copy without the matching answers (except the first, with ``keep_first``)."""
        connections, kept = [], False
        for recording in self.connections:
            commands = []
            for entry in recording.commands:
                if match(entry) and (kept or not keep_first):
                    continue
                kept = kept or match(entry)
                commands.append(entry)
            connections.append(replace(recording, commands=tuple(commands)))
        return replace(self, connections=tuple(connections))

    def keeping(self, which: int) -> Recorded:
        """A copy where each command keeps only its first (0) or last (-1) answer: the server
        as it was before the update, or as it is after it."""
        connections = []
        for recording in self.connections:
            chosen: dict[tuple[str, bool], RecordedCommand] = {}
            for entry in recording.commands:
                key = (entry.command, entry.as_root)
                if which == -1 or key not in chosen:
                    chosen[key] = entry
            connections.append(replace(recording, commands=tuple(chosen.values())))
        return replace(self, connections=tuple(connections))


def load(name: str) -> Recorded:
    document = json.loads((RECORDINGS / f"{name}.json").read_text())
    connections = tuple(read_recording(json.dumps(c)) for c in document["connections"])
    return Recorded(name=name, scenario=document["scenario"], connections=connections)


def recording_names() -> list[str]:
    return sorted(path.stem for path in RECORDINGS.glob("*.json"))


def requests_of(recorded: Recorded) -> list[RequestedItem]:
    return [
        RequestedItem(
            package=r["package"],
            min_version=r["min_version"],
            basis=VersionBasis(r["basis"]),
            advisory_id=r["advisory_id"],
            cve_ids=tuple(r["cve_ids"]),
        )
        for r in recorded.scenario["requests"]
    ]


async def inventory_of(recorded: Recorded) -> HostInventory:
    """The server as the run's first scan saw it (the desk's inventory in these tests)."""
    transport = QueueReplay(recorded.connections[0])
    options = CollectOptions(with_out_of_scope=False, with_restart=False)
    return await collect_inventory(transport, options=options, clock=Clock())


async def plan_of(recorded: Recorded, **overrides: Any) -> WorkPlan:
    scenario = recorded.scenario
    arguments: dict[str, Any] = {
        "restart_services": RestartPolicy.of(scenario["restart"]),
        "allowed_dependencies": scenario["allowed_dependencies"],
        "passphrases_on_file": scenario["passphrases_on_file"],
        **overrides,
    }
    plan = build_work_plan(requests_of(recorded), await inventory_of(recorded), **arguments)
    assert isinstance(plan, WorkPlan), plan
    return plan


def target_of(recorded: Recorded, **credentials: Any) -> SshTarget:
    """A target like the recorded one (its host and user), with test credentials."""
    url = recorded.connections[0].target  # ssh://user@host:22
    user, _, rest = url.removeprefix("ssh://").partition("@")
    host = rest.rsplit(":", 1)[0]
    settings: dict[str, Any] = {"username": user, **credentials}
    return SshTarget(
        host=host,
        credentials=SshCredentials(**settings),
        host_key=recorded.connections[0].host_key,  # pinned, as the desk always has it
    )


class ReplayConnect:
    """A ``connect`` for ``run_work``: each connection replays the next recording; once they
    are used up, connecting fails as unreachable (or with ``then_error``)."""

    def __init__(
        self, connections: Sequence[Recording], *, then_error: TransportError | None = None
    ) -> None:
        self._connections = list(connections)
        self._then_error = then_error
        self.transports: list[QueueReplay] = []

    @asynccontextmanager
    async def __call__(self, target: ScanTarget) -> AsyncIterator[Transport]:
        if not self._connections:
            raise self._then_error or UnreachableError(f"{target.url}: cannot connect")
        transport = QueueReplay(self._connections.pop(0))
        self.transports.append(transport)
        yield transport

    @property
    def calls(self) -> list[tuple[str, bool, bytes]]:
        return [call for t in self.transports for call in t.calls]


async def replay_run(
    recorded: Recorded,
    *,
    plan: WorkPlan | None = None,
    clock: Clock | None = None,
    window_s: float = 3600,
    passphrases: dict[str, str] | None = None,
    connect: ReplayConnect | None = None,
    target: SshTarget | None = None,
    **kwargs: Any,
) -> tuple[WorkResult, ReplayConnect]:
    plan = plan or await plan_of(recorded)
    clock = clock or Clock()
    connect = connect or ReplayConnect(recorded.connections)
    passphrases = (
        passphrases
        if passphrases is not None
        else dict.fromkeys(recorded.scenario["passphrases_on_file"], "pdtest-tls-passphrase")
    )
    result = await run_work(
        plan,
        target or target_of(recorded),
        window_ends_at=START + timedelta(seconds=window_s),
        clock=clock,
        passphrases=passphrases,
        options=kwargs.pop("options", RunOptions(lock_wait_s=recorded.scenario["lock_wait_s"])),
        connect=connect,
        **kwargs,
    )
    return result, connect


def dump(recorded: Recorded) -> str:
    """The recording as JSON again (for debugging a failing test)."""
    return "\n".join(format_recording(r) for r in recorded.connections)
