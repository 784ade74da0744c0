"""dpkg-query and apt-cache policy parsers, on real output from testbed hosts and on the
real Debian 12 inventory in the shared data (``sample-inventory``, see
``patchdesk_testing.paths.shared_data``)."""

from __future__ import annotations

import csv

from engine.collect.support import SAMPLE_INVENTORY, output
from patchdesk.engine.collect import commands
from patchdesk.engine.collect.dpkg import (
    parse_apt_policy,
    parse_apt_policy_packages,
    parse_dpkg_query,
)


def test_real_dpkg_query_output() -> None:
    records, rejections = parse_dpkg_query(output("debian12-root", commands.DPKG_QUERY))
    assert rejections.count == 0
    assert len(records) == 146
    by_name = {r.name: r for r in records}
    libssl = by_name["libssl3"]
    assert (libssl.arch, libssl.source_name) == ("amd64", "openssl")
    assert libssl.source_version == libssl.version
    # a binNMU: the binary version is not the source version
    binnmus = [r for r in records if "+b" in r.version and r.source_version != r.version]
    assert binnmus
    # an epoch in the binary version only
    assert any(r.version.startswith("1:") and r.source_version for r in records)


def _sample_line(row: dict[str, str]) -> str:
    source = row["source"] if row["source"] != row["package"] else ""
    if row["source_version"] != row["version"]:  # as dpkg writes Source: for binNMUs
        source = f"{row['source']} ({row['source_version']})"
    status = "ii " if row["status"] == "installed" else "rc "
    return "\t".join([status, row["package"], row["architecture"], row["version"], "", "", source])


def test_the_sample_inventory_through_the_legacy_source_field() -> None:
    """Old dpkg has no ``${source:*}`` fields: the raw ``Source`` field must suffice."""
    with SAMPLE_INVENTORY.open() as stream:
        rows = list(csv.DictReader(stream, delimiter="\t"))
    data = "".join(_sample_line(row) + "\n" for row in rows).encode()
    records, rejections = parse_dpkg_query(data)
    assert rejections.count == 0
    assert len(records) == len(rows) == 729
    expected = {
        (r["package"], r["architecture"], r["version"], r["source"], r["source_version"])
        for r in rows
    }
    got = {(r.name, r.arch, r.version, r.source_name, r.source_version) for r in records}
    assert got == expected


def test_only_installed_packages_count() -> None:
    data = (
        b"ii \tbash\tamd64\t5.2.15-2+b2\tbash\t5.2.15-2\t\n"
        b"rc \told-lib\tamd64\t1.0-1\told\t1.0-1\t\n"
        b"iU \thalf\tamd64\t1.0-1\thalf\t1.0-1\t\n"
        b"hi \theld\tamd64\t2.0-1\theld\t2.0-1\t\n"
    )
    records, rejections = parse_dpkg_query(data)
    assert [r.name for r in records] == ["bash", "held"]
    assert rejections.count == 0


def test_hostile_lines_are_rejected_and_counted_the_rest_survives() -> None:
    good = b"ii \tlibc6\tamd64\t2.36-9+deb12u7\tglibc\t2.36-9+deb12u7\t\n"
    hostile = [
        b"ii \tfoo;rm -rf /\tamd64\t1.0\tfoo\t1.0\t\n",  # shell metacharacters
        b"ii \t$(reboot)\tamd64\t1.0\tx\t1.0\t\n",
        b"ii \tbar\tamd64\t1.0`id`\tbar\t1.0\t\n",  # a version with a backquote
        b"ii \tbaz\tamd64\t:1.0\tbaz\t1.0\t\n",  # dpkg refuses this version
        b"ii \tqux\tamd64\n",  # too few fields
        b"ii \t" + b"a" * 300 + b"\tamd64\t1.0\ta\t1.0\t\n",  # too long a name
        b"ii \tlibc6\tamd64\t2.36-9+deb12u7\tglibc\t2.36-9+deb12u7\t\n",  # listed twice
        b"\x00\x01\x02 binary junk\n",
    ]
    records, rejections = parse_dpkg_query(good + b"".join(hostile) + b"ii \ttrunc")
    assert [r.name for r in records] == ["libc6"]
    assert rejections.count == len(hostile) + 1  # and the cut-off last line
    warning = rejections.warning()
    assert warning is not None
    assert warning.count == 9


def test_real_apt_cache_policy() -> None:
    sources, rejections = parse_apt_policy(output("debian12-root", commands.APT_POLICY))
    assert rejections.count == 0
    security = next(s for s in sources.values() if s.release.get("l") == "Debian-Security")
    assert security.release["o"] == "Debian"
    assert security.release["n"] == "bookworm-security"
    assert security.priority == 500
    assert security.location.endswith("bookworm-security/main amd64 Packages")
    assert sources["/var/lib/dpkg/status"].is_dpkg_status


def test_real_per_package_policy_knows_the_source_of_the_installed_version() -> None:
    name = "debian12-scenarios-deploy-sudo"
    policies, rejections = parse_apt_policy_packages(output(name, commands.APT_POLICY_PACKAGES))
    assert rejections.count == 0
    apache = policies["apache2"]
    # a newer candidate is in bookworm-security; the installed version is bookworm's
    assert apache.sources == (
        "http://mirror.invalid/debian bookworm/main amd64 Packages",
        "/var/lib/dpkg/status",
    )
    assert policies["pdtest-local-build"].sources == ("/var/lib/dpkg/status",)
    assert policies["pdtest-acme-agent"].sources[0].endswith("/acme stable/main all Packages")
