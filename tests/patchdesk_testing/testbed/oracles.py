"""What a testbed host says about itself, asked through the OpenSSH client (independent of
patchdesk's transport): installed packages, automatic-install marks, apt's own pending
security updates, and the security advisories derived from the mirror it is configured with.
These are the oracles of the remediation and work-run tests."""

from __future__ import annotations

import re

from patchdesk.engine.feeds.debian_mirror import sync_debian_mirror
from patchdesk.engine.feeds.debian_sources import parse_one_line_sources
from patchdesk.engine.feeds.http import UrllibHttpClient
from patchdesk.engine.model import Advisory, AdvisoryKind
from patchdesk.engine.model.inventory import HostInventory
from patchdesk_testing.testbed.hosts import TestbedHost

__all__ = [
    "auto_marks",
    "dpkg_state",
    "independent_updates",
    "mirror_advisories",
    "pending_security",
]

# Inst libssl3 [3.0.20-1~deb12u2] (3.0.22-1~deb12u2 Debian-Security:12/oldstable-security [amd64])
_INST = re.compile(r"^Inst (\S+) \[(\S+)\] \((\S+) (\S+) \[")


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


def independent_updates(host: TestbedHost, by_source: dict[str, set[str]], count: int) -> list[str]:
    """``count`` of the source packages (each with its installed binaries) whose binaries apt
    upgrades alone, as pending security updates (apt's own dry run), fewest binaries first:
    work requested for exactly those changes exactly those binaries."""
    chosen = []
    for source, binaries in sorted(by_source.items(), key=lambda kv: (len(kv[1]), kv[0])):
        if set(pending_security(host, *sorted(binaries))) == binaries:
            chosen.append(source)
        if len(chosen) == count:
            return chosen
    raise AssertionError(f"fewer than {count} independent pending security updates: {by_source}")
