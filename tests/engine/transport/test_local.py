"""The local transport: real commands on this machine, with stdin, size caps and timeouts."""

from __future__ import annotations

import asyncio

import pytest

from patchdesk.engine.transport import CommandTimeoutError, Elevation, LocalTransport, Transport


def test_local_transport_is_a_transport() -> None:
    transport = LocalTransport()
    assert isinstance(transport, Transport)
    assert transport.target == "local"
    assert transport.host_key is None


def test_runs_a_command_with_stdin_and_reports_status_and_both_streams() -> None:
    result = asyncio.run(
        LocalTransport().run("tr a-z A-Z; echo oops >&2; exit 3", stdin=b"hello\n")
    )
    assert result.stdout == b"HELLO\n"
    assert result.stderr == b"oops\n"
    assert result.exit_status == 3
    assert not result.is_ok
    assert result.stderr_line() == "oops"


def test_output_above_the_cap_is_cut_and_flagged() -> None:
    transport = LocalTransport(max_output_bytes=1000)
    result = asyncio.run(transport.run("head -c 1000000 /dev/zero"))
    assert result.is_truncated
    assert len(result.stdout) == 1000
    assert result.exit_status is None


def test_a_command_over_its_timeout_is_stopped() -> None:
    with pytest.raises(CommandTimeoutError) as caught:
        asyncio.run(LocalTransport().run("sleep 30", timeout_s=0.2))
    assert caught.value.code == "timeout"


def test_as_root_needs_no_sudo_when_already_root() -> None:
    transport = LocalTransport(elevation=Elevation.SUDO)
    assert transport.elevation is Elevation.NONE  # the tests run as root
    result = asyncio.run(transport.run("id -u", as_root=True))
    assert result.stdout == b"0\n"


def test_as_root_and_stdin_together_are_refused() -> None:
    with pytest.raises(ValueError, match="stdin"):
        asyncio.run(LocalTransport().run("cat", stdin=b"x", as_root=True))
