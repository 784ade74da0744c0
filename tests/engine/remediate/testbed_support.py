"""Helpers for the remediation tests on real testbed hosts.

Expectations come from the hosts themselves through the OpenSSH client (independent of
patchdesk's transport): the dpkg database, apt's own list of pending security updates,
automatic-install marks, running processes. Findings come from the real pipeline: a scan,
advisories derived from the mirror the host is configured with (air-gapped changelog mode)
and the matcher.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from patchdesk.engine.collect import scan_hosts
from patchdesk.engine.feeds.debian_mirror import sync_debian_mirror
from patchdesk.engine.feeds.debian_sources import parse_one_line_sources
from patchdesk.engine.feeds.http import UrllibHttpClient
from patchdesk.engine.match import AdvisoryIndex, Matcher
from patchdesk.engine.model import Advisory, AdvisoryKind
from patchdesk.engine.model.finding import PackageFinding
from patchdesk.engine.model.inventory import HostInventory
from patchdesk.engine.remediate import WorkPlan, WorkResult, build_work_plan, run_work
from patchdesk.engine.transport import Elevation, SshCredentials, SshTarget, parse_host_key
from patchdesk_testing.testbed.hosts import TestbedHost
from patchdesk_testing.testbed.testbed import Testbed

# Inst libssl3 [3.0.20-1~deb12u2] (3.0.22-1~deb12u2 Debian-Security:12/oldstable-security [amd64])
_INST = re.compile(r"^Inst (\S+) \[(\S+)\] \((\S+) (\S+) \[")


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


def dpkg_state(host: TestbedHost) -> dict[tuple[str, str], str]:
    """Installed packages and versions, asked with the OpenSSH client."""
    text = host.ssh(
        "dpkg-query -W -f='${db:Status-Status} ${Package} ${Architecture} ${Version}\\n'"
    )
    rows = (line.split() for line in text.stdout.splitlines())
    return {(r[1], r[2]): r[3] for r in rows if len(r) == 4 and r[0] == "installed"}


def auto_marks(host: TestbedHost) -> set[str]:
    return set(host.ssh("apt-mark showauto").stdout.split())


def pending_security(host: TestbedHost, *packages: str) -> dict[str, str]:
    """apt's own answer: package → candidate, for pending security updates (of ``packages``
    only, when given: ``install --only-upgrade``)."""
    command = "apt-get -s -o Debug::NoLocking=1 " + (
        f"install --only-upgrade {' '.join(packages)}" if packages else "upgrade"
    )
    pending = {}
    for line in host.ssh(command).stdout.splitlines():
        found = _INST.match(line)
        if found and "Security" in found.group(4):
            pending[found.group(1).split(":")[0]] = found.group(3)
    return pending


def mirror_advisories(host: TestbedHost, inventory: HostInventory) -> list[Advisory]:
    """Security advisories derived from the changelogs of the candidates in the mirror the
    host is configured with (air-gapped changelog mode), for ``inventory``'s packages."""
    assert inventory.platform is not None
    sources_text = "\n".join(
        host.path(name).read_text(encoding="utf-8")
        for name in ("/etc/apt/sources.list", "/etc/apt/sources.list.d/security.list")
    )
    sources = parse_one_line_sources(sources_text, origin="testbed")
    derived = sync_debian_mirror(
        UrllibHttpClient(timeout_s=120),
        sources=sources.records,
        installed=inventory.packages,
        platform_key=inventory.platform.key,
        architecture="amd64",
    )
    return [a for a in derived.records if a.kind == AdvisoryKind.SECURITY]


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
