"""OS detection from os-release (as the distributions ship it) and the older release files.

The os-release texts below are the distributions' own ``/etc/os-release`` lines that matter
(ID, VERSION_ID, NAME, PRETTY_NAME, VERSION_CODENAME); Debian 12's comes from a testbed host.
"""

from __future__ import annotations

import pytest

from engine.collect.support import output
from patchdesk.engine.collect import commands
from patchdesk.engine.collect.host import parse_identity
from patchdesk.engine.collect.platform_detect import (
    UnsupportedOs,
    detect_platform,
    parse_os_release,
)
from patchdesk.engine.model.platform import OsFamily, PackageFormat, Platform

OS_RELEASES = {
    "ubuntu-22.04": (
        'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\n'
        'VERSION="22.04.4 LTS (Jammy Jellyfish)"\nVERSION_CODENAME=jammy\nID=ubuntu\n'
        "ID_LIKE=debian\nUBUNTU_CODENAME=jammy\n",
        "ubuntu:22.04",
    ),
    "rhel-9.4": (
        'NAME="Red Hat Enterprise Linux"\nVERSION="9.4 (Plow)"\nID="rhel"\nID_LIKE="fedora"\n'
        'VERSION_ID="9.4"\nPLATFORM_ID="platform:el9"\n'
        'PRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"\n',
        "rhel:9",
    ),
    "almalinux-9.3": (
        'NAME="AlmaLinux"\nVERSION="9.3 (Shamrock Pampas Cat)"\nID="almalinux"\n'
        'ID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\n'
        'PRETTY_NAME="AlmaLinux 9.3 (Shamrock Pampas Cat)"\n',
        "almalinux:9",
    ),
    "rocky-8.9": (
        'NAME="Rocky Linux"\nVERSION="8.9 (Green Obsidian)"\nID="rocky"\n'
        'ID_LIKE="rhel centos fedora"\nVERSION_ID="8.9"\n'
        'PRETTY_NAME="Rocky Linux 8.9 (Green Obsidian)"\n',
        "rocky:8",
    ),
    "centos-7": (
        'NAME="CentOS Linux"\nVERSION="7 (Core)"\nID="centos"\nID_LIKE="rhel fedora"\n'
        'VERSION_ID="7"\nPRETTY_NAME="CentOS Linux 7 (Core)"\n',
        "centos:7",
    ),
    "centos-stream-9": (
        'NAME="CentOS Stream"\nVERSION="9"\nID="centos"\nID_LIKE="rhel fedora"\n'
        'VERSION_ID="9"\nPRETTY_NAME="CentOS Stream 9"\n',
        "centos:9",
    ),
    "oracle-9.3": (
        'NAME="Oracle Linux Server"\nVERSION="9.3"\nID="ol"\nID_LIKE="fedora"\n'
        'VERSION_ID="9.3"\nPRETTY_NAME="Oracle Linux Server 9.3"\n',
        "ol:9",
    ),
    "amazon-2": (
        'NAME="Amazon Linux"\nVERSION="2"\nID="amzn"\nID_LIKE="centos rhel fedora"\n'
        'VERSION_ID="2"\nPRETTY_NAME="Amazon Linux 2"\n',
        "amzn:2",
    ),
    "amazon-2023": (
        'NAME="Amazon Linux"\nVERSION="2023"\nID="amzn"\nID_LIKE="fedora"\n'
        'VERSION_ID="2023"\nPRETTY_NAME="Amazon Linux 2023"\n',
        "amzn:2023",
    ),
    "sles-15-sp5": (
        'NAME="SLES"\nVERSION="15-SP5"\nVERSION_ID="15.5"\n'
        'PRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"\nID="sles"\nID_LIKE="suse"\n',
        "sles:15.5",
    ),
    "opensuse-leap-15.5": (
        'NAME="openSUSE Leap"\nVERSION="15.5"\nID="opensuse-leap"\nID_LIKE="suse opensuse"\n'
        'VERSION_ID="15.5"\nPRETTY_NAME="openSUSE Leap 15.5"\n',
        "opensuse-leap:15.5",
    ),
}


@pytest.mark.parametrize("name", sorted(OS_RELEASES))
def test_supported_distributions(name: str) -> None:
    text, key = OS_RELEASES[name]
    platform = detect_platform(parse_os_release(text.splitlines()), release_files={}, arch="x86_64")
    assert isinstance(platform, Platform)
    assert platform.key == key
    family = platform.family
    assert platform.package_format is (
        PackageFormat.DPKG if family is OsFamily.DEBIAN else PackageFormat.RPM
    )
    assert platform.pretty_name


def test_debian_12_from_a_real_host() -> None:
    identity, rejections = parse_identity(output("debian12-root", commands.IDENTITY))
    assert rejections.count == 0
    platform = detect_platform(
        identity.os_release, release_files=identity.release_files, arch=identity.dpkg_arch
    )
    assert platform == Platform(
        distro="debian",
        release="12",
        family=OsFamily.DEBIAN,
        package_format=PackageFormat.DPKG,
        arch="amd64",
        codename="bookworm",
        pretty_name="Debian GNU/Linux 12 (bookworm)",
    )
    assert identity.uid == "0"
    assert identity.hostname == "h1"
    assert {"dpkg-query", "apt-cache"} <= identity.tools


def test_centos_stream_is_told_apart_from_centos_linux() -> None:
    stream = detect_platform(
        parse_os_release(OS_RELEASES["centos-stream-9"][0].splitlines()),
        release_files={},
        arch="x86_64",
    )
    assert isinstance(stream, Platform)
    assert stream.codename == "stream"


@pytest.mark.parametrize(
    ("text", "files", "reason"),
    [
        ('ID=fedora\nVERSION_ID=40\nNAME="Fedora Linux"', {}, "unsupported distribution 'fedora'"),
        ('ID=linuxmint\nID_LIKE="ubuntu debian"\nVERSION_ID="21.3"', {}, "'linuxmint'"),
        ("ID=alpine\nVERSION_ID=3.19.1", {}, "'alpine'"),
        ('ID="opensuse-tumbleweed"\nVERSION_ID="20240101"', {}, "opensuse-tumbleweed"),
        (
            'PRETTY_NAME="Debian GNU/Linux trixie/sid"\nNAME="Debian GNU/Linux"\nID=debian',
            {"debian_version": ["trixie/sid"]},
            "no release in version 'trixie/sid'",
        ),
        ("", {}, "no /etc/os-release and no known release file"),
        ("ID=ubuntu\nVERSION_ID=22", {}, "no release in version '22'"),
    ],
)
def test_unknown_or_unsupported_is_explicit_never_a_guess(
    text: str, files: dict[str, list[str]], reason: str
) -> None:
    result = detect_platform(parse_os_release(text.splitlines()), release_files=files, arch="")
    assert isinstance(result, UnsupportedOs)
    assert reason in result.reason


@pytest.mark.parametrize(
    ("files", "key"),
    [
        ({"redhat-release": ["CentOS release 6.10 (Final)"]}, "centos:6"),
        ({"redhat-release": ["Red Hat Enterprise Linux Server release 7.9 (Maipo)"]}, "rhel:7"),
        ({"system-release": ["Amazon Linux AMI release 2018.03"]}, "amzn:2018.03"),
        (
            {
                "lsb-release": [
                    "DISTRIB_ID=Ubuntu",
                    "DISTRIB_RELEASE=14.04",
                    "DISTRIB_CODENAME=trusty",
                ]
            },
            "ubuntu:14.04",
        ),
        (
            {
                "SuSE-release": [
                    "SUSE Linux Enterprise Server 11 (x86_64)",
                    "VERSION = 11",
                    "PATCHLEVEL = 4",
                ]
            },
            "sles:11.4",
        ),
    ],
)
def test_release_file_fallbacks_without_os_release(files: dict[str, list[str]], key: str) -> None:
    platform = detect_platform({}, release_files=files, arch="x86_64")
    assert isinstance(platform, Platform)
    assert platform.key == key


def test_os_release_values_are_unquoted_never_evaluated() -> None:
    values = parse_os_release(
        [
            'PRETTY_NAME="Debian \\"12\\""',
            "NAME='single quoted'",
            "ID=debian",
            'BAD=$(touch /tmp/pwned)"',
            "VERSION_ID=`id`",
            "not an assignment",
            "lower=case",
            "TWO=one two",
        ]
    )
    assert values == {
        "PRETTY_NAME": 'Debian "12"',
        "NAME": "single quoted",
        "ID": "debian",
        "VERSION_ID": "`id`",
    }
