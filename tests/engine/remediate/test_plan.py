"""Work plans: exactly the requested packages, validated, per package manager."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime

import pytest

from engine.remediate.support import inventory_of, load
from patchdesk.engine.model.advisory import Confidence, FixStatus
from patchdesk.engine.model.finding import MatchMethod, PackageFinding
from patchdesk.engine.model.inventory import (
    HostInventory,
    InstalledPackage,
    OriginClass,
    PackageOrigin,
    ScanError,
    ScanErrorCode,
    TlsService,
    WebServer,
)
from patchdesk.engine.model.platform import OsFamily, PackageFormat, Platform
from patchdesk.engine.model.work import (
    ItemState,
    PackageManager,
    PlanRefusal,
    PlanRefusalCode,
    RequestedItem,
    RestartPolicy,
    VersionBasis,
    WorkPlan,
)
from patchdesk.engine.remediate import build_work_plan, select_package_manager

_AT = datetime(2026, 11, 25, tzinfo=UTC)
_ORIGIN = PackageOrigin(kind=OriginClass.OS_VENDOR)


def _debian() -> HostInventory:
    return asyncio.run(inventory_of(load("apt-update-done")))


def _host(platform: Platform, *packages: InstalledPackage, **fields: object) -> HostInventory:
    return HostInventory(
        target="ssh://root@h:22",
        started_at=_AT,
        finished_at=_AT,
        hostname="h",
        platform=platform,
        packages=packages,
        **fields,  # type: ignore[arg-type]
    )


def _pkg(name: str, version: str, arch: str = "x86_64", source: str = "") -> InstalledPackage:
    return InstalledPackage(
        name=name,
        version=version,
        arch=arch,
        source_name=source or name,
        source_version=version,
        origin=_ORIGIN,
    )


def _platform(distro: str, release: str, family: OsFamily, fmt: PackageFormat) -> Platform:
    return Platform(
        distro=distro, release=release, family=family, package_format=fmt, arch="x86_64"
    )


def _plan(*args: object, **kwargs: object) -> WorkPlan:
    plan = build_work_plan(*args, **kwargs)  # type: ignore[arg-type]
    assert isinstance(plan, WorkPlan), plan
    return plan


def test_only_the_requested_packages_below_their_minimum() -> None:
    inventory = _debian()
    plan = _plan(
        [
            RequestedItem(package="libexpat1", min_version="2.5.0-1+deb12u3", item_id="f-1"),
            RequestedItem(package="libssl3", min_version="3.0.0-1"),  # already newer
            RequestedItem(package="curl", min_version="8.0"),  # not installed
        ],
        inventory,
    )
    assert plan.package_manager is PackageManager.APT
    assert [(i.request.package, i.state, i.installed_version) for i in plan.items] == [
        ("libexpat1", ItemState.TO_UPDATE, "2.5.0-1+deb12u2"),
        ("libssl3", ItemState.ALREADY_FIXED, "3.0.20-1~deb12u2"),
        ("curl", ItemState.NOT_INSTALLED, ""),
    ]
    assert [(p.name, p.arch, p.installed_version) for p in plan.packages] == [
        ("libexpat1", "amd64", "2.5.0-1+deb12u2")
    ]
    assert not plan.full_upgrade
    assert plan.has_work
    assert (plan.target, plan.hostname, plan.platform_key) == (inventory.target, "h1", "debian:12")


def test_a_source_minimum_is_compared_with_the_source_version() -> None:
    # bash 5.2.15-2+b13 is built from source bash 5.2.15-2 (a binNMU)
    inventory = _debian()
    by_binary = _plan([RequestedItem(package="bash", min_version="5.2.15-2+b2")], inventory)
    by_source = _plan(
        [RequestedItem(package="bash", min_version="5.2.15-2+b2", basis=VersionBasis.SOURCE)],
        inventory,
    )
    assert by_binary.items[0].state is ItemState.ALREADY_FIXED
    assert by_source.items[0].state is ItemState.TO_UPDATE
    assert by_source.items[0].installed_version == "5.2.15-2"


def test_every_architecture_of_a_multiarch_package_must_reach_the_minimum() -> None:
    platform = _platform("debian", "12", OsFamily.DEBIAN, PackageFormat.DPKG)
    platform = dataclasses.replace(platform, arch="amd64")
    inventory = _host(
        platform,
        _pkg("libssl3", "3.0.22-1~deb12u2", "amd64", "openssl"),
        _pkg("libssl3", "3.0.20-1~deb12u2", "i386", "openssl"),
    )
    plan = _plan([RequestedItem(package="libssl3", min_version="3.0.22-1~deb12u2")], inventory)
    assert [(p.name, p.arch) for p in plan.packages] == [("libssl3", "i386")]
    assert plan.items[0].installed_version == "3.0.20-1~deb12u2"


@pytest.mark.parametrize(
    ("package", "version"),
    [
        ("libssl3; reboot", "1.0"),
        ("-oAPT::Get::Force=1", "1.0"),
        ("libssl3", "1.0$(id)"),
        ("libssl3", "1.0 2.0"),
        ("libssl3", ""),
        ("LibSSL3", "1.0"),  # dpkg names are lower case
        ("libssl3", "1:"),
        ("", "1.0"),
    ],
)
def test_an_invalid_item_refuses_the_whole_plan(package: str, version: str) -> None:
    refusal = build_work_plan(
        [
            RequestedItem(package="libexpat1", min_version="2.5.0-1+deb12u3"),
            RequestedItem(package=package, min_version=version),
        ],
        _debian(),
    )
    assert isinstance(refusal, PlanRefusal)
    assert refusal.code is PlanRefusalCode.INVALID_ITEM
    assert len(refusal.problems) >= 1
    assert all("\x1b" not in p for p in refusal.problems)


def test_invalid_dependencies_and_service_names_are_refused_too() -> None:
    inventory = _debian()
    item = [RequestedItem(package="libexpat1", min_version="2.5.0-1+deb12u3")]
    bad_dependency = build_work_plan(item, inventory, allowed_dependencies=["x|y"])
    bad_service = build_work_plan(item, inventory, restart_services=RestartPolicy.of(["-a"]))
    bad_passphrase = build_work_plan(item, inventory, passphrases_on_file=["a b"])
    for refusal in (bad_dependency, bad_service, bad_passphrase):
        assert isinstance(refusal, PlanRefusal)
        assert refusal.code is PlanRefusalCode.INVALID_ITEM


def test_nothing_requested_a_failed_inventory_and_an_unsupported_platform() -> None:
    inventory = _debian()
    assert build_work_plan([], inventory).code is PlanRefusalCode.NOTHING_REQUESTED  # type: ignore[union-attr]
    full = _plan([], inventory, allow_full_upgrade=True)
    assert full.full_upgrade
    assert full.has_work
    failed = dataclasses.replace(
        inventory, error=ScanError(code=ScanErrorCode.TIMEOUT, message="slow")
    )
    refusal = build_work_plan([RequestedItem(package="a", min_version="1")], failed)
    assert refusal.code is PlanRefusalCode.INVENTORY_UNUSABLE  # type: ignore[union-attr]
    alpine = _host(_platform("alpine", "3.20", OsFamily.ALPINE, PackageFormat.APK))
    refusal = build_work_plan([RequestedItem(package="a", min_version="1")], alpine)
    assert refusal.code is PlanRefusalCode.UNSUPPORTED_PLATFORM  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("distro", "release", "family", "manager"),
    [
        ("debian", "12", OsFamily.DEBIAN, PackageManager.APT),
        ("rhel", "9", OsFamily.REDHAT, PackageManager.DNF),
        ("almalinux", "8", OsFamily.REDHAT, PackageManager.DNF),
        ("centos", "7", OsFamily.REDHAT, PackageManager.YUM),
        ("amzn", "2", OsFamily.REDHAT, PackageManager.YUM),
        ("amzn", "2023", OsFamily.REDHAT, PackageManager.DNF),
        ("sles", "15.6", OsFamily.SUSE, PackageManager.ZYPPER),
        ("alpine", "3.20", OsFamily.ALPINE, None),
    ],
)
def test_package_manager_per_platform(
    distro: str, release: str, family: OsFamily, manager: PackageManager | None
) -> None:
    fmt = {OsFamily.DEBIAN: PackageFormat.DPKG, OsFamily.ALPINE: PackageFormat.APK}.get(
        family, PackageFormat.RPM
    )
    assert select_package_manager(_platform(distro, release, family, fmt)) is manager


def test_dnf_by_advisory_only_when_every_item_names_a_safe_advisory() -> None:
    rocky = _host(
        _platform("rocky", "9", OsFamily.REDHAT, PackageFormat.RPM),
        _pkg("openssl-libs", "1:3.0.7-24.el9"),
        _pkg("libxml2", "2.9.13-5.el9"),
    )
    both = [
        RequestedItem(
            package="openssl-libs", min_version="1:3.0.7-27.el9", advisory_id="RLSA-2024:1"
        ),
        RequestedItem(package="libxml2", min_version="2.9.13-6.el9", advisory_id="RLSA-2024:2"),
    ]
    assert _plan(both, rocky).advisory_ids == ("RLSA-2024:1", "RLSA-2024:2")
    unsafe = [both[0], dataclasses.replace(both[1], advisory_id="libxml2/2.9.13 $(x)")]
    assert _plan(unsafe, rocky).advisory_ids == ()  # security package list instead
    missing = [both[0], dataclasses.replace(both[1], advisory_id="")]
    assert _plan(missing, rocky).advisory_ids == ()


def test_zypper_by_cve_only_when_every_item_has_a_cve() -> None:
    sles = _host(
        _platform("sles", "15.6", OsFamily.SUSE, PackageFormat.RPM),
        _pkg("libopenssl3", "3.1.4-150600.5.10.1"),
        _pkg("libcurl4", "8.6.0-150600.4.9.1"),
    )
    items = [
        RequestedItem(
            package="libopenssl3",
            min_version="3.1.4-150600.5.15.1",
            cve_ids=("CVE-2026-1111", "GHSA-xxxx-yyyy-zzzz"),
        ),
        RequestedItem(
            package="libcurl4", min_version="8.6.0-150600.4.12.1", cve_ids=("CVE-2026-2222",)
        ),
    ]
    plan = _plan(items, sles)
    assert plan.package_manager is PackageManager.ZYPPER
    assert plan.cve_ids == ("CVE-2026-1111", "CVE-2026-2222")  # the GHSA id is data only
    assert _plan([items[0], dataclasses.replace(items[1], cve_ids=())], sles).cve_ids == ()


def test_tls_services_and_passphrases_on_file_come_from_the_inventory() -> None:
    apache = TlsService(
        server=WebServer.APACHE, service="apache2", passphrase_source="builtin",
        needs_passphrase=True,
    )  # fmt: skip
    nginx = TlsService(server=WebServer.NGINX, service="nginx", passphrase_source="prompt")
    inventory = dataclasses.replace(_debian(), tls=(apache, nginx))
    item = [RequestedItem(package="libexpat1", min_version="2.5.0-1+deb12u3")]
    plan = _plan(item, inventory, passphrases_on_file=["apache2", "nginx"])
    assert plan.tls_services == ("apache2",)
    assert plan.tls_passphrases_on_file == ("apache2",)


def test_restart_policy() -> None:
    policy = RestartPolicy.of(["apache2.service", "nginx"])
    assert policy.allows("apache2")
    assert policy.allows("nginx.service")
    assert not policy.allows("sshd")
    assert RestartPolicy(allow_all=True).allows("anything")
    assert not RestartPolicy().allows("apache2")


def test_a_requested_item_from_a_finding() -> None:
    finding = PackageFinding(
        advisory_id="DSA-5999-1",
        advisory_source="debian-tracker",
        package="libssl3",
        installed_version="3.0.20-1~deb12u2",
        fixed_version="3.0.22-1~deb12u2",
        fix_status=FixStatus.FIXED,
        cve_ids=("CVE-2026-84782",),
        match_method=MatchMethod.SOURCE_NAME,
        matched_name="openssl",
        compared_version="3.0.20-1~deb12u2",
        confidence=Confidence.VENDOR,
    )
    item = RequestedItem.from_finding(finding, item_id="finding-17")
    assert item == RequestedItem(
        package="libssl3",
        min_version="3.0.22-1~deb12u2",
        basis=VersionBasis.SOURCE,
        advisory_id="DSA-5999-1",
        cve_ids=("CVE-2026-84782",),
        item_id="finding-17",
    )
    binary = dataclasses.replace(finding, match_method=MatchMethod.BINARY_NAME)
    assert RequestedItem.from_finding(binary).basis is VersionBasis.BINARY
    with pytest.raises(ValueError, match="no fixed version"):
        RequestedItem.from_finding(dataclasses.replace(finding, fixed_version=None))
