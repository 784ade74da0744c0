"""Software built from source (R5): real output of a testbed host with files dropped under
/usr/local and /opt and a daemon running from /opt."""

from __future__ import annotations

from engine.collect.support import output, recording
from patchdesk.engine.collect import commands
from patchdesk.engine.collect.out_of_scope import (
    build_out_of_scope,
    ownership_candidates,
    parse_local_software,
    parse_owned_paths,
    parse_process_binaries,
)
from patchdesk.engine.model.inventory import OutOfScopeItem, OutOfScopeKind

NAME = "debian12-scenarios-deploy-sudo"


def test_real_host_files_processes_and_ownership() -> None:
    files, rejections, is_cut = parse_local_software(output(NAME, commands.FIND_LOCAL_SOFTWARE))
    assert (rejections.count, is_cut) == (0, False)
    assert sorted(files) == [
        "/opt/acme/bin/acmed",
        "/opt/acme/lib/libacme.so.1",
        "/usr/local/bin/pdtest-tool",
    ]
    binaries, rejections = parse_process_binaries(output(NAME, commands.PROC_EXES))
    assert rejections.count == 0
    assert "/opt/acme/bin/acmed" in binaries
    assert "/usr/sbin/sshd" in binaries
    assert not any(path.endswith("(deleted)") for path in binaries)  # a restart matter
    owned_entry = next(
        c for c in recording(NAME).commands if c.command == commands.DPKG_OWNED_PATHS
    )
    assert owned_entry.stdin.decode().splitlines() == ownership_candidates([*files, *binaries])
    owned, _ = parse_owned_paths(owned_entry.stdout)
    items = build_out_of_scope(local_files=files, process_binaries=binaries, owned=owned)
    assert [(i.kind, i.path) for i in items] == [
        (OutOfScopeKind.EXECUTABLE, "/opt/acme/bin/acmed"),
        (OutOfScopeKind.LIBRARY, "/opt/acme/lib/libacme.so.1"),
        (OutOfScopeKind.EXECUTABLE, "/usr/local/bin/pdtest-tool"),
        (OutOfScopeKind.PROCESS, "/opt/acme/bin/acmed"),
    ]
    assert items[2].reason == "under /usr/local, owned by no package"


def test_merged_usr_aliases_count_as_owned() -> None:
    assert ownership_candidates(["/usr/bin/bash", "/sbin/init", "/opt/x"]) == [
        "/usr/bin/bash", "/bin/bash", "/sbin/init", "/usr/sbin/init", "/opt/x",
    ]  # fmt: skip
    items = build_out_of_scope(
        local_files=[],
        process_binaries={"/usr/bin/bash": [5], "/home/alice/miner": [7, 6]},
        owned={"/bin/bash"},
    )
    assert items == (
        OutOfScopeItem(
            kind=OutOfScopeKind.PROCESS,
            path="/home/alice/miner",
            reason="running binary owned by no package",
            pids=(6, 7),
        ),
    )


def test_hostile_paths_are_rejected() -> None:
    data = b"/usr/local/bin/ok\0/etc/passwd\0/opt/a\nb\0/opt/../etc/shadow\0/opt/\x1b[2J\0"
    files, rejections, _ = parse_local_software(data)
    assert files == ["/usr/local/bin/ok"]
    assert rejections.count == 4
    binaries, rejections = parse_process_binaries(
        b"/proc/1\t/usr/sbin/sshd\n/proc/x\t/bin/sh\nno tab\n/proc/3\trelative/path\n/proc/4\t\n"
    )
    assert binaries == {"/usr/sbin/sshd": [1]}
    assert rejections.count == 3
