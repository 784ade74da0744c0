"""rpm -qa and repository parsers (real-format fixtures, see data/rpm/README.md)."""

from __future__ import annotations

from engine.collect.support import DATA, output
from patchdesk.engine.collect import commands
from patchdesk.engine.collect.rpm import (
    format_evr,
    parse_repoquery,
    parse_rpm_query,
    parse_zypper_installed,
)

RPM_QA = (DATA / "rpm" / "almalinux9-rpm-qa.txt").read_bytes()
REPOQUERY = (DATA / "rpm" / "almalinux9-dnf-repoquery.txt").read_bytes()


def test_rpm_query_fields_epochs_and_source_packages() -> None:
    records, rejections = parse_rpm_query(RPM_QA)
    assert rejections.count == 0
    names = [r.name for r in records]
    assert "gpg-pubkey" not in names  # a signing key, not a package
    openssl = records[0]
    assert (openssl.name, openssl.epoch, openssl.version, openssl.release) == (
        "openssl-libs",
        1,
        "3.0.7",
        "27.el9",
    )
    assert (openssl.source_name, openssl.vendor) == ("openssl", "AlmaLinux")
    python = next(r for r in records if r.name == "python3-libs")
    assert python.source_name == "python3.9"
    agent = next(r for r in records if r.name == "mycorp-agent")
    assert agent.vendor == ""  # "(none)"
    assert format_evr(1, "3.0.7", "27.el9") == "1:3.0.7-27.el9"
    assert format_evr(0, "5.1.8", "9.el9") == "5.1.8-9.el9"


def test_hostile_rpm_lines_are_rejected() -> None:
    hostile = (
        b"evil;reboot\t(none)\t1\t1\tx86_64\tX\tevil-1-1.src.rpm\n"
        b"ok\tone\t1\t1\tx86_64\tX\tok-1-1.src.rpm\n"  # non-numeric epoch
        b"ok2\t(none)\t1$(id)\t1\tx86_64\tX\tok2-1-1.src.rpm\n"
        b"ok3\t(none)\t1\t1\tx86_64\tX\tnot-a-source-rpm\n"
        b"ok4\t(none)\t1\t1\tx86 64\tX\tok4-1-1.src.rpm\n"
    )
    records, rejections = parse_rpm_query(RPM_QA + hostile)
    assert len(records) == 10
    assert rejections.count == 5


def test_dnf_repoquery_repositories() -> None:
    repos, rejections = parse_repoquery(REPOQUERY, source="dnf repoquery")
    assert rejections.count == 0
    assert repos[("openssl-libs", "x86_64", "1:3.0.7-27.el9")] == "baseos"
    assert repos[("mycorp-agent", "x86_64", "1.2-1")] == "commandline"
    assert repos[("htop", "x86_64", "3.3.0-1.el9")] == "epel"


def test_yum_repoquery_decorations() -> None:
    data = (
        b"bash\t0\t4.2.46\t35.el7_9\tx86_64\t@anaconda/7.9\n"
        b"vim\t2\t7.4.629\t8.el7_9\tx86_64\t@updates\n"
    )
    repos, _ = parse_repoquery(data, source="repoquery")
    assert repos == {
        ("bash", "x86_64", "4.2.46-35.el7_9"): "anaconda",
        ("vim", "x86_64", "2:7.4.629-8.el7_9"): "updates",
    }


def test_zypper_search_table() -> None:
    data = (
        b"S  | Name       | Type    | Version            | Arch   | Repository\n"
        b"---+------------+---------+--------------------+--------+-------------------------\n"
        b"i+ | bash       | package | 4.4-150400.27.3.2  | x86_64 | "
        b"SLE-Module-Basesystem15-SP5-Updates\n"
        b"i  | mytool     | package | 1.0-1              | noarch | (System Packages)\n"
        b"i  | patterns-x | pattern | 20200505-1         | x86_64 | SLE-Product\n"
    )
    repos, rejections = parse_zypper_installed(data)
    assert rejections.count == 0
    assert repos == {
        ("bash", "x86_64", "4.4-150400.27.3.2"): "sle-module-basesystem15-sp5-updates",
        ("mytool", "noarch", "1.0-1"): "@system",
    }


def test_real_rpm_and_dnf_output_from_the_simulated_rpm_host() -> None:
    """Captured over SSH from the testbed's RPM host (Debian's rpm 4.18 and dnf 4.14)."""
    name = "rpm-simulated-rocky9-deploy-sudo"
    records, rejections = parse_rpm_query(output(name, commands.RPM_QUERY))
    assert rejections.count == 0
    by_name = {r.name: r for r in records}
    assert set(by_name) == {
        "rocky-base-tool", "rocky-epoch-lib", "epel-tool", "provider-agent", "local-build",
    }  # fmt: skip
    assert by_name["rocky-epoch-lib"].epoch == 2
    assert by_name["local-build"].vendor == ""
    assert by_name["provider-agent"].source_rpm == "provider-agent-2.0-4.src.rpm"
    repos, rejections = parse_repoquery(output(name, commands.DNF_REPOQUERY), source="dnf")
    assert rejections.count == 0
    assert repos[("rocky-epoch-lib", "noarch", "2:0.9-1.el9_3")] == "appstream"
    assert repos[("epel-tool", "noarch", "3.3.0-1.el9")] == "epel"
    assert repos[("local-build", "noarch", "0.1-1")] in ("", "@system", "system", "<unknown>")
