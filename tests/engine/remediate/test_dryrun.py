"""Dry-run parsers: real apt and dnf outputs recorded on the testbed, hand-written yum and
zypper outputs in their real formats (``data/fixtures/README.md``), and hostile output."""

from __future__ import annotations

import pytest

from engine.remediate.support import FIXTURES, load
from patchdesk.engine.model.work import TransactionAction as A
from patchdesk.engine.model.work import TransactionEntry
from patchdesk.engine.remediate.dryrun import (
    parse_apt_simulation,
    parse_dnf_transaction,
    parse_zypper_summary,
)
from patchdesk.engine.transport import CommandResult


def _result(stdout: bytes, *, status: int | None = 0, stderr: bytes = b"") -> CommandResult:
    return CommandResult(command="dry run", exit_status=status, stdout=stdout, stderr=stderr)


def _recorded(name: str, marker: str) -> CommandResult:
    entry = next(c for c in load(name).commands if marker in c.command)
    return _result(entry.stdout, status=entry.exit_status, stderr=entry.stderr)


def _short(entries: tuple[TransactionEntry, ...]) -> list[tuple[str, str, str, str]]:
    return [(str(e.action), e.name, e.old_version, e.new_version) for e in entries]


# --- apt ----------------------------------------------------------------------------------------


def test_apt_upgrade_with_a_sibling_binary() -> None:
    dry = parse_apt_simulation(_recorded("apt-update-done", "apt-get -s"))
    assert dry.problem is None
    assert _short(dry.entries) == [
        ("upgrade", "libexpat1", "2.5.0-1+deb12u2", "2.5.0-1+deb12u5"),
        ("upgrade", "pdtest-libbar", "1.0-1", "1.0-1+deb12u1"),
        ("upgrade", "pdtest-bar-utils", "1.0-1", "1.0-1+deb12u1"),
    ]
    assert dry.entries[0].arch == "amd64"
    assert dry.entries[0].repository == "Debian-Security:12/oldstable-security"


def test_apt_removal_and_new_package() -> None:
    removal = parse_apt_simulation(_recorded("apt-refused-removal", "apt-get -s"))
    assert _short(removal.entries) == [
        ("remove", "pdtest-legacy", "1.0-1", ""),
        ("upgrade", "pdtest-libqux", "1.0-1", "1.0-1+deb12u1"),
    ]
    new = parse_apt_simulation(_recorded("apt-refused-new-package", "apt-get -s"))
    assert _short(new.entries) == [
        ("install", "pdtest-newdep", "", "1.0-1"),
        ("upgrade", "pdtest-libbaz", "1.0-1", "1.0-1+deb12u1"),
    ]


def test_apt_downgrade_reinstall_purge_foreign_arch_and_several_origins() -> None:
    text = (
        b"Inst tzdata [2026f-0+deb12u1] (2026b-0+deb12u1 Debian:12.15/oldstable [all])\n"
        b"Inst bash [5.2.15-2+b13] (5.2.15-2+b13 Debian:12.15/oldstable [amd64])\n"
        b"Purg libfoo1:i386 [1.0-1] [libbar:i386 ]\n"
        b"Inst libssl3:i386 [3.0.20-1~deb12u2] (3.0.22-1~deb12u2 Debian:12.15/oldstable, "
        b"Debian-Security:12/oldstable-security [i386]) []\n"
        b"Conf libssl3:i386 (3.0.22-1~deb12u2 Debian-Security:12/oldstable-security [i386])\n"
    )
    dry = parse_apt_simulation(_result(text))
    assert _short(dry.entries) == [
        ("downgrade", "tzdata", "2026f-0+deb12u1", "2026b-0+deb12u1"),
        ("reinstall", "bash", "5.2.15-2+b13", "5.2.15-2+b13"),
        ("remove", "libfoo1", "1.0-1", ""),
        ("upgrade", "libssl3", "3.0.20-1~deb12u2", "3.0.22-1~deb12u2"),
    ]
    assert [e.arch for e in dry.entries] == ["all", "amd64", "i386", "i386"]
    assert dry.entries[3].repository.endswith("Debian-Security:12/oldstable-security")


@pytest.mark.parametrize(
    "line",
    [
        b"Inst libssl3;reboot [1.0] (2.0 Debian [amd64])",
        b"Inst libssl3 [1.0] ($(id) Debian [amd64])",
        b"Inst libssl3 [1.0]",
        b"Remv -rf [1.0]",
        b"Inst libssl3 [1.0] (2.0 Debian [amd64])\x1b[2J",
    ],
)
def test_apt_a_transaction_line_that_does_not_parse_spoils_the_dry_run(line: bytes) -> None:
    dry = parse_apt_simulation(_result(b"Inst ok [1.0] (2.0 Debian [all])\n" + line + b"\n"))
    assert dry.problem is not None
    assert dry.entries == ()


def test_apt_failures_and_unauthenticated_packages() -> None:
    failed = parse_apt_simulation(
        _result(b"", status=100, stderr=b"E: Unable to locate package x\n")
    )
    assert failed.problem == "apt-get -s failed: E: Unable to locate package x"
    warning = b"WARNING: The following packages cannot be authenticated!\n  libssl3\n"
    assert "authenticated" in (parse_apt_simulation(_result(warning)).problem or "")
    cut = CommandResult(command="x", exit_status=0, stdout=b"Inst a", stderr=b"", is_truncated=True)
    assert parse_apt_simulation(cut).problem is not None


def test_apt_chatter_is_ignored() -> None:
    dry = parse_apt_simulation(_recorded("apt-update-done", "DPkg::Lock::Timeout=300 check"))
    assert dry.problem is None
    assert dry.entries == ()


# --- dnf and yum --------------------------------------------------------------------------------


def test_dnf_recorded_upgrade_new_dependency_skip_and_replacement() -> None:
    done = parse_dnf_transaction(_recorded("dnf-advisory-done", "--assumeno"))
    assert _short(done.entries) == [("upgrade", "pdtest-libfoo", "", "1.0-2")]
    assert done.entries[0].repository == "pdtest-security"
    new = parse_dnf_transaction(_recorded("dnf-refused-new-package", "--assumeno"))
    assert _short(new.entries) == [
        ("upgrade", "pdtest-libbaz", "", "1.0-2"),
        ("install", "pdtest-newdep", "", "1.0-1"),
    ]
    skip = parse_dnf_transaction(_recorded("dnf-refused-conflict", "--assumeno"))
    assert _short(skip.entries) == [("skip", "pdtest-libqux", "", "1.0-2")]
    replaced = parse_dnf_transaction(_recorded("dnf-refused-obsoletes", "--assumeno"))
    assert _short(replaced.entries) == [
        ("upgrade", "pdtest-libzap", "", "1.0-2"),
        ("remove", "pdtest-oldzap", "1.0-1", ""),
    ]


def test_dnf_wrapped_lines_epochs_and_every_section() -> None:
    text = (FIXTURES / "dnf-wrapped-table.txt").read_bytes()
    dry = parse_dnf_transaction(_result(text, status=1, stderr=b"Operation aborted.\n"))
    assert dry.problem is None
    assert _short(dry.entries) == [
        ("upgrade", "NetworkManager-libnm-ovs-plugin-extras", "", "1:1.46.0-19.el9_5"),
        ("upgrade", "openssl-libs", "", "1:3.2.2-6.el9_5.1"),
        ("remove", "openssl1.1", "1:1.1.1k-7.el9", ""),
        ("install", "crypto-policies-scripts", "", "20240828-2.git626aa59.el9_5"),
        ("downgrade", "tzdata", "", "2024a-1.el9"),
        ("remove", "compat-openssl11", "1:1.1.1k-5.el9", ""),
    ]


def test_yum_el7_table() -> None:
    text = (FIXTURES / "yum-el7-assumeno.txt").read_bytes()
    dry = parse_dnf_transaction(_result(text, status=1))
    assert _short(dry.entries) == [
        ("upgrade", "openssl", "", "1:1.0.2k-26.el7_9"),
        ("upgrade", "openssl-libs", "", "1:1.0.2k-26.el7_9"),
    ]


def test_dnf_nothing_to_do_and_errors() -> None:
    nothing = parse_dnf_transaction(_result(b"Dependencies resolved.\nNothing to do.\nComplete!\n"))
    assert nothing.problem is None
    assert nothing.entries == ()
    error = parse_dnf_transaction(
        _result(b"", status=1, stderr=b"Error: Failed to download metadata for repo 'baseos'\n")
    )
    assert error.problem == "dry run failed: Error: Failed to download metadata for repo 'baseos'"


@pytest.mark.parametrize(
    "table",
    [
        b"Upgrading:\n pkg`id` x86_64 1.0-1 baseos 1 k\n",
        b"Upgrading:\n pkg x86_64 1.0-1 baseos\n",
        b"Upgrading:\n pkg x86_64 1.0-1 baseos 1 k\nInstalling module profiles:\n x y\n",
        b"Upgrading:\n pkg x86_64 not$(a)version baseos 1 k\n",
        b"Upgrading:\n pkg x86_64 1.0-1 baseos 1 k\n     replacing  old.x86_64\n",
    ],
)
def test_dnf_an_unreadable_table_spoils_the_dry_run(table: bytes) -> None:
    dry = parse_dnf_transaction(_result(table, status=1, stderr=b"Operation aborted.\n"))
    assert dry.problem is not None


# --- zypper -------------------------------------------------------------------------------------


def test_zypper_patch_summary_keeps_packages_not_patches() -> None:
    text = (FIXTURES / "zypper-patch-dry-run.xml").read_bytes()
    dry = parse_zypper_summary(_result(text, status=103))
    assert _short(dry.entries) == [
        ("upgrade", "libopenssl3", "3.1.4-150600.5.10.1", "3.1.4-150600.5.15.1"),
        ("upgrade", "openssl-3", "3.1.4-150600.5.10.1", "3.1.4-150600.5.15.1"),
    ]
    assert dry.entries[0].repository == "SLE-Module-Basesystem15-SP6-Updates"


def test_zypper_removal_error_and_garbage() -> None:
    text = (FIXTURES / "zypper-update-removes.xml").read_bytes()
    assert [e.action for e in parse_zypper_summary(_result(text)).entries] == [A.UPGRADE, A.REMOVE]
    error = (FIXTURES / "zypper-error.xml").read_bytes()
    assert "locked by the application" in (parse_zypper_summary(_result(error)).problem or "")
    assert parse_zypper_summary(_result(b"<stream><unclosed")).problem is not None
    assert parse_zypper_summary(_result(b"", status=7)).problem is not None
    hostile = text.replace(b'name="libcurl4"', b'name="libcurl4;reboot"')
    assert parse_zypper_summary(_result(hostile)).problem is not None
