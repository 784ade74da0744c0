"""The concurrent pool: bounded, ordered, one host's failure never stops the others."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest

from engine.collect.support import Clock, recording
from patchdesk.engine.collect import ScanProgress, ScanTarget, scan_host, scan_hosts
from patchdesk.engine.model.inventory import HostKey, ScanErrorCode
from patchdesk.engine.transport import (
    AuthenticationRejectedError,
    HostKeyChangedError,
    ReplayTransport,
    SshCredentials,
    SshTarget,
    Transport,
    UnreachableError,
)

REC = recording("debian12-root")


def _target(name: str) -> SshTarget:
    return SshTarget(host=name, credentials=SshCredentials(username="root"))


class _Fleet:
    """A fake ``connect``: replays the recording, fails some hosts, counts concurrency."""

    def __init__(self, failures: dict[str, Exception]) -> None:
        self.failures = failures
        self.active = 0
        self.peak = 0

    def __call__(self, target: ScanTarget) -> AbstractAsyncContextManager[Transport]:
        return self._open(target)

    @asynccontextmanager
    async def _open(self, target: ScanTarget) -> AsyncIterator[Transport]:
        assert isinstance(target, SshTarget)
        self.active += 1
        self.peak = max(self.peak, self.active)
        try:
            await asyncio.sleep(0.01)
            if target.host in self.failures:
                raise self.failures[target.host]
            yield ReplayTransport(REC)
        finally:
            self.active -= 1


def test_bounded_ordered_and_failures_isolated() -> None:
    pinned = HostKey(algorithm="ssh-ed25519", public_key="ssh-ed25519 AAAA", fingerprint="SHA256:a")
    seen = HostKey(algorithm="ssh-ed25519", public_key="ssh-ed25519 BBBB", fingerprint="SHA256:b")
    fleet = _Fleet(
        {
            "h3": UnreachableError("h3: cannot connect: No route to host"),
            "h5": AuthenticationRejectedError("h5: authentication rejected"),
            "h7": HostKeyChangedError("h7: HOST KEY CHANGED", expected=pinned, observed=seen),
            "h9": RuntimeError("a defect"),
        }
    )
    targets = [_target(f"h{i}") for i in range(12)]
    progress: list[ScanProgress] = []
    results = asyncio.run(
        scan_hosts(
            targets, clock=Clock(), concurrency=4, connect=fleet, on_progress=progress.append
        )
    )
    assert fleet.peak == 4
    assert [r.target for r in results] == [t.url for t in targets]
    codes = {r.target.split("@")[1].split(":")[0]: r.error.code for r in results if r.error}
    assert codes == {
        "h3": ScanErrorCode.UNREACHABLE,
        "h5": ScanErrorCode.AUTH_REJECTED,
        "h7": ScanErrorCode.HOST_KEY_CHANGED,
        "h9": ScanErrorCode.INTERNAL_ERROR,
    }
    assert results[7].host_key == seen  # for the operator to review
    assert all(len(r.packages) == 146 for r in results if r.error is None)
    assert [p.done for p in progress] == list(range(1, 13))
    assert {p.total for p in progress} == {12}


def test_scan_host_alone_and_a_bad_pool_size() -> None:
    inventory = asyncio.run(scan_host(_target("h1"), clock=Clock(), connect=_Fleet({})))
    assert inventory.error is None
    with pytest.raises(ValueError, match="concurrency"):
        asyncio.run(scan_hosts([], clock=Clock(), concurrency=0))
