"""``patchdesk scan``, run as a real process: local, inventory files, and the SSH testbed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from patchdesk.engine.collect import parse_inventory_document
from patchdesk.engine.transport import parse_host_key, parse_known_hosts
from patchdesk_testing.processes import cli_env, run_cli
from patchdesk_testing.testbed.hosts import TestbedHost
from patchdesk_testing.testbed.testbed import Testbed


def test_local_scan_as_json_then_replayed_from_the_file(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "data")
    result = run_cli("scan", "local", "--inventory-only", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    document = parse_inventory_document(result.stdout)
    (host,) = document.hosts
    assert host.target == "local"
    assert host.error is None
    assert host.platform is not None
    assert host.platform.key == "debian:12"
    assert host.packages
    saved = tmp_path / "inventory.json"
    saved.write_text(result.stdout)
    again = run_cli("scan", str(saved), "--inventory-only", "-o", str(tmp_path / "b.json"), env=env)
    assert again.returncode == 0, again.stderr
    assert parse_inventory_document((tmp_path / "b.json").read_text()).hosts == document.hosts
    assert not (tmp_path / "data").exists()  # no desk, no data directory for a local scan


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere"], "unknown target 'nowhere'"),
        (["ssh://"], "not an ssh://[user@]host[:port] target"),
        (
            ["ssh://h1", "--password-env", "PDTEST_UNSET_VARIABLE"],
            "PDTEST_UNSET_VARIABLE is not set",
        ),
        (["ssh://h1", "--identity", "/nonexistent/key"], "cannot read identity file"),
        (["ssh://h1", "--accept-host-key", "h1"], "--accept-host-key wants HOST[:PORT]=SHA256:"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    result = run_cli("scan", *args, "--inventory-only", env=cli_env(tmp_path / "data"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]


def test_a_garbled_inventory_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema": "patchdesk.inventory", "schema_version": 1}))
    result = run_cli("scan", str(bad), "--inventory-only", env=cli_env(tmp_path / "data"))
    assert result.returncode == 2
    assert "generated_at: missing" in result.stderr


@pytest.mark.testbed
def test_ssh_scan_pins_then_stops_on_a_changed_key_until_accepted(
    tmp_path: Path, testbed: Testbed, testbed_host_factory: type[TestbedHost]
) -> None:
    assert testbed.account is not None
    host = testbed_host_factory()  # type: ignore[call-arg]
    data = tmp_path / "data"
    env = cli_env(data)
    args = ["scan", f"ssh://root@{host.ip}", "-i", str(testbed.account.key), "--inventory-only"]

    first = run_cli(*args, env=env)
    assert first.returncode == 0, first.stderr
    assert f"pinned host key {host.ip} SHA256:" in first.stderr
    pinned = parse_known_hosts((data / "known_hosts").read_text())[host.ip]
    assert pinned == (parse_host_key(host.host_key_line()),)
    assert parse_inventory_document(first.stdout).hosts[0].hostname == host.name

    assert run_cli(*args, env=env).returncode == 0  # the pin matches

    host.replace_host_keys()
    new_key = parse_host_key(host.host_key_line())
    stopped = run_cli(*args, env=env)
    assert stopped.returncode == 1
    assert "HOST KEY CHANGED" in stopped.stderr
    assert f"--accept-host-key {host.ip}={new_key.fingerprint}" in stopped.stderr
    (failed,) = parse_inventory_document(stopped.stdout).hosts
    assert failed.error is not None
    assert failed.error.code == "host_key_changed"
    assert parse_known_hosts((data / "known_hosts").read_text())[host.ip] == pinned

    accepted = run_cli(*args, "--accept-host-key", f"{host.ip}={new_key.fingerprint}", env=env)
    assert accepted.returncode == 0, accepted.stderr
    assert parse_known_hosts((data / "known_hosts").read_text())[host.ip] == (new_key,)


@pytest.mark.testbed
def test_targets_file_with_passwords_from_the_environment(tmp_path: Path, testbed: Testbed) -> None:
    assert testbed.account is not None
    h1, h2 = testbed.hosts[:2]
    targets = tmp_path / "targets.toml"
    targets.write_text(
        "[defaults]\n"
        f'identity = "{testbed.account.key}"\n'
        'sudo = "nopasswd"\n'
        "\n[[target]]\n"
        f'host = "{h1.ip}"\nuser = "deploy"\n'
        "\n[[target]]\n"
        f'host = "{h2.ip}"\nuser = "alice"\nidentity = []\n'
        'password_env = "PDTEST_ALICE_PW"\nsudo = "password"\n'
        "\n[[target]]\n"
        f'host = "{h2.ip}"\nuser = "alice"\nidentity = []\n'
        'password_env = "PDTEST_WRONG_PW"\n'
    )
    env = {
        **cli_env(tmp_path / "data"),
        "PDTEST_ALICE_PW": testbed.account.alice_password,
        "PDTEST_WRONG_PW": "not-alices-password",
    }
    result = run_cli(
        "scan", "--targets", str(targets), "--inventory-only", "--concurrency", "2", env=env
    )
    assert result.returncode == 1  # the third target's password is wrong
    hosts = parse_inventory_document(result.stdout).hosts
    assert [h.error.code if h.error else "ok" for h in hosts] == ["ok", "ok", "auth_rejected"]
    assert all(h.is_privileged for h in hosts[:2])
    assert testbed.account.alice_password not in result.stdout + result.stderr
