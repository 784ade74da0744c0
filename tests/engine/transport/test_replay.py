"""Recording a transport and replaying it: bytes survive JSON, errors replay as errors."""

from __future__ import annotations

import asyncio
import re

import pytest

from patchdesk.engine.model.inventory import HostKey, ScanErrorCode
from patchdesk.engine.transport import (
    CommandTimeoutError,
    Elevation,
    LocalTransport,
    RecordedCommand,
    Recording,
    RecordingFormatError,
    RecordingTransport,
    ReplayMissError,
    ReplayTransport,
    format_recording,
    read_recording,
)


def test_a_live_session_recorded_replays_identically() -> None:
    async def session() -> tuple[Recording, list[bytes]]:
        recorder = RecordingTransport(LocalTransport())
        outputs = [
            (await recorder.run("printf 'caf\\303\\251\\n'")).stdout,
            (await recorder.run("printf '\\377\\376binary'")).stdout,
            (await recorder.run("cat", stdin=b"from stdin")).stdout,
        ]
        with pytest.raises(CommandTimeoutError):
            await recorder.run("sleep 10", timeout_s=0.1)
        return recorder.recording(), outputs

    recording, outputs = asyncio.run(session())
    text = format_recording(recording)
    assert "stdout_base64" in text  # the non-UTF-8 output
    loaded = read_recording(text)
    assert loaded == recording

    async def replay() -> list[bytes]:
        replayer = ReplayTransport(loaded)
        results = [
            (await replayer.run("printf 'caf\\303\\251\\n'")).stdout,
            (await replayer.run("printf '\\377\\376binary'")).stdout,
            (await replayer.run("cat", stdin=b"from stdin")).stdout,
        ]
        with pytest.raises(CommandTimeoutError):
            await replayer.run("sleep 10")
        with pytest.raises(ReplayMissError):
            await replayer.run("cat", stdin=b"other input")
        return results

    assert asyncio.run(replay()) == outputs == [b"caf\xc3\xa9\n", b"\xff\xfebinary", b"from stdin"]


def test_replay_keeps_target_host_key_and_elevation() -> None:
    key = HostKey(algorithm="ssh-ed25519", public_key="ssh-ed25519 AAAA", fingerprint="SHA256:x")
    recording = Recording(
        target="ssh://deploy@web1:22",
        host_key=key,
        elevation=Elevation.SUDO,
        commands=(RecordedCommand(command="id -u", as_root=True, stdout=b"0\n"),),
    )
    replayer = ReplayTransport(read_recording(format_recording(recording)))
    assert (replayer.target, replayer.host_key, replayer.elevation) == (
        "ssh://deploy@web1:22",
        key,
        Elevation.SUDO,
    )
    assert asyncio.run(replayer.run("id -u", as_root=True)).stdout == b"0\n"
    with pytest.raises(ReplayMissError):
        asyncio.run(replayer.run("id -u"))  # not recorded without as_root


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "not a patchdesk.recording/1 document"),
        ('{"format": "patchdesk.recording/1", "commands": {}}', "commands: expected an array"),
        (
            '{"format": "patchdesk.recording/1", '
            '"commands": [{"command": "x", "exit_status": "0"}]}',
            "commands[0].exit_status",
        ),
        (
            '{"format": "patchdesk.recording/1", "commands": [{"command": "x", "error": "boom"}]}',
            "commands[0].error: unknown code",
        ),
        (
            '{"format": "patchdesk.recording/1", '
            '"commands": [{"command": "x", "stdout_base64": "%%%"}]}',
            "stdout_base64",
        ),
    ],
)
def test_bad_recordings_are_refused_with_the_place(text: str, message: str) -> None:
    with pytest.raises(RecordingFormatError, match=re.escape(message)):
        read_recording(text)


def test_recorded_error_codes_replay_as_their_transport_errors() -> None:
    recording = Recording(
        target="t",
        commands=(RecordedCommand(command="x", error=ScanErrorCode.PERMISSION_DENIED),),
    )
    with pytest.raises(Exception, match="replayed permission_denied") as caught:
        asyncio.run(ReplayTransport(recording).run("x"))
    assert getattr(caught.value, "code", None) == ScanErrorCode.PERMISSION_DENIED
