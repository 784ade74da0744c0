"""Record real command outputs from testbed hosts for the collector's unit tests.

``python -m patchdesk_testing.testbed.record OUTDIR`` brings up a testbed, prepares the
scenario hosts, scans each through a :class:`RecordingTransport` and writes one recording per
scenario. The mirror's host name is replaced by ``mirror.invalid`` (it must not be committed).
"""

from __future__ import annotations

import asyncio
import datetime
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from patchdesk.engine.collect import collect_inventory
from patchdesk.engine.transport import (
    Elevation,
    RecordingTransport,
    SshCredentials,
    SshTarget,
    format_recording,
    open_ssh,
)
from patchdesk.engine.transport.replay import Recording
from patchdesk_testing.testbed import scenarios
from patchdesk_testing.testbed.hosts import TestbedHost
from patchdesk_testing.testbed.mirror import find_mirror
from patchdesk_testing.testbed.testbed import Testbed

__all__ = ["main", "record_host", "scrub"]

PLACEHOLDER = b"mirror.invalid"


def scrub(recording: Recording, hosts: frozenset[str]) -> Recording:
    """Replace the mirror's host name in every recorded output."""

    def clean(data: bytes) -> bytes:
        for host in hosts:
            data = data.replace(host.encode(), PLACEHOLDER)
        return data

    commands = tuple(
        replace(c, stdout=clean(c.stdout), stderr=clean(c.stderr)) for c in recording.commands
    )
    return replace(recording, commands=commands)


async def record_host(target: SshTarget) -> Recording:
    async with open_ssh(target) as transport:
        recorder = RecordingTransport(transport)
        inventory = await collect_inventory(
            recorder, clock=lambda: datetime.datetime.now(datetime.UTC)
        )
        if inventory.error is not None:
            raise RuntimeError(f"{target.url}: {inventory.error.message}")
        return recorder.recording()


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "tests/engine/collect/data/recordings")
    out.mkdir(parents=True, exist_ok=True)
    mirror_hosts = find_mirror().hosts
    bed = Testbed()
    with (
        bed.running(3),
        scenarios.serve_extra_repositories() as www,
        scenarios.serve_rpm_repositories() as rpm_www,
    ):
        assert bed.account is not None
        key = bed.account.key.read_text()
        h1, h2, h3 = bed.hosts
        scenarios.add_apache_encrypted_key(h2)
        scenarios.add_nginx_key_with_password_file(h2)
        scenarios.add_software_built_from_source(h2)
        scenarios.add_deleted_binary_service(h2)
        scenarios.install_from_extra_repositories(h2, www)
        h3.ssh("DEBIAN_FRONTEND=noninteractive apt-get install -y -q needrestart", timeout_s=600)
        rpm_host = bed.add_host(4, kind="rpm")
        scenarios.install_rpm_packages(rpm_host, rpm_www)

        def target(host: TestbedHost, user: str, **credentials: object) -> SshTarget:
            creds: dict[str, object] = {"username": user, **credentials}
            if "password" not in credentials:
                creds["private_keys"] = (key,)
            return SshTarget(host=host.ip, credentials=SshCredentials(**creds))  # type: ignore[arg-type]

        plans: dict[str, Callable[[], SshTarget]] = {
            "debian12-root": lambda: target(h1, "root"),
            "debian12-scenarios-deploy-sudo": lambda: target(
                h2, "deploy", elevation=Elevation.SUDO
            ),
            "debian12-needrestart-root": lambda: target(h3, "root"),
            "rpm-simulated-rocky9-deploy-sudo": lambda: target(
                rpm_host, "deploy", elevation=Elevation.SUDO
            ),
            "debian12-unprivileged": lambda: target(
                h1, "alice", password=bed.account.alice_password if bed.account else ""
            ),
        }
        for name, plan in plans.items():
            recording = scrub(asyncio.run(record_host(plan())), mirror_hosts)
            (out / f"{name}.json").write_text(format_recording(recording))
            print(f"recorded {name}: {len(recording.commands)} commands")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
