"""Real hosts: scans of the SSH testbed (Debian bookworm, OpenSSH sshd, sudo, PAM, apt).

Expectations are computed at test time from each host itself (its own dpkg database, its own
host key), through the OpenSSH client, independently of patchdesk's transport.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import asyncssh
import pytest

from patchdesk.engine.collect import CollectOptions, OriginRules, scan_hosts
from patchdesk.engine.model.inventory import (
    HostInventory,
    OriginClass,
    OutOfScopeKind,
    RestartCheckMethod,
    ScanErrorCode,
)
from patchdesk.engine.transport import (
    CommandTimeoutError,
    Elevation,
    SshCredentials,
    SshTarget,
    open_ssh,
    parse_host_key,
)
from patchdesk_testing.testbed import network, scenarios
from patchdesk_testing.testbed.hosts import TestbedHost
from patchdesk_testing.testbed.testbed import PROXY_PORT, Testbed

pytestmark = pytest.mark.testbed

HostFactory = Callable[..., TestbedHost]


def _now() -> datetime:
    return datetime.now(UTC)


def _scan(targets: list[SshTarget], **kwargs: object) -> list[HostInventory]:
    return asyncio.run(scan_hosts(targets, clock=_now, **kwargs))  # type: ignore[arg-type]


def _key(bed: Testbed) -> str:
    assert bed.account is not None
    return bed.account.key.read_text()


def _root(bed: Testbed, host: TestbedHost, **kwargs: object) -> SshTarget:
    return SshTarget(
        host=host.ip,
        credentials=SshCredentials(username="root", private_keys=(_key(bed),)),
        **kwargs,  # type: ignore[arg-type]
    )


def _deploy(bed: Testbed, host: TestbedHost) -> SshTarget:
    return SshTarget(
        host=host.ip,
        credentials=SshCredentials(
            username="deploy", private_keys=(_key(bed),), elevation=Elevation.SUDO
        ),
    )


def _alice(bed: Testbed, host: TestbedHost, **credentials: object) -> SshTarget:
    assert bed.account is not None
    settings: dict[str, object] = {
        "username": "alice",
        "password": bed.account.alice_password,
        "elevation": Elevation.SUDO_PASSWORD,
        **credentials,
    }
    return SshTarget(host=host.ip, credentials=SshCredentials(**settings))  # type: ignore[arg-type]


def _dpkg_truth(host: TestbedHost) -> set[tuple[str, str, str, str, str]]:
    """The host's installed packages, asked through OpenSSH with a different query."""
    text = host.ssh(
        "dpkg-query -W -f='${db:Status-Status}|${Package}|${Architecture}|${Version}|"
        "${source:Package}|${source:Version}\\n'"
    ).stdout
    rows = [line.split("|") for line in text.splitlines()]
    return {(r[1], r[2], r[3], r[4], r[5]) for r in rows if r[0] == "installed"}


def test_three_hosts_scanned_concurrently_match_their_own_dpkg_databases(
    testbed: Testbed,
) -> None:
    h1, h2, h3 = testbed.hosts[:3]
    targets = [_root(testbed, h1), _deploy(testbed, h2), _alice(testbed, h3)]
    results = _scan(targets, concurrency=3)
    for host, inventory in zip((h1, h2, h3), results, strict=True):
        assert inventory.error is None, inventory.error
        assert inventory.hostname == host.name
        assert inventory.platform is not None
        assert inventory.platform.key == "debian:12"
        assert inventory.is_privileged  # root, sudo NOPASSWD, sudo with password
        got = {
            (p.name, p.arch, p.version, p.source_name, p.source_version) for p in inventory.packages
        }
        assert got == _dpkg_truth(host)
        assert inventory.host_key == parse_host_key(host.host_key_line())
        assert {p.origin.kind for p in inventory.packages} == {OriginClass.OS_VENDOR}
        assert {p.origin.label for p in inventory.packages} <= {"Debian", "Debian-Security"}
        assert inventory.warnings == ()


def test_a_wrong_password_is_authentication_rejected(testbed: Testbed) -> None:
    (result,) = _scan([_alice(testbed, testbed.hosts[0], password="not-the-password")])
    assert result.error is not None
    assert result.error.code is ScanErrorCode.AUTH_REJECTED


def test_refused_sudo_is_permission_denied(testbed: Testbed) -> None:
    host = testbed.hosts[0]
    no_password = _alice(testbed, host, elevation=Elevation.SUDO)
    wrong_password = _alice(testbed, host, sudo_password="wrong-sudo-password")
    results = _scan([no_password, wrong_password])
    assert [r.error.code if r.error else None for r in results] == [
        ScanErrorCode.PERMISSION_DENIED,
        ScanErrorCode.PERMISSION_DENIED,
    ]


def test_a_replaced_host_key_is_a_hard_stop_until_accepted(
    testbed: Testbed, testbed_host_factory: HostFactory
) -> None:
    host = testbed_host_factory()
    (first,) = _scan([_root(testbed, host)])
    assert first.error is None
    assert first.host_key is not None
    pinned = first.host_key
    host.replace_host_keys()
    log_before = host.log.read_text()
    (stopped,) = _scan([_root(testbed, host, host_key=pinned)])
    assert stopped.error is not None
    assert stopped.error.code is ScanErrorCode.HOST_KEY_CHANGED
    new_key = parse_host_key(host.host_key_line())
    assert stopped.host_key == new_key
    assert stopped.packages == ()
    new_log = host.log.read_text()[len(log_before) :]
    assert not re.search(r"Accepted|Failed|Postponed|publickey", new_log), new_log
    (accepted,) = _scan(
        [_root(testbed, host, host_key=pinned, accept_fingerprint=new_key.fingerprint)]
    )
    assert accepted.error is None
    assert accepted.host_key == new_key


def test_scenario_host_tls_out_of_scope_and_restart(
    testbed: Testbed, testbed_host_factory: HostFactory
) -> None:
    host = testbed_host_factory()
    apache_key = scenarios.add_apache_encrypted_key(host)
    nginx_key = scenarios.add_nginx_key_with_password_file(host)
    dropped = scenarios.add_software_built_from_source(host)
    deleted = scenarios.add_deleted_binary_service(host)
    (inventory,) = _scan([_deploy(testbed, host)])
    assert inventory.error is None
    services = {s.service: s for s in inventory.tls}
    assert services["apache2"].needs_passphrase
    assert [(k.path, k.is_encrypted) for k in services["apache2"].keys] == [(apache_key, True)]
    assert not services["nginx"].needs_passphrase  # ssl_password_file supplies it
    assert [(k.path, k.is_encrypted) for k in services["nginx"].keys] == [(nginx_key, True)]
    items = {(i.kind, i.path) for i in inventory.out_of_scope}
    assert items == {
        (OutOfScopeKind.EXECUTABLE, dropped["tool"]),
        (OutOfScopeKind.EXECUTABLE, dropped["daemon"]),
        (OutOfScopeKind.LIBRARY, dropped["library"]),
        (OutOfScopeKind.PROCESS, dropped["daemon"]),
    }
    assert inventory.restart is not None
    assert inventory.restart.method is RestartCheckMethod.PROC_MAPS
    assert [(s.name, s.deleted_files) for s in inventory.restart.services] == [
        ("pdtestd", (deleted,))
    ]


def test_package_origins_provider_third_party_local(
    testbed: Testbed, testbed_host_factory: HostFactory
) -> None:
    host = testbed_host_factory(apt_update=True)
    with scenarios.serve_extra_repositories() as www:
        expected = scenarios.install_from_extra_repositories(host, www)
    options = CollectOptions(origin_rules=OriginRules(apt_origins=(scenarios.PROVIDER_ORIGIN,)))
    (inventory,) = _scan([_root(testbed, host)], collect_options=options)
    assert inventory.error is None
    origins = {p.name: str(p.origin.kind) for p in inventory.packages if p.name in expected}
    assert origins == expected
    acme = next(p for p in inventory.packages if p.name == "pdtest-acme-agent")
    assert acme.origin.label == scenarios.THIRD_PARTY_ORIGIN


def test_needrestart_installed_through_the_proxy_is_used(
    testbed: Testbed, testbed_host_factory: HostFactory
) -> None:
    host = testbed_host_factory(apt_update=True)
    host.ssh("DEBIAN_FRONTEND=noninteractive apt-get install -y -q needrestart", timeout_s=600)
    (inventory,) = _scan([_root(testbed, host)])
    assert inventory.error is None
    assert inventory.restart is not None
    assert inventory.restart.method is RestartCheckMethod.NEEDRESTART
    assert "needrestart" in {p.name for p in inventory.packages}


def test_through_a_jump_host(testbed: Testbed) -> None:
    h1, h2 = testbed.hosts[:2]
    direct, via = _scan([_root(testbed, h2), _root(testbed, h2, jump=_root(testbed, h1))])
    assert via.error is None
    assert via.packages == direct.packages
    assert via.host_key == direct.host_key
    # h2's sshd saw one login from the bridge (direct) and one from h1 (through the jump)
    assert f"Accepted publickey for root from {h1.ip} " in h2.log.read_text()


def test_an_encrypted_client_key(testbed: Testbed, tmp_path: Path) -> None:
    assert testbed.account is not None
    key = asyncssh.read_private_key(testbed.account.key)
    encrypted = key.export_private_key("pkcs8-pem", passphrase="key-pass").decode()
    host = testbed.hosts[0]
    target = SshTarget(
        host=host.ip,
        credentials=SshCredentials(
            username="root", private_keys=(encrypted,), key_passphrase="key-pass"
        ),
    )
    (inventory,) = _scan([target])
    assert inventory.error is None


def test_command_timeout_and_a_stopped_server(
    testbed: Testbed, testbed_host_factory: HostFactory
) -> None:
    async def slow() -> bytes:
        async with open_ssh(_root(testbed, testbed.hosts[0])) as transport:
            with pytest.raises(CommandTimeoutError):
                await transport.run("sleep 20", timeout_s=0.5)
            return (await transport.run("echo alive")).stdout

    assert asyncio.run(slow()) == b"alive\n"
    host = testbed_host_factory()
    host.stop()
    (result,) = _scan([_root(testbed, host)])
    assert result.error is not None
    assert result.error.code is ScanErrorCode.UNREACHABLE


def test_hosts_reach_only_the_mirror_through_the_proxy(testbed: Testbed) -> None:
    name = testbed.hosts[0].namespace
    routes = network.run("ip", "netns", "exec", name, "ip", "route").stdout
    assert "default" not in routes
    assert routes.strip() == "10.213.0.0/24 dev eth0 proto kernel scope link src 10.213.0.11"
    proxy = urllib.request.ProxyHandler({"http": f"http://{network.BRIDGE_IP}:{PROXY_PORT}"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.build_opener(proxy).open("http://example.invalid/", timeout=10)
    assert caught.value.code == 403


def test_an_extra_host_leaves_nothing_behind(
    testbed: Testbed, testbed_host_factory: HostFactory
) -> None:
    host = testbed_host_factory()
    testbed.remove_host(host)
    assert host.namespace not in network.leftover_namespaces()
    links = network.run("ip", "-o", "link", "show").stdout
    assert f"tb-v{host.index}" not in links
    assert str(host.root) not in Path("/proc/self/mounts").read_text()
    assert not host.dir.exists()
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True)
    assert str(host.root) not in ps.stdout


def test_simulated_rpm_host_packages_origins_and_ownership(
    testbed: Testbed, testbed_host_factory: HostFactory
) -> None:
    """Debian's rpm and dnf with a Rocky Linux os-release (docs/testbed.md): the RPM command
    path over SSH, against the host's own rpm database."""
    host = testbed_host_factory(kind="rpm")
    with scenarios.serve_rpm_repositories() as www:
        expected = scenarios.install_rpm_packages(host, www)
    options = CollectOptions(origin_rules=OriginRules(repo_ids=("provider-updates",)))
    (inventory,) = _scan([_deploy(testbed, host)], collect_options=options)
    assert inventory.error is None
    assert inventory.platform is not None
    assert inventory.platform.key == "rocky:9"
    truth = host.ssh("rpm -qa --qf '%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE}\\n'").stdout
    want = {
        (name, evr.removeprefix("0:"))
        for name, evr in (line.split() for line in truth.splitlines())
    }
    assert {(p.name, p.version) for p in inventory.packages} == want
    assert {p.name: str(p.origin.kind) for p in inventory.packages} == expected
    epoch = next(p for p in inventory.packages if p.name == "rocky-epoch-lib")
    assert epoch.version.startswith("2:")
    assert epoch.rpm is not None
    assert epoch.rpm.epoch == 2
    # rpm owns /opt/provider/bin/provider-agent; nothing owns /opt/unowned/bin/tool. (The
    # host's own programs are dpkg's, so its processes show as unowned here: an artefact of
    # the simulation, not asserted.)
    files = [i.path for i in inventory.out_of_scope if i.kind is not OutOfScopeKind.PROCESS]
    assert files == ["/opt/unowned/bin/tool"]
