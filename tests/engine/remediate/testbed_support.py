"""Helpers for the remediation tests on real testbed hosts.

Expectations come from the hosts themselves through the OpenSSH client (independent of
patchdesk's transport): the dpkg database, apt's own list of pending security updates,
automatic-install marks, running processes. Findings come from the real pipeline: a scan,
advisories derived from the mirror the host is configured with (air-gapped changelog mode)
and the matcher.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from patchdesk.engine.collect import scan_hosts
from patchdesk.engine.match import AdvisoryIndex, Matcher
from patchdesk.engine.model.finding import PackageFinding
from patchdesk.engine.model.inventory import HostInventory
from patchdesk.engine.remediate import WorkPlan, WorkResult, build_work_plan, run_work
from patchdesk.engine.transport import Elevation, SshCredentials, SshTarget, parse_host_key
from patchdesk_testing.testbed.hosts import TestbedHost
from patchdesk_testing.testbed.oracles import (
    auto_marks,
    dpkg_state,
    mirror_advisories,
    pending_security,
)
from patchdesk_testing.testbed.testbed import Testbed

__all__ = [
    "auto_marks",
    "dpkg_state",
    "finding_keys",
    "findings",
    "mirror_advisories",
    "now",
    "pending_security",
    "plan",
    "run",
    "scan",
    "target",
    "web_server_packages",
]


def now() -> datetime:
    return datetime.now(UTC)


def target(bed: Testbed, host: TestbedHost, user: str, **credentials: Any) -> SshTarget:
    assert bed.account is not None
    if user == "alice":
        settings: dict[str, Any] = {
            "username": "alice",
            "password": bed.account.alice_password,
            "elevation": Elevation.SUDO_PASSWORD,
        }
    else:
        settings = {
            "username": user,
            "private_keys": (bed.account.key.read_text(),),
            "elevation": Elevation.NONE if user == "root" else Elevation.SUDO,
        }
    settings.update(credentials)
    # pinned, as the desk has it from the first scan (the work refuses unpinned servers)
    pinned = parse_host_key(host.host_key_line())
    return SshTarget(host=host.ip, credentials=SshCredentials(**settings), host_key=pinned)


def scan(*targets: SshTarget) -> list[HostInventory]:
    inventories = asyncio.run(scan_hosts(list(targets), clock=now))
    for inventory in inventories:
        assert inventory.error is None, inventory.error
    return inventories


def plan(*args: Any, **kwargs: Any) -> WorkPlan:
    built = build_work_plan(*args, **kwargs)
    assert isinstance(built, WorkPlan), built
    return built


def run(work: WorkPlan, to: SshTarget, **kwargs: Any) -> WorkResult:
    return asyncio.run(
        run_work(work, to, window_ends_at=now() + timedelta(hours=1), clock=now, **kwargs)
    )


def findings(host: TestbedHost, inventory: HostInventory) -> list[PackageFinding]:
    """The matcher's findings for ``inventory``, from :func:`mirror_advisories`."""
    index = AdvisoryIndex.from_advisories(mirror_advisories(host, inventory))
    return list(Matcher(index).match_host(inventory).findings)


def finding_keys(found: list[PackageFinding]) -> set[tuple[str, str, str]]:
    return {(f.advisory_id, f.package, f.installed_version) for f in found}


def web_server_packages(host: TestbedHost, binary: str) -> set[str]:
    """Packages owning the files the running ``binary`` processes map (OpenSSH + dpkg -S)."""
    maps = host.ssh(
        f"for p in $(pgrep -x {binary}); do awk '$6 ~ /^\\// {{print $6}}' /proc/$p/maps; done"
        " | sort -u"
    ).stdout.split()
    owners = host.ssh(f"dpkg -S {' '.join(maps)} 2>/dev/null; true").stdout
    return {
        name.split(":")[0].strip()
        for line in owners.splitlines()
        for name in line.split(": ", 1)[0].split(",")
    }
