"""The running kernel against installed kernel packages, with the real version comparison."""

from __future__ import annotations

from engine.collect.support import DATA
from patchdesk.engine import versions
from patchdesk.engine.collect.kernel import build_kernel_info, installed_kernels
from patchdesk.engine.collect.origin import OriginRules, classify_rpm_origin
from patchdesk.engine.collect.rpm import format_evr, parse_rpm_query
from patchdesk.engine.model.inventory import (
    InstalledPackage,
    OriginClass,
    PackageOrigin,
    RpmDetails,
)
from patchdesk.engine.model.platform import OsFamily

UNKNOWN = PackageOrigin(kind=OriginClass.UNKNOWN)


def _deb(name: str, version: str) -> InstalledPackage:
    return InstalledPackage(
        name=name, version=version, arch="amd64", source_name="linux",
        source_version=version, origin=UNKNOWN,
    )  # fmt: skip


def test_debian_running_an_older_kernel_than_installed() -> None:
    packages = [
        _deb("linux-image-6.1.0-18-amd64", "6.1.76-1"),
        _deb("linux-image-6.1.0-21-amd64", "6.1.90-1"),
        _deb("linux-image-amd64", "6.1.90-1"),  # the meta package is not a kernel
        _deb("linux-image-6.1.0-21-amd64-dbg", "6.1.90-1"),
        _deb("bash", "5.2.15-2+b2"),
    ]
    info = build_kernel_info(
        running_release="6.1.0-18-amd64",
        running_version="#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)",
        packages=packages,
        family=OsFamily.DEBIAN,
        compare=lambda a, b: versions.compare("dpkg", a, b),
    )
    assert [k.kernel_release for k in info.installed] == ["6.1.0-18-amd64", "6.1.0-21-amd64"]
    assert info.is_running_packaged
    assert info.running_package == "linux-image-6.1.0-18-amd64"
    assert info.newer_installed == ("6.1.0-21-amd64",)


def test_a_container_or_custom_kernel_is_not_packaged() -> None:
    info = build_kernel_info(
        running_release="6.18.44-custom",
        running_version="",
        packages=[_deb("linux-image-6.1.0-21-amd64", "6.1.90-1")],
        family=OsFamily.DEBIAN,
        compare=None,
    )
    assert not info.is_running_packaged
    assert info.newer_installed == ()


def _rpms() -> list[InstalledPackage]:
    records, _ = parse_rpm_query((DATA / "rpm" / "almalinux9-rpm-qa.txt").read_bytes())
    return [
        InstalledPackage(
            name=r.name,
            version=format_evr(r.epoch, r.version, r.release),
            arch=r.arch,
            source_name=r.source_name,
            source_version=format_evr(r.epoch, r.version, r.release),
            origin=classify_rpm_origin(r, None, distro="almalinux", rules=OriginRules()),
            rpm=RpmDetails(epoch=r.epoch, version=r.version, release=r.release),
        )
        for r in records
    ]


def test_rhel_family_kernel_core_and_kernel_merge() -> None:
    info = build_kernel_info(
        running_release="5.14.0-362.8.1.el9_3.x86_64",
        running_version="#1 SMP PREEMPT_DYNAMIC",
        packages=_rpms(),
        family=OsFamily.REDHAT,
        compare=lambda a, b: versions.compare("rpm", a, b),
    )
    assert [k.kernel_release for k in info.installed] == [
        "5.14.0-362.8.1.el9_3.x86_64",
        "5.14.0-427.13.1.el9_4.x86_64",
    ]
    assert info.running_package == "kernel-core"
    assert info.newer_installed == ("5.14.0-427.13.1.el9_4.x86_64",)


def test_suse_kernel_release_naming() -> None:
    package = InstalledPackage(
        name="kernel-default",
        version="5.14.21-150500.55.39.1",
        arch="x86_64",
        source_name="kernel-default",
        source_version="5.14.21-150500.55.39.1",
        origin=UNKNOWN,
        rpm=RpmDetails(epoch=0, version="5.14.21", release="150500.55.39.1"),
    )
    kernels = installed_kernels([package], OsFamily.SUSE)
    assert [k.kernel_release for k in kernels] == ["5.14.21-150500.55.39-default"]
