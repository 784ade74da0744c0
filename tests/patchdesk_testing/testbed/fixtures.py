"""pytest fixtures for the SSH testbed (registered by ``patchdesk_testing.plugin``).

``testbed``: a session-wide testbed with ``PDTEST_TESTBED_HOSTS`` (default 3) hosts, their
package indexes updated through the proxy. ``testbed_host_factory``: extra hosts for one test
(scenarios that change a host), removed afterwards. Both **fail** when the machine cannot run
the testbed (not root, tools missing, no mirror): they never skip.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from patchdesk_testing.plugin import require
from patchdesk_testing.testbed.hosts import TestbedHost
from patchdesk_testing.testbed.testbed import Testbed, testbed_problem

__all__ = ["testbed", "testbed_host_factory"]

_FIRST_EXTRA_INDEX = 20


@pytest.fixture(scope="session")
def testbed() -> Iterator[Testbed]:
    require("the SSH testbed", testbed_problem())
    count = int(os.environ.get("PDTEST_TESTBED_HOSTS", "3"))
    bed = Testbed()
    try:
        bed.up(count)
    except Exception as exc:  # noqa: BLE001 - any failure to start is reported as one
        pytest.fail(f"the SSH testbed could not start: {exc}", pytrace=False)
    try:
        yield bed
    finally:
        bed.down()


@pytest.fixture
def testbed_host_factory(testbed: Testbed) -> Iterator[Callable[..., TestbedHost]]:
    """``make(apt_update=False, kind="debian")``: a fresh host for this test only (``kind="rpm"``:
    the simulated RPM host, its template built on first use)."""
    made: list[TestbedHost] = []

    def make(*, apt_update: bool = False, kind: str = "debian") -> TestbedHost:
        host = testbed.add_host(testbed.next_index(_FIRST_EXTRA_INDEX), kind=kind)
        made.append(host)
        if apt_update:
            testbed.apt_update([host])
        return host

    try:
        yield make
    finally:
        for host in made:
            testbed.remove_host(host)
