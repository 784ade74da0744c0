"""Record real update runs on testbed hosts for the remediation unit tests.

``python -m patchdesk_testing.testbed.record_remediation OUTDIR [kernel]`` brings up a testbed,
prepares the scenario hosts (synthetic security repositories, a held dpkg lock, Apache with
an encrypted key, the simulated RPM host) and runs each scenario through recording
transports. Each file holds the commands of every connection of one run, in order, plus the
scenario (requests and options) under ``"scenario"``. The mirror's host name becomes
``mirror.invalid`` and stdin (which can hold a passphrase) is not kept. With ``kernel`` only
the synthetic kernel scenario (:data:`KERNEL_SCENARIO`) is recorded, on a host of its own.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from patchdesk.engine.collect import scan_hosts
from patchdesk.engine.collect.pool import ScanTarget
from patchdesk.engine.remediate import (
    RequestedItem,
    RestartPolicy,
    RunOptions,
    VersionBasis,
    WorkPlan,
    WorkResult,
    build_work_plan,
    run_work,
)
from patchdesk.engine.transport import (
    Elevation,
    RecordingTransport,
    SshCredentials,
    SshTarget,
    Transport,
    format_recording,
    open_ssh,
    parse_host_key,
)
from patchdesk.engine.transport.replay import Recording
from patchdesk_testing.testbed import remediation, scenarios
from patchdesk_testing.testbed.hosts import TestbedHost
from patchdesk_testing.testbed.mirror import find_mirror
from patchdesk_testing.testbed.record import scrub
from patchdesk_testing.testbed.testbed import Testbed

__all__ = ["Scenario", "main", "record_run"]

PASSPHRASE = "pdtest-tls-passphrase"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    name: str
    requests: tuple[RequestedItem, ...]
    restart: tuple[str, ...] = ()
    allowed_dependencies: tuple[str, ...] = ()
    passphrases: dict[str, str] = field(default_factory=dict)
    lock_wait_s: int = 300

    def document(self) -> dict[str, Any]:
        return {
            "requests": [
                {
                    "package": r.package,
                    "min_version": r.min_version,
                    "basis": str(r.basis),
                    "advisory_id": r.advisory_id,
                    "cve_ids": list(r.cve_ids),
                }
                for r in self.requests
            ],
            "restart": list(self.restart),
            "allowed_dependencies": list(self.allowed_dependencies),
            "passphrases_on_file": sorted(self.passphrases),
            "lock_wait_s": self.lock_wait_s,
        }


async def record_run(target: ScanTarget, scenario: Scenario) -> tuple[WorkResult, list[Recording]]:
    """Scan, plan and run ``scenario`` on ``target`` with every connection recorded."""
    (inventory,) = await scan_hosts([target], clock=_now)
    if inventory.error is not None:
        raise RuntimeError(inventory.error.message)
    plan = build_work_plan(
        scenario.requests,
        inventory,
        restart_services=RestartPolicy.of(scenario.restart),
        allowed_dependencies=scenario.allowed_dependencies,
        passphrases_on_file=scenario.passphrases,
    )
    if not isinstance(plan, WorkPlan):
        raise RuntimeError(plan.message)
    recordings: list[Recording] = []

    @asynccontextmanager
    async def connect(target: ScanTarget) -> AsyncIterator[Transport]:
        assert isinstance(target, SshTarget)
        async with open_ssh(target) as transport:
            recorder = RecordingTransport(transport)
            try:
                yield recorder
            finally:
                recordings.append(recorder.recording())

    result = await run_work(
        plan,
        target,
        window_ends_at=_now() + timedelta(hours=1),
        clock=_now,
        passphrases=scenario.passphrases,
        options=RunOptions(lock_wait_s=scenario.lock_wait_s),
        connect=connect,
    )
    return result, recordings


def _write(
    out: Path, scenario: Scenario, recordings: list[Recording], hosts: frozenset[str]
) -> None:
    connections = []
    for recording in recordings:
        clean = scrub(recording, hosts)
        clean = replace(clean, commands=tuple(replace(c, stdin=b"") for c in clean.commands))
        connections.append(json.loads(format_recording(clean)))
    document = {"scenario": scenario.document(), "connections": connections}
    (out / f"{scenario.name}.json").write_text(
        json.dumps(document, indent=1, ensure_ascii=False) + "\n"
    )


def _target(bed: Testbed, host: TestbedHost, user: str) -> SshTarget:
    assert bed.account is not None
    if user == "alice":
        credentials = SshCredentials(
            username="alice",
            password=bed.account.alice_password,
            elevation=Elevation.SUDO_PASSWORD,
        )
    else:
        credentials = SshCredentials(
            username=user,
            private_keys=(bed.account.key.read_text(),),
            elevation=Elevation.SUDO if user != "root" else Elevation.NONE,
        )
    return SshTarget(
        host=host.ip, credentials=credentials, host_key=parse_host_key(host.host_key_line())
    )


def _item(package: str, minimum: str, **kwargs: Any) -> RequestedItem:
    return RequestedItem(package=package, min_version=minimum, **kwargs)


DEBIAN_SCENARIOS = (
    Scenario(
        name="apt-update-done",
        requests=(
            _item("libexpat1", "2.5.0-1+deb12u3", basis=VersionBasis.SOURCE, advisory_id="DSA-X"),
            _item("pdtest-libbar", "1.0-1+deb12u1", advisory_id=remediation.DEB_ADVISORY),
        ),
    ),
    Scenario(
        name="apt-retry-already-fixed",
        requests=(
            _item("libexpat1", "2.5.0-1+deb12u3", basis=VersionBasis.SOURCE, advisory_id="DSA-X"),
            _item("pdtest-libbar", "1.0-1+deb12u1", advisory_id=remediation.DEB_ADVISORY),
        ),
    ),
    Scenario(name="apt-refused-removal", requests=(_item("pdtest-libqux", "1.0-1+deb12u1"),)),
    Scenario(name="apt-refused-new-package", requests=(_item("pdtest-libbaz", "1.0-1+deb12u1"),)),
    Scenario(
        name="apt-new-package-allowed",
        requests=(_item("pdtest-libbaz", "1.0-1+deb12u1"),),
        allowed_dependencies=("pdtest-newdep",),
    ),
)

KERNEL_SCENARIO = Scenario(
    name="apt-kernel-new-abi",
    requests=(
        _item(
            "linux-image-1.0.0-1-pdtest", "1.0.0-2", basis=VersionBasis.SOURCE, advisory_id="DSA-K"
        ),
    ),
)

RPM_SCENARIOS = (
    Scenario(
        name="dnf-advisory-done",
        requests=(
            _item(
                "pdtest-libfoo",
                "1.0-2",
                advisory_id=remediation.RPM_ADVISORY,
                cve_ids=("CVE-2099-0001",),
            ),
        ),
    ),
    Scenario(name="dnf-refused-conflict", requests=(_item("pdtest-libqux", "1.0-2"),)),
    Scenario(name="dnf-refused-obsoletes", requests=(_item("pdtest-libzap", "1.0-2"),)),
    Scenario(name="dnf-refused-new-package", requests=(_item("pdtest-libbaz", "1.0-2"),)),
)


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "tests/engine/remediate/data/recordings")
    out.mkdir(parents=True, exist_ok=True)
    mirror_hosts = find_mirror().hosts
    bed = Testbed()
    if argv[1:] == ["kernel"]:
        updates = remediation.DEB_KERNEL_UPDATES
        with (
            bed.running(1),
            remediation.serve_deb_security_repository(
                updates, remediation.DEB_KERNEL_REPO_PORT
            ) as www,
        ):
            (host,) = bed.hosts
            remediation.install_deb_security_scenario(host, www, updates)
            result, recordings = asyncio.run(
                record_run(_target(bed, host, "deploy"), KERNEL_SCENARIO)
            )
            _write(out, KERNEL_SCENARIO, recordings, mirror_hosts)
            print(f"recorded {KERNEL_SCENARIO.name}: {result.status} {result.items}")
        return 0
    with (
        bed.running(3),
        remediation.serve_deb_security_repository() as deb_www,
        remediation.serve_rpm_security_repository() as rpm_www,
    ):
        h1, h2, h3 = bed.hosts

        def record(target: SshTarget, scenario: Scenario) -> None:
            result, recordings = asyncio.run(record_run(target, scenario))
            _write(out, scenario, recordings, mirror_hosts)
            print(f"recorded {scenario.name}: {result.status} {[i.code for i in result.issues]}")

        remediation.install_deb_security_scenario(h1, deb_www)
        for scenario in DEBIAN_SCENARIOS:
            record(_target(bed, h1, "deploy"), scenario)
        holder = remediation.hold_package_manager_lock(h2)
        record(
            _target(bed, h2, "deploy"),
            Scenario(name="apt-refused-locked", requests=DEBIAN_SCENARIOS[0].requests[:1],
                     lock_wait_s=2),
        )  # fmt: skip
        remediation.release_package_manager_lock(h2, holder)
        scenarios.add_apache_encrypted_key(h3, passphrase=PASSPHRASE.encode())
        remediation.start_apache_with_passphrase(h3, PASSPHRASE.encode())
        apache = (_item("libssl3", "3.0.21", basis=VersionBasis.SOURCE),)
        record(
            _target(bed, h3, "alice"),
            Scenario(name="apt-refused-tls-passphrase", requests=apache, restart=("apache2",)),
        )
        record(
            _target(bed, h3, "alice"),
            Scenario(
                name="apt-apache-restarted-with-passphrase",
                requests=apache,
                restart=("apache2",),
                passphrases={"apache2": PASSPHRASE},
            ),
        )
        rpm_host = bed.add_host(4, kind="rpm")
        remediation.install_rpm_security_scenario(rpm_host, rpm_www)
        for scenario in RPM_SCENARIOS:
            record(_target(bed, rpm_host, "deploy"), scenario)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
