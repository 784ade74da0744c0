"""Reading a command's two output streams: caps, and a connection dropped mid-command.

When the connection drops, both streams fail at once. Each reader's error must be retrieved
(raised to the caller or consumed), or asyncio logs "Task exception was never retrieved"
when the reader task is collected.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import asyncssh
import pytest

from patchdesk.engine.transport._output import read_both

_LIMIT = 1024


class _Stream:
    """Gives ``data`` in one chunk, then waits for ``gate`` and fails with ``error`` (or ends)."""

    def __init__(
        self,
        data: bytes = b"",
        *,
        gate: asyncio.Event | None = None,
        error: Exception | None = None,
    ) -> None:
        self._data = data
        self._gate = gate
        self._error = error

    async def read(self, n: int = -1, /) -> bytes:
        if self._data:
            data, self._data = self._data, b""
            return data
        if self._gate is not None:
            await self._gate.wait()
        if self._error is not None:
            raise self._error
        return b""


def _lost() -> asyncssh.ConnectionLost:
    return asyncssh.ConnectionLost("Connection lost")


@contextmanager
def _loop_reporting_unretrieved() -> Iterator[tuple[asyncio.Runner, list[dict[str, Any]]]]:
    """A loop whose exception handler records every context, collected before it closes."""
    reports: list[dict[str, Any]] = []
    with asyncio.Runner() as runner:
        runner.get_loop().set_exception_handler(lambda _loop, context: reports.append(context))
        yield runner, reports
        gc.collect()


def _unretrieved(reports: list[dict[str, Any]]) -> list[str]:
    return [str(context.get("message")) for context in reports]


def _run(runner: asyncio.Runner, scenario: Callable[[], Awaitable[object]]) -> object:
    async def main() -> object:
        return await scenario()

    return runner.run(main())


def test_both_streams_failing_at_once_raise_the_error_and_leave_nothing_unretrieved(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with _loop_reporting_unretrieved() as (runner, reports):

        async def scenario() -> object:
            gate = asyncio.Event()
            stdout = _Stream(b"partial", gate=gate, error=_lost())
            stderr = _Stream(gate=gate, error=_lost())
            reading = asyncio.ensure_future(
                read_both(stdout, stderr, stdout_limit=_LIMIT, stderr_limit=_LIMIT)
            )
            await asyncio.sleep(0)
            gate.set()  # the connection drops: both readers fail in the same loop iteration
            return await reading

        with pytest.raises(asyncssh.ConnectionLost):
            _run(runner, scenario)
        gc.collect()
    assert _unretrieved(reports) == []
    assert "never retrieved" not in caplog.text


def test_one_failing_stream_stops_the_other() -> None:
    with _loop_reporting_unretrieved() as (runner, reports):

        async def scenario() -> object:
            stderr = _Stream(gate=asyncio.Event())  # would wait forever
            return await read_both(
                _Stream(error=_lost()), stderr, stdout_limit=_LIMIT, stderr_limit=_LIMIT
            )

        with pytest.raises(asyncssh.ConnectionLost):
            _run(runner, scenario)
        gc.collect()
    assert _unretrieved(reports) == []


def test_a_stream_failing_while_the_other_passes_its_cap_is_raised() -> None:
    with _loop_reporting_unretrieved() as (runner, reports):

        async def scenario() -> object:
            gate = asyncio.Event()
            stdout = _Stream(b"x" * (_LIMIT + 1))
            stderr = _Stream(gate=gate, error=_lost())
            gate.set()
            return await read_both(stdout, stderr, stdout_limit=_LIMIT, stderr_limit=_LIMIT)

        with pytest.raises(asyncssh.ConnectionLost):
            _run(runner, scenario)
        gc.collect()
    assert _unretrieved(reports) == []


def test_cancelled_while_both_streams_fail_propagates_the_cancellation() -> None:
    """A command timeout (the caller's ``wait_for``) landing in the iteration the connection
    drops: the cancellation wins and the readers' errors are still retrieved."""
    with _loop_reporting_unretrieved() as (runner, reports):

        async def scenario() -> object:
            gate = asyncio.Event()
            stdout = _Stream(gate=gate, error=_lost())
            stderr = _Stream(gate=gate, error=_lost())
            reading = asyncio.ensure_future(
                read_both(stdout, stderr, stdout_limit=_LIMIT, stderr_limit=_LIMIT)
            )
            await asyncio.sleep(0)
            gate.set()
            reading.cancel()
            return await reading

        with pytest.raises(asyncio.CancelledError):
            _run(runner, scenario)
        gc.collect()
    assert _unretrieved(reports) == []


def test_streams_read_to_their_ends_and_to_their_caps() -> None:
    with _loop_reporting_unretrieved() as (runner, reports):

        async def ends() -> object:
            return await read_both(
                _Stream(b"out"), _Stream(b"err"), stdout_limit=_LIMIT, stderr_limit=_LIMIT
            )

        async def cut() -> object:
            return await read_both(
                _Stream(b"x" * 10), _Stream(gate=asyncio.Event()), stdout_limit=4, stderr_limit=4
            )

        assert _run(runner, ends) == (b"out", b"err", False)
        assert _run(runner, cut) == (b"xxxx", b"", True)
        gc.collect()
    assert _unretrieved(reports) == []
