"""Recorded command outputs: record a real host once, replay it in unit tests.

:class:`RecordingTransport` wraps a live transport and keeps every command's raw outcome;
:func:`format_recording` saves it as JSON (text when the bytes are UTF-8, base64 otherwise),
:func:`read_recording` loads it, and :class:`ReplayTransport` answers the same commands from it.
A replay never runs anything.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass

from patchdesk.engine.model.inventory import HostKey, ScanErrorCode
from patchdesk.engine.transport.base import CommandResult, Elevation, Transport
from patchdesk.engine.transport.errors import (
    AuthenticationRejectedError,
    CommandTimeoutError,
    PermissionDeniedError,
    TransportError,
    UnreachableError,
)

__all__ = [
    "RECORDING_FORMAT",
    "RecordedCommand",
    "Recording",
    "RecordingFormatError",
    "RecordingTransport",
    "ReplayMissError",
    "ReplayTransport",
    "format_recording",
    "read_recording",
]

RECORDING_FORMAT = "patchdesk.recording/1"

_ERRORS: Mapping[ScanErrorCode, type[TransportError]] = {
    ScanErrorCode.TIMEOUT: CommandTimeoutError,
    ScanErrorCode.PERMISSION_DENIED: PermissionDeniedError,
    ScanErrorCode.UNREACHABLE: UnreachableError,
    ScanErrorCode.AUTH_REJECTED: AuthenticationRejectedError,
}


class RecordingFormatError(ValueError):
    """A recording file is not valid; ``str()`` names the place."""


class ReplayMissError(KeyError):
    """The code under test ran a command the recording does not have."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedCommand:
    command: str
    as_root: bool = False
    stdin: bytes = b""
    exit_status: int | None = 0
    stdout: bytes = b""
    stderr: bytes = b""
    is_truncated: bool = False
    error: ScanErrorCode | None = None  # replay raises this transport error instead


@dataclass(frozen=True, slots=True, kw_only=True)
class Recording:
    target: str
    host_key: HostKey | None = None
    elevation: Elevation = Elevation.NONE
    commands: tuple[RecordedCommand, ...] = ()


class ReplayTransport:
    """Answers commands from a :class:`Recording`; an unrecorded command raises
    :class:`ReplayMissError`. With ``match_stdin=False`` a command's stdin is ignored (for
    tests that change an earlier answer, and so the data a later command is given)."""

    def __init__(self, recording: Recording, *, match_stdin: bool = True) -> None:
        self._recording = recording
        self._match_stdin = match_stdin
        self._answers = {self._key(e.command, e.as_root, e.stdin): e for e in recording.commands}
        self.calls: list[tuple[str, bool]] = []

    def _key(self, command: str, as_root: bool, stdin: bytes) -> tuple[str, bool, bytes]:
        return (command, as_root, stdin if self._match_stdin else b"")

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
        self.calls.append((command, as_root))
        entry = self._answers.get(self._key(command, as_root, stdin))
        if entry is None:
            raise ReplayMissError(f"not recorded (as_root={as_root}): {command[:120]!r}")
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


class RecordingTransport:
    """Passes commands to ``inner`` and records each outcome (errors included, then re-raised)."""

    def __init__(self, inner: Transport) -> None:
        self._inner = inner
        self.commands: list[RecordedCommand] = []

    @property
    def target(self) -> str:
        return self._inner.target

    @property
    def host_key(self) -> HostKey | None:
        return self._inner.host_key

    @property
    def elevation(self) -> Elevation:
        return self._inner.elevation

    async def run(
        self,
        command: str,
        *,
        stdin: bytes = b"",
        as_root: bool = False,
        timeout_s: float | None = None,
    ) -> CommandResult:
        try:
            result = await self._inner.run(
                command, stdin=stdin, as_root=as_root, timeout_s=timeout_s
            )
        except TransportError as exc:
            self.commands.append(
                RecordedCommand(command=command, as_root=as_root, stdin=stdin, error=exc.code)
            )
            raise
        self.commands.append(
            RecordedCommand(
                command=command,
                as_root=as_root,
                stdin=stdin,
                exit_status=result.exit_status,
                stdout=result.stdout,
                stderr=result.stderr,
                is_truncated=result.is_truncated,
            )
        )
        return result

    def recording(self) -> Recording:
        return Recording(
            target=self.target,
            host_key=self.host_key,
            elevation=self.elevation,
            commands=tuple(self.commands),
        )


def _encode_bytes(name: str, data: bytes) -> dict[str, str]:
    if not data:
        return {}
    try:
        return {name: data.decode("utf-8")}
    except UnicodeDecodeError:
        return {f"{name}_base64": base64.b64encode(data).decode("ascii")}


def format_recording(recording: Recording) -> str:
    """The recording as indented JSON (stable key order, one command per object)."""
    commands = []
    for entry in recording.commands:
        item: dict[str, object] = {"command": entry.command}
        if entry.as_root:
            item["as_root"] = True
        item.update(_encode_bytes("stdin", entry.stdin))
        if entry.error is not None:
            item["error"] = str(entry.error)
        else:
            item["exit_status"] = entry.exit_status
            item.update(_encode_bytes("stdout", entry.stdout))
            item.update(_encode_bytes("stderr", entry.stderr))
            if entry.is_truncated:
                item["is_truncated"] = True
        commands.append(item)
    document: dict[str, object] = {
        "format": RECORDING_FORMAT,
        "target": recording.target,
        "elevation": str(recording.elevation),
        "host_key": None
        if recording.host_key is None
        else {
            "algorithm": recording.host_key.algorithm,
            "public_key": recording.host_key.public_key,
            "fingerprint": recording.host_key.fingerprint,
        },
        "commands": commands,
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def _decode_bytes(item: Mapping[str, object], name: str, where: str) -> bytes:
    text = item.get(name)
    if isinstance(text, str):
        return text.encode("utf-8")
    encoded = item.get(f"{name}_base64")
    if isinstance(encoded, str):
        try:
            return base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise RecordingFormatError(f"{where}.{name}_base64: {exc}") from None
    if text is not None or encoded is not None:
        raise RecordingFormatError(f"{where}.{name}: expected a string")
    return b""


def _read_command(item: object, where: str) -> RecordedCommand:
    if not isinstance(item, dict) or not isinstance(item.get("command"), str):
        raise RecordingFormatError(f"{where}: expected an object with a 'command' string")
    status = item.get("exit_status", 0)
    if status is not None and (not isinstance(status, int) or isinstance(status, bool)):
        raise RecordingFormatError(f"{where}.exit_status: expected an integer or null")
    error = item.get("error")
    try:
        code = None if error is None else ScanErrorCode(str(error))
    except ValueError:
        raise RecordingFormatError(f"{where}.error: unknown code {error!r}") from None
    return RecordedCommand(
        command=item["command"],
        as_root=bool(item.get("as_root", False)),
        stdin=_decode_bytes(item, "stdin", where),
        exit_status=status,
        stdout=_decode_bytes(item, "stdout", where),
        stderr=_decode_bytes(item, "stderr", where),
        is_truncated=bool(item.get("is_truncated", False)),
        error=code,
    )


def read_recording(text: str) -> Recording:
    """Load a recording written by :func:`format_recording`."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordingFormatError(f"not JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != RECORDING_FORMAT:
        raise RecordingFormatError(f"not a {RECORDING_FORMAT} document")
    items = document.get("commands")
    if not isinstance(items, list):
        raise RecordingFormatError("commands: expected an array")
    key = document.get("host_key")
    host_key = None
    if isinstance(key, dict):
        host_key = HostKey(
            algorithm=str(key.get("algorithm", "")),
            public_key=str(key.get("public_key", "")),
            fingerprint=str(key.get("fingerprint", "")),
        )
    try:
        elevation = Elevation(str(document.get("elevation", "none")))
    except ValueError:
        raise RecordingFormatError("elevation: unknown value") from None
    return Recording(
        target=str(document.get("target", "")),
        host_key=host_key,
        elevation=elevation,
        commands=tuple(_read_command(item, f"commands[{i}]") for i, item in enumerate(items)),
    )
